#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ike/config.h"
#include "ike/conn_export.h"
#include "testmain.h"

/* The seed's eap-tls connection, in a temporary swanctl-style layout
 * with a real (self-signed) gateway certificate. */
static const char seed_conf[] =
	"connections {\n"
	"  eap-tls {\n"
	"    version = 2\n"
	"    proposals = aes256-sha256-modp2048, aes256gcm16-prfsha384-ecp384\n"
	"    reauth_time = 3h\n"
	"    rekey_time = 0\n"
	"    pools = ipv4, ipv6\n"
	"    send_certreq = yes\n"
	"    fragmentation = yes\n"
	"    local {\n"
	"      auth = pubkey\n"
	"      id = vpn.strongswan.org\n"
	"      certs = gw.pem\n"
	"    }\n"
	"    remote {\n"
	"      auth = eap-tls\n"
	"      eap_id = %any\n"
	"      cacerts = missing-ca.pem\n"
	"    }\n"
	"    children {\n"
	"      eap-tls {\n"
	"        local_ts = 0.0.0.0/0, ::/0\n"
	"        esp_proposals = aes256-sha1\n"
	"        rekey_time = 1h\n"
	"      }\n"
	"    }\n"
	"  }\n"
	"}\n";

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void write_cert(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = X509_new();
	X509_NAME *name = X509_NAME_new();
	char path[256];
	FILE *f;

	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"CH", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"strongSec GmbH", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"vpn.strongswan.org", -1, -1, 0);
	X509_set_subject_name(cert, name);
	X509_set_issuer_name(cert, name);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	ck_assert_int_gt(X509_sign(cert, key, EVP_sha256()), 0);
	snprintf(path, sizeof(path), "%s/x509", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/x509/gw.pem", dir);
	f = fopen(path, "w");
	PEM_write_X509(f, cert);
	fclose(f);
	X509_NAME_free(name);
	X509_free(cert);
	EVP_PKEY_free(key);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/cygnet-ike-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_cert();
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct ike_config *load(const char *text, char *err, size_t errlen)
{
	struct conf_error cerr;
	char path[256];
	struct conf *conf;
	struct ike_config *config;

	char full[4096];

	snprintf(full, sizeof(full),
		 "cygnet { authority { swanctl_dir = %s } }\n%s", dir, text);
	write_file("cygnet.conf", full);
	snprintf(path, sizeof(path), "%s/cygnet.conf", dir);
	conf = conf_load_file(path, &cerr);
	ck_assert_msg(conf != NULL, "%s", cerr.text);
	config = config_load(conf, err, errlen);
	conf_free(conf);
	return config;
}

START_TEST(seed_connection)
{
	char err[256] = "";
	struct ike_config *config = load(seed_conf, err, sizeof(err));
	const struct conn_cfg *c;
	char buf[256];

	ck_assert_msg(config != NULL, "%s", err);
	ck_assert_uint_eq(config->n_conns, 1);
	c = config_find(config, "eap-tls");
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->version, 2);
	ck_assert_int_eq(c->reauth_time, 10800);
	ck_assert_int_eq(c->rekey_time, 0);
	ck_assert_int_eq(c->over_time, 1080);
	ck_assert_uint_eq(c->n_proposals, 2);
	proposal_format(&c->proposals[1], buf, sizeof(buf));
	ck_assert_str_eq(buf, "IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384");
	ck_assert_uint_eq(c->n_pools, 2);
	ck_assert_str_eq(c->pools[1], "ipv6");
	ck_assert_uint_eq(c->n_local_auths, 1);
	ck_assert_int_eq(c->local_auths[0].auth_class, AUTH_CLASS_PUBKEY);
	ck_assert_str_eq(c->local_auths[0].certs[0].subject,
			 "C=CH, O=strongSec GmbH, CN=vpn.strongswan.org");
	ck_assert_int_eq(c->remote_auths[0].auth_class, AUTH_CLASS_EAP);
	ck_assert_uint_eq(c->remote_auths[0].eap_type, 13);
	ck_assert_ptr_null(c->remote_auths[0].cacerts[0].subject);
	ck_assert_uint_eq(c->n_children, 1);
	ck_assert_int_eq(c->children[0].rekey_time, 3600);
	ck_assert_int_eq(c->children[0].life_time, 3960);
	ck_assert_uint_eq(c->children[0].n_local_ts, 2);
	ck_assert(c->children[0].remote_ts[0].dynamic);
	proposal_format(&c->children[0].proposals[0], buf, sizeof(buf));
	ck_assert_str_eq(buf, "ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ");
	config_free(config);
}
END_TEST

