/* IKE_AUTH pieces without peers: the signed octets (RFC 7296 2.15), our
 * identity from local.id or the certificate, peer config selection. */
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ike/auth_octets.h"
#include "ike/identity.h"
#include "ike/peer_cfg.h"
#include "ike/proposal.h"
#include "testmain.h"

START_TEST(octets_layout)
{
	static const uint8_t init[] = "an IKE_SA_INIT message";
	static const uint8_t nonce[] = "the other side's nonce";
	static const uint8_t key[32] = { 1, 2, 3 };
	static const uint8_t id_data[] = "vpn.example.org";
	struct id_payload id = { ID_FQDN, id_data, sizeof(id_data) - 1 };
	uint8_t id_body[4 + sizeof(id_data) - 1] = { ID_FQDN, 0, 0, 0 };
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned mac_len = 0;
	size_t len = 0;
	uint8_t *octets;

	memcpy(id_body + 4, id_data, sizeof(id_data) - 1);
	HMAC(EVP_sha256(), key, sizeof(key), id_body, sizeof(id_body), mac, &mac_len);
	octets = auth_octets(PRF_HMAC_SHA2_256, key, sizeof(key), init,
			     sizeof(init), nonce, sizeof(nonce), &id, &len);
	ck_assert_ptr_nonnull(octets);
	ck_assert_uint_eq(len, sizeof(init) + sizeof(nonce) + 32);
	ck_assert_int_eq(memcmp(octets, init, sizeof(init)), 0);
	ck_assert_int_eq(memcmp(octets + sizeof(init), nonce, sizeof(nonce)), 0);
	ck_assert_uint_eq(mac_len, 32);
	ck_assert_int_eq(memcmp(octets + sizeof(init) + sizeof(nonce), mac, 32), 0);
	free(octets);
	ck_assert_ptr_null(auth_octets(99, key, sizeof(key), init, sizeof(init),
				       nonce, sizeof(nonce), &id, &len));
}
END_TEST

START_TEST(identity_text)
{
	struct identity id;
	uint8_t v4[4];

	ck_assert_int_eq(identity_from_config("192.0.2.1", NULL, 0, &id), 0);
	inet_pton(AF_INET, "192.0.2.1", v4);
	ck_assert_uint_eq(id.type, ID_IPV4_ADDR);
	ck_assert_uint_eq(id.len, 4);
	ck_assert_int_eq(memcmp(id.data, v4, 4), 0);
	ck_assert_str_eq(id.text, "192.0.2.1");
	ck_assert_int_eq(identity_from_config("2001:db8::1", NULL, 0, &id), 0);
	ck_assert_uint_eq(id.type, ID_IPV6_ADDR);
	ck_assert_int_eq(identity_from_config("@vpn.example.org", NULL, 0, &id), 0);
	ck_assert_uint_eq(id.type, ID_FQDN);
	ck_assert_str_eq(id.text, "vpn.example.org");
	ck_assert_int_eq(identity_from_config("vpn.example.org", NULL, 0, &id), 0);
	ck_assert_uint_eq(id.type, ID_FQDN);
	ck_assert_int_eq(identity_from_config("alice@example.org", NULL, 0, &id), 0);
	ck_assert_uint_eq(id.type, ID_RFC822_ADDR);
	ck_assert_str_eq(id.text, "alice@example.org");
	/* A DN or no id at all needs the certificate. */
	ck_assert_int_eq(identity_from_config("C=CH, CN=gw", NULL, 0, &id), -1);
	ck_assert_int_eq(identity_from_config("", NULL, 0, &id), -1);
}
END_TEST

/* A self-signed EC certificate for subject C=CH, O=Cygnet Test, CN=gw. */
static uint8_t *make_cert(size_t *len)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	uint8_t *der = NULL;
	int n;

	ck_assert_ptr_nonnull(key);
	X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const uint8_t *)"CH", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
				   (const uint8_t *)"Cygnet Test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const uint8_t *)"gw", -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	ck_assert_int_gt(X509_sign(x, key, EVP_sha256()), 0);
	n = i2d_X509(x, &der);
	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
	X509_NAME_free(name);
	X509_free(x);
	EVP_PKEY_free(key);
	return der;
}

