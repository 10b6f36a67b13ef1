/* Chain verification and identity matching, without revocation fetches. */
#include "pki.h"
#include "testmain.h"

#include "authority/verify.h"

#define ROOT_DN "C=CH, O=Cygnet Test, CN=Cygnet Root CA"
#define INTER_DN "C=CH, O=Cygnet Test, CN=Cygnet Intermediate CA"

static struct cred_store *store;

static void setup(void)
{
	pki_generate(__FILE__);
	store = pki_store(NULL);
}

static void teardown(void)
{
	store_unref(store);
	pki_remove();
}

/* Verifies peer/<name>.crt (optionally with the intermediate sent along)
 * under policy, returns the status. */
static Cygnet__CertStatus verify(const char *file, bool send_inter,
				 const Cygnet__Identity *id,
				 Cygnet__RevocationPolicy policy, char **cacerts,
				 size_t n_cacerts, const char *eku,
				 struct verify_result *r)
{
	struct verify_params p = { 0 };

	p.cert = pki_cert(file);
	p.untrusted = sk_X509_new_null();
	if (send_inter)
		sk_X509_push(p.untrusted, pki_cert("inter/ca.crt"));
	p.identity = id;
	p.revocation = policy;
	p.cacerts = cacerts;
	p.n_cacerts = n_cacerts;
	p.required_eku = eku;
	p.wait_ms = 100;
	verify_cert(NULL, store, &p, r);
	X509_free(p.cert);
	sk_X509_pop_free(p.untrusted, X509_free);
	return r->status;
}

#define RELAXED CYGNET__REVOCATION_POLICY__REVOCATION_RELAXED
#define IFURI CYGNET__REVOCATION_POLICY__REVOCATION_IFURI
#define STRICT CYGNET__REVOCATION_POLICY__REVOCATION_STRICT

/* The common case: no intermediate sent, relaxed, no constraints. */
static Cygnet__CertStatus verify_as(const char *file, const Cygnet__Identity *id,
				    struct verify_result *r)
{
	return verify(file, false, id, RELAXED, NULL, 0, NULL, r);
}

