/* Revocation by OCSP with `openssl ocsp` as the responder: good, revoked,
 * cached answers, a forged responder, and the fall back to CRLs. */
#include "pki.h"
#include "testmain.h"

#include "authority/ocsp.h"
#include "authority/verify.h"

#define STRICT CYGNET__REVOCATION_POLICY__REVOCATION_STRICT

static pid_t responder, rogue_responder;
static int rogue_port;

static pid_t start_responder(int port, const char *signer, const char *key)
{
	char portbuf[16], index[300], rsigner[300], rkey[300], ca[300];

	snprintf(portbuf, sizeof(portbuf), "%d", port);
	pki_path(index, sizeof(index), "inter/index.txt");
	pki_path(rsigner, sizeof(rsigner), signer);
	pki_path(rkey, sizeof(rkey), key);
	pki_path(ca, sizeof(ca), "inter/ca.crt");
	char *argv[] = { "/usr/bin/openssl", "ocsp", "-index", index, "-port", portbuf,
			 "-rsigner", rsigner, "-rkey", rkey, "-CA", ca, "-nmin", "5", NULL };
	return pki_spawn(argv, port);
}

static void setup(void)
{
	pki_generate(__FILE__);
	pki_httpd_start();
	responder = start_responder(pki.ocsp_port, "peer/ocsp.crt", "peer/ocsp.key");
	rogue_port = pki_free_port();
	rogue_responder = start_responder(rogue_port, "rogue/ca.crt", "rogue/ca.key");
}

static void teardown(void)
{
	pki_kill(&responder);
	pki_kill(&rogue_responder);
	pki_remove();
}

static Cygnet__CertStatus verify(struct ocsp_client *o, struct crl_fetcher *f,
				 struct cred_store *store, const char *file,
				 struct verify_result *r)
{
	struct verify_params p = { 0 };

	p.cert = pki_cert(file);
	p.revocation = STRICT;
	p.wait_ms = 3000;
	p.ocsp = o;
	verify_cert(f, store, &p, r);
	X509_free(p.cert);
	return r->status;
}

START_TEST(t_good_and_cached)
{
	struct cred_store *store = pki_store(NULL);
	struct ocsp_client *o = ocsp_client_new();
	struct crl_fetcher *f = pki_fetcher(4, "good");
	struct verify_result r;

	pki_log_start();
	ck_assert_int_eq(verify(o, f, store, "peer/client.crt", &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	ck_assert(pki_logged("  requesting ocsp status from 'http://127.0.0.1:"));
	/* the responder signs as the intermediate's delegated signer */
	ck_assert(pki_logged("  ocsp response correctly signed by \"C=CH, O=Cygnet Test, "
			     "CN=ocsp-signer\""));
	ck_assert(pki_logged("  ocsp response is valid: until "));
	/* OCSP answered: the client's CRL was not needed */
	ck_assert(!pki_logged("inter.crl"));
	pki_log_start();
	ck_assert_int_eq(verify(o, f, store, "peer/client.crt", &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	ck_assert(!pki_logged("requesting ocsp status"));
	crl_fetcher_free(f);
	ocsp_client_free(o);
	store_unref(store);
}
END_TEST

START_TEST(t_revoked)
{
	struct cred_store *store = pki_store(NULL);
	struct ocsp_client *o = ocsp_client_new();
	struct crl_fetcher *f = pki_fetcher(4, "revoked");
	struct verify_result r;

	pki_log_start();
	ck_assert_int_eq(verify(o, f, store, "peer/revoked.crt", &r),
			 CYGNET__CERT_STATUS__CERT_REVOKED);
	ck_assert_ptr_nonnull(strstr(r.reason, "reason: key compromise"));
	ck_assert(pki_logged("requesting ocsp status"));
	ck_assert(!pki_logged("inter.crl"));
	crl_fetcher_free(f);
	ocsp_client_free(o);
	store_unref(store);
}
END_TEST

START_TEST(t_forged_responder)
{
	char conf[512];
	struct cred_store *store;
	struct ocsp_client *o = ocsp_client_new();
	struct verify_result r;

	snprintf(conf, sizeof(conf), "authorities { inter { cacert = interCert.der\n"
		 "ocsp_uris = http://127.0.0.1:%d } }", rogue_port);
	store = pki_store(conf);
	pki_log_start();
	/* inocdp names no responder and no CRL; the authority's responder lies */
	ck_assert_int_eq(verify(o, NULL, store, "peer/inocdp.crt", &r),
			 CYGNET__CERT_STATUS__CERT_REVOCATION_UNKNOWN);
	ck_assert(pki_logged("ocsp response signature verification failed"));
	ocsp_client_free(o);
	store_unref(store);
}
END_TEST

START_TEST(t_responder_down_falls_back_to_crl)
{
	struct cred_store *store = pki_store(NULL);
	struct ocsp_client *o = ocsp_client_new();
	struct crl_fetcher *f = pki_fetcher(4, "down");
	struct verify_result r;

	pki_kill(&responder);
	pki_log_start();
	ck_assert_int_eq(verify(o, f, store, "peer/eclient.crt", &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	ck_assert(pki_logged("ocsp request to"));
	ck_assert(pki_logged("inter.crl"));
	ck_assert_int_eq(verify(o, f, store, "peer/revoked.crt", &r),
			 CYGNET__CERT_STATUS__CERT_REVOKED);
	crl_fetcher_free(f);
	ocsp_client_free(o);
	store_unref(store);
}
END_TEST

static Suite *ocsp_suite(void)
{
	Suite *s = suite_create("authority_ocsp");
	TCase *tc = tcase_create("ocsp");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, t_good_and_cached);
	tcase_add_test(tc, t_revoked);
	tcase_add_test(tc, t_forged_responder);
	tcase_add_test(tc, t_responder_down_falls_back_to_crl);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(ocsp_suite)