START_TEST(identity_from_cert)
{
	struct identity id;
	size_t len;
	uint8_t *cert = make_cert(&len);

	ck_assert_int_eq(identity_from_config(NULL, cert, len, &id), 0);
	ck_assert_uint_eq(id.type, ID_DER_ASN1_DN);
	ck_assert_str_eq(id.text, "C=CH, O=Cygnet Test, CN=gw");
	ck_assert_int_eq(identity_from_config("C=CH, O=Cygnet Test, CN=gw", cert,
					      len, &id), 0);
	ck_assert_uint_eq(id.type, ID_DER_ASN1_DN);
	ck_assert_int_eq(identity_from_config("C=CH, O=Other, CN=gw", cert, len,
					      &id), -1);
	OPENSSL_free(cert);
}
END_TEST

static const char conns[] =
	"connections {\n"
	"  only-bob {\n    remote_addrs = 192.0.2.0/24\n"
	"    local {\n      auth = pubkey\n      id = vpn.example.org\n    }\n"
	"    remote {\n      auth = pubkey\n      id = bob@example.org\n    }\n"
	"    children {\n      c1 {\n        local_ts = 198.51.100.0/24\n"
	"      }\n    }\n  }\n"
	"  win {\n    pools = ipv4, ipv6\n    send_cert = always\n"
	"    local {\n      auth = pubkey\n      id = vpn.example.org\n    }\n"
	"    remote {\n      auth = pubkey\n      revocation = strict\n    }\n"
	"    children {\n      win {\n        local_ts = 0.0.0.0/0, ::/0\n"
	"      }\n    }\n  }\n"
	"  eap-tls {\n    pools = ipv4, ipv6\n"
	"    local {\n      auth = pubkey\n      id = vpn.example.org\n    }\n"
	"    remote {\n      auth = eap-tls\n      eap_id = %any\n    }\n"
	"    children {\n      eap-tls {\n        local_ts = 0.0.0.0/0\n"
	"      }\n    }\n  }\n"
	"}\n";

static struct ike_config *load_config(const char *text)
{
	struct conf_error cerr;
	struct conf *conf = conf_load_string(text, "test", &cerr);
	struct ike_config *config;
	char err[256] = "";

	ck_assert_msg(conf != NULL, "%s", cerr.text);
	config = config_load(conf, err, sizeof(err));
	conf_free(conf);
	ck_assert_msg(config != NULL, "%s", err);
	return config;
}

static struct sockaddr_storage addr4(const char *text)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(4500);
	inet_pton(AF_INET, text, &sin->sin_addr);
	return ss;
}

START_TEST(peer_selection)
{
	struct ike_config *config = load_config(conns);
	struct sockaddr_storage local = addr4("192.0.2.1");
	struct sockaddr_storage near = addr4("192.0.2.2"), far = addr4("203.0.113.9");
	struct peer_cfg *cfg = malloc(sizeof(*cfg));

	/* The identity decides between connections matching the addresses. */
	ck_assert_int_eq(peer_cfg_select(config, &local, &near, NULL,
					 "bob@example.org", cfg), 0);
	ck_assert_str_eq(cfg->name, "only-bob");
	ck_assert_str_eq(cfg->remote_id, "bob@example.org");
	ck_assert_int_eq(peer_cfg_select(config, &local, &near, NULL,
					 "C=CH, O=Cygnet Test, CN=pc1", cfg), 0);
	ck_assert_str_eq(cfg->name, "win");
	ck_assert_str_eq(cfg->remote_id, "");
	ck_assert_str_eq(cfg->revocation, "strict");
	ck_assert_str_eq(cfg->local_id, "vpn.example.org");
	ck_assert_uint_eq(cfg->n_pools, 2);
	ck_assert_str_eq(cfg->pools[1], "ipv6");
	ck_assert_int_eq(cfg->send_cert, SEND_CERT_ALWAYS);
	ck_assert(cfg->has_child);
	ck_assert_str_eq(cfg->child.name, "win");
	ck_assert_uint_eq(cfg->child.n_local_ts, 2);
	/* The address decides too. */
	ck_assert_int_eq(peer_cfg_select(config, &local, &far, NULL,
					 "bob@example.org", cfg), 0);
	ck_assert_str_eq(cfg->name, "win");
	free(cfg);
	config_free(config);
}
END_TEST