START_TEST(t_valid_chain)
{
	struct verify_result r;

	pki_log_start();
	ck_assert_int_eq(verify_as("peer/peer.crt", NULL, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	ck_assert_uint_eq(r.n_path, 2);
	ck_assert_str_eq(r.path[0], "C=CH, O=Cygnet Test, CN=peer");
	ck_assert_str_eq(r.path[1], ROOT_DN);
	static const char *const seed_order[] = {
		"  using certificate \"C=CH, O=Cygnet Test, CN=peer\"",
		"  using trusted ca certificate \"" ROOT_DN "\"",
		"checking certificate status of \"C=CH, O=Cygnet Test, CN=peer\"",
		"  reached self-signed root ca with a path length of 0",
	};
	pki_assert_log_order(seed_order, sizeof(seed_order) / sizeof(seed_order[0]));
}
END_TEST

START_TEST(t_intermediate)
{
	struct verify_result r;

	pki_log_start();
	ck_assert_int_eq(verify("peer/client.crt", true, NULL, RELAXED, NULL, 0, NULL, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	ck_assert_uint_ge(r.n_path, 2);
	ck_assert_str_eq(r.path[1], INTER_DN);
	/* the intermediate is in x509ca/ too: found without the peer sending it */
	ck_assert_int_eq(verify_as("peer/client.crt", NULL, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
}
END_TEST

/* Certificates rejected before any trust path: status and reason. */
static const struct {
	const char *file;
	Cygnet__CertStatus status;
	const char *reason;
} rejected[] = {
	{ "peer/expired.crt", CYGNET__CERT_STATUS__CERT_EXPIRED, "expired" },
	{ "peer/future.crt", CYGNET__CERT_STATUS__CERT_NOT_YET_VALID, "not yet valid" },
	{ "peer/rogue.crt", CYGNET__CERT_STATUS__CERT_UNTRUSTED_CHAIN,
	  "unable to get local issuer certificate" },
};

START_TEST(t_rejected)
{
	struct verify_result r;

	ck_assert_int_eq(verify_as(rejected[_i].file, NULL, &r), rejected[_i].status);
	ck_assert_msg(strstr(r.reason, rejected[_i].reason) != NULL, "%s: %s",
		      rejected[_i].file, r.reason);
	ck_assert_uint_eq(r.n_path, 0);
}
END_TEST

START_TEST(t_path_length)
{
	struct verify_params p = { 0 };
	struct verify_result r;

	/* deep <- Sub CA <- Intermediate (pathlen:0) <- Root */
	p.cert = pki_cert("peer/deep.crt");
	p.untrusted = sk_X509_new_null();
	sk_X509_push(p.untrusted, pki_cert("sub/ca.crt"));
	verify_cert(NULL, store, &p, &r);
	ck_assert_int_eq(r.status, CYGNET__CERT_STATUS__CERT_CONSTRAINT_VIOLATED);
	X509_free(p.cert);
	sk_X509_pop_free(p.untrusted, X509_free);
}
END_TEST

static Cygnet__Identity text_id(uint32_t type, const char *text)
{
	Cygnet__Identity id = CYGNET__IDENTITY__INIT;

	id.type = type;
	id.data.data = (uint8_t *)text;
	id.data.len = strlen(text);
	id.text = (char *)text;
	return id;
}

START_TEST(t_identity)
{
	struct verify_result r;
	Cygnet__Identity fqdn = text_id(2, "peer.example.org");
	Cygnet__Identity fqdn_upper = text_id(2, "PEER.example.org");
	Cygnet__Identity other = text_id(2, "vpn.example.org");
	Cygnet__Identity email = text_id(3, "client@example.org");
	Cygnet__Identity ip = CYGNET__IDENTITY__INIT;
	Cygnet__Identity dn = CYGNET__IDENTITY__INIT;
	uint8_t addr[4] = { 192, 0, 2, 1 };
	X509 *peer = pki_cert("peer/peer.crt");
	unsigned char *der = NULL;
	int len = i2d_X509_NAME(X509_get_subject_name(peer), &der);

	ck_assert_int_eq(verify_as("peer/peer.crt", &fqdn, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	ck_assert_int_eq(verify_as("peer/peer.crt", &fqdn_upper, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	ck_assert_int_eq(verify_as("peer/peer.crt", &other, &r),
			 CYGNET__CERT_STATUS__CERT_IDENTITY_MISMATCH);
	ck_assert_int_eq(verify_as("peer/client.crt", &email, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	ck_assert_int_eq(verify_as("peer/peer.crt", &email, &r),
			 CYGNET__CERT_STATUS__CERT_IDENTITY_MISMATCH);
	ip.type = 1;
	ip.data.data = addr;
	ip.data.len = sizeof(addr);
	ck_assert_int_eq(verify_as("peer/peer.crt", &ip, &r),
			 CYGNET__CERT_STATUS__CERT_IDENTITY_MISMATCH);
	dn.type = 9;
	dn.data.data = der;
	dn.data.len = (size_t)len;
	ck_assert_int_eq(verify_as("peer/peer.crt", &dn, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	ck_assert_int_eq(verify_as("peer/client.crt", &dn, &r),
			 CYGNET__CERT_STATUS__CERT_IDENTITY_MISMATCH);
	OPENSSL_free(der);
	X509_free(peer);
}
END_TEST

START_TEST(t_cacerts_constraint)
{
	struct verify_result r;
	char *inter[] = { INTER_DN };
	char *root_file[] = { "rootCert.pem" };

	ck_assert_int_eq(verify("peer/client.crt", true, NULL, RELAXED, inter, 1, NULL, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	ck_assert_int_eq(verify("peer/peer.crt", false, NULL, RELAXED, inter, 1, NULL, &r),
			 CYGNET__CERT_STATUS__CERT_CA_NOT_ALLOWED);
	ck_assert_int_eq(verify("peer/peer.crt", false, NULL, RELAXED, root_file, 1, NULL, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
}
END_TEST

START_TEST(t_eku)
{
	struct verify_result r;

	ck_assert_int_eq(verify("peer/client.crt", false, NULL, RELAXED, NULL, 0,
				"clientAuth", &r), CYGNET__CERT_STATUS__CERT_TRUSTED);
	ck_assert_int_eq(verify("peer/client.crt", false, NULL, RELAXED, NULL, 0,
				"serverAuth", &r), CYGNET__CERT_STATUS__CERT_CONSTRAINT_VIOLATED);
	ck_assert_int_eq(verify("peer/peer.crt", false, NULL, RELAXED, NULL, 0,
				"1.3.6.1.5.5.7.3.1", &r), CYGNET__CERT_STATUS__CERT_TRUSTED);
}
END_TEST

/* Without a fetcher no CRL is available: the policies decide. */
START_TEST(t_policy_without_status)
{
	struct verify_result r;

	ck_assert_int_eq(verify("peer/peer.crt", false, NULL, STRICT, NULL, 0, NULL, &r),
			 CYGNET__CERT_STATUS__CERT_REVOCATION_UNKNOWN);
	ck_assert_int_eq(verify("peer/peer.crt", false, NULL, IFURI, NULL, 0, NULL, &r),
			 CYGNET__CERT_STATUS__CERT_REVOCATION_UNKNOWN);
	ck_assert_int_eq(verify("peer/nocdp.crt", false, NULL, IFURI, NULL, 0, NULL, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	ck_assert_int_eq(verify("peer/nocdp.crt", false, NULL, STRICT, NULL, 0, NULL, &r),
			 CYGNET__CERT_STATUS__CERT_REVOCATION_UNKNOWN);
}
END_TEST

static Suite *verify_suite(void)
{
	Suite *s = suite_create("authority_verify");
	TCase *tc = tcase_create("verify");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_valid_chain);
	tcase_add_test(tc, t_intermediate);
	tcase_add_loop_test(tc, t_rejected, 0, sizeof(rejected) / sizeof(rejected[0]));
	tcase_add_test(tc, t_path_length);
	tcase_add_test(tc, t_identity);
	tcase_add_test(tc, t_cacerts_constraint);
	tcase_add_test(tc, t_eku);
	tcase_add_test(tc, t_policy_without_status);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(verify_suite)