START_TEST(defaults)
{
	char err[256] = "";
	struct ike_config *config = load(
		"connections { rw { children { net { } } } }\n", err, sizeof(err));
	const struct conn_cfg *c;

	ck_assert_msg(config != NULL, "%s", err);
	c = &config->conns[0];
	ck_assert_uint_eq(c->version, 0);
	ck_assert_int_eq(c->rekey_time, 14400);
	ck_assert_int_eq(c->reauth_time, 0);
	ck_assert_int_eq(c->over_time, 1440);
	ck_assert_uint_eq(c->n_proposals, 2);
	ck_assert_int_eq(c->fragmentation, FRAG_YES);
	ck_assert_int_eq(c->send_cert, SEND_CERT_IFASKED);
	ck_assert(c->send_certreq);
	ck_assert_uint_eq(c->n_local_auths, 0);
	ck_assert_int_eq(c->children[0].mode, MODE_TUNNEL);
	ck_assert_int_eq(c->children[0].rekey_time, 3600);
	ck_assert(c->children[0].local_ts[0].dynamic);
	config_free(config);
}
END_TEST

START_TEST(no_connections)
{
	char err[256] = "";
	struct ike_config *config = load("pools { }\n", err, sizeof(err));

	ck_assert_ptr_nonnull(config);
	ck_assert_uint_eq(config->n_conns, 0);
	config_free(config);
}
END_TEST

static void expect_error(const char *text, const char *expected)
{
	char err[256] = "";
	struct ike_config *config = load(text, err, sizeof(err));

	ck_assert_ptr_null(config);
	ck_assert_str_eq(err, expected);
}

START_TEST(invalid)
{
	expect_error("connections { a { proposals = aes256-md5-modp2048 } }",
		     "connection 'a': algorithm 'md5' not recognized");
	expect_error("connections { a { version = 1 } }",
		     "connection 'a': IKEv1 is not supported");
	expect_error("connections { a { version = 3 } }",
		     "connection 'a': invalid version");
	expect_error("connections { a { fragmentation = maybe } }",
		     "connection 'a': invalid value 'maybe'");
	expect_error("connections { a { local { auth = xauth } } }",
		     "connection 'a': unsupported auth 'xauth'");
	expect_error("connections { a { remote { revocation = sometimes } } }",
		     "connection 'a': invalid revocation 'sometimes'");
	expect_error("connections { a { children { c { local_ts = 192.0.2.0/33 } } } }",
		     "connection 'a' child 'c': invalid traffic selector '192.0.2.0/33'");
	expect_error("connections { a { children { c { rekey_time = 1h\n life_time = 30m } } } }",
		     "connection 'a' child 'c': life_time must be greater than rekey_time");
	expect_error("connections { a { children { c { mode = beet } } } }",
		     "connection 'a' child 'c': invalid value 'beet'");
	expect_error("connections { a { children { c { esp_proposals = aes256-sha1-prfsha1 } } } }",
		     "connection 'a' child 'c': PRF not allowed in ESP proposal 'aes256-sha1-prfsha1'");
	expect_error("connections { ok { } bad { rekey_time = soon } }",
		     "connection 'bad': invalid duration for rekey_time");
}
END_TEST

START_TEST(export_for_list_conns)
{
	char err[256] = "";
	struct ike_config *config = load(seed_conf, err, sizeof(err));
	Cygnet__ConnList *list;
	const Cygnet__Conn *c;

	ck_assert_ptr_nonnull(config);
	list = conn_export(config);
	ck_assert_ptr_nonnull(list);
	ck_assert_uint_eq(list->n_conns, 1);
	c = list->conns[0];
	ck_assert_str_eq(c->name, "eap-tls");
	ck_assert_uint_eq(c->reauth_time, 10800);
	ck_assert_uint_eq(c->n_local_addrs, 0);
	ck_assert_str_eq(c->local_auth[0]->auth_class, "public key");
	ck_assert_str_eq(c->local_auth[0]->id, "vpn.strongswan.org");
	ck_assert_str_eq(c->local_auth[0]->certs[0],
			 "C=CH, O=strongSec GmbH, CN=vpn.strongswan.org");
	ck_assert_str_eq(c->remote_auth[0]->auth_class, "EAP");
	ck_assert_str_eq(c->remote_auth[0]->eap_type, "EAP_TLS");
	ck_assert_str_eq(c->remote_auth[0]->eap_id, "%any");
	ck_assert_ptr_nonnull(strstr(c->remote_auth[0]->cacerts[0],
				     "x509ca/missing-ca.pem"));
	ck_assert_str_eq(c->children[0]->mode, "TUNNEL");
	ck_assert_str_eq(c->children[0]->local_ts[0], "0.0.0.0/0");
	ck_assert_str_eq(c->children[0]->local_ts[1], "::/0");
	ck_assert_str_eq(c->children[0]->remote_ts[0], "dynamic");
	ck_assert_str_eq(c->children[0]->esp_proposals[0],
			 "ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ");
	protobuf_c_message_free_unpacked(&list->base, NULL);
	config_free(config);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("ike_config");
	TCase *tc = tcase_create("config");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, seed_connection);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, no_connections);
	tcase_add_test(tc, invalid);
	tcase_add_test(tc, export_for_list_conns);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(config_suite)