START_TEST(peer_selection_none)
{
	static const char text[] =
		"connections {\n  a {\n    remote_addrs = 192.0.2.0/24\n"
		"    remote {\n      auth = pubkey\n      id = bob@example.org\n"
		"    }\n  }\n}\n";
	struct ike_config *config = load_config(text);
	struct sockaddr_storage local = addr4("192.0.2.1"), remote = addr4("192.0.2.2");
	struct peer_cfg *cfg = malloc(sizeof(*cfg));

	ck_assert_ptr_nonnull(config);
	ck_assert_int_eq(peer_cfg_select(config, &local, &remote, NULL,
					 "mallory@example.org", cfg), -1);
	free(cfg);
	config_free(config);
}
END_TEST

/* No AUTH payload from a peer that selected 'win' (pubkey): the first
 * matching connection with EAP remote auth takes over. */
START_TEST(peer_switch_to_eap)
{
	struct ike_config *config = load_config(conns);
	struct sockaddr_storage local = addr4("192.0.2.1");
	struct sockaddr_storage remote = addr4("203.0.113.9");
	struct peer_cfg *cfg = malloc(sizeof(*cfg));

	ck_assert_int_eq(peer_cfg_select(config, &local, &remote, NULL,
					 "198.51.100.7", cfg), 0);
	ck_assert_str_eq(cfg->name, "win");
	ck_assert_int_eq(cfg->remote_class, AUTH_CLASS_PUBKEY);
	ck_assert_int_eq(peer_cfg_switch_eap(config, &local, &remote,
					     "198.51.100.7", cfg), 0);
	ck_assert_str_eq(cfg->name, "eap-tls");
	ck_assert_int_eq(cfg->remote_class, AUTH_CLASS_EAP);
	ck_assert_str_eq(cfg->local_id, "vpn.example.org");
	ck_assert(cfg->has_child);
	ck_assert_str_eq(cfg->child.name, "eap-tls");
	free(cfg);
	config_free(config);
}
END_TEST

START_TEST(peer_switch_none)
{
	static const char text[] =
		"connections {\n  a {\n    remote {\n      auth = pubkey\n"
		"    }\n  }\n}\n";
	struct ike_config *config = load_config(text);
	struct sockaddr_storage local = addr4("192.0.2.1"), remote = addr4("192.0.2.2");
	struct peer_cfg *cfg = malloc(sizeof(*cfg));

	ck_assert_ptr_nonnull(config);
	ck_assert_int_eq(peer_cfg_switch_eap(config, &local, &remote,
					     "192.0.2.2", cfg), -1);
	free(cfg);
	config_free(config);
}
END_TEST

/* remote.eap_id: %any, or a list as swanctl.conf writes it. */
START_TEST(eap_id_list)
{
	static const char text[] =
		"connections {\n  eap {\n    remote {\n      auth = eap-tls\n"
		"      eap_id = alice@example.org, bob@example.org\n"
		"    }\n  }\n}\n";
	struct ike_config *config = load_config(text);
	struct sockaddr_storage local = addr4("192.0.2.1"), remote = addr4("192.0.2.2");
	struct peer_cfg *cfg = malloc(sizeof(*cfg));

	ck_assert_ptr_nonnull(config);
	ck_assert_int_eq(peer_cfg_select(config, &local, &remote, NULL,
					 "192.0.2.2", cfg), 0);
	ck_assert(peer_eap_id_allowed(cfg, "alice@example.org"));
	ck_assert(peer_eap_id_allowed(cfg, "bob@example.org"));
	ck_assert(!peer_eap_id_allowed(cfg, "mallory@example.org"));
	ck_assert(!peer_eap_id_allowed(cfg, "bob"));
	ck_assert(!peer_eap_id_allowed(cfg, ""));
	snprintf(cfg->eap_id, sizeof(cfg->eap_id), "%%any");
	ck_assert(peer_eap_id_allowed(cfg, "mallory@example.org"));
	free(cfg);
	config_free(config);
}
END_TEST

static Suite *auth_suite(void)
{
	Suite *s = suite_create("ike_auth");
	TCase *tc = tcase_create("auth");

	tcase_add_test(tc, octets_layout);
	tcase_add_test(tc, identity_text);
	tcase_add_test(tc, identity_from_cert);
	tcase_add_test(tc, peer_selection);
	tcase_add_test(tc, peer_selection_none);
	tcase_add_test(tc, peer_switch_to_eap);
	tcase_add_test(tc, peer_switch_none);
	tcase_add_test(tc, eap_id_list);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(auth_suite)
