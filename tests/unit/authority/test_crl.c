/* Revocation by CRL: fetched over HTTP from a busybox httpd on loopback,
 * checked for signature and issuer, cached, and judged per policy. */
#include <openssl/sha.h>
#include <time.h>

#include "pki.h"
#include "testmain.h"

#include "authority/certinfo.h"
#include "authority/crl.h"
#include "authority/verify.h"

#define RELAXED CYGNET__REVOCATION_POLICY__REVOCATION_RELAXED
#define IFURI CYGNET__REVOCATION_POLICY__REVOCATION_IFURI
#define STRICT CYGNET__REVOCATION_POLICY__REVOCATION_STRICT

static char cache_dir[300];

static void setup(void)
{
	pki_generate(__FILE__);
	pki_httpd_start();
	pki_path(cache_dir, sizeof(cache_dir), "crlcache");
}

static void teardown(void)
{
	pki_remove();
}

static Cygnet__CertStatus verify(struct crl_fetcher *f, struct cred_store *store,
				 const char *file, Cygnet__RevocationPolicy policy,
				 long wait_ms, struct verify_result *r)
{
	struct verify_params p = { 0 };

	p.cert = pki_cert(file);
	p.revocation = policy;
	p.wait_ms = wait_ms;
	verify_cert(f, store, &p, r);
	X509_free(p.cert);
	return r->status;
}

START_TEST(t_revoked)
{
	struct cred_store *store = pki_store(NULL);
	struct crl_fetcher *f = pki_fetcher(4, "t_revoked");
	struct verify_result r;

	pki_log_start();
	ck_assert_int_eq(verify(f, store, "peer/revoked.crt", RELAXED, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_REVOKED);
	ck_assert_ptr_nonnull(strstr(r.reason, "reason: key compromise"));
	ck_assert(pki_logged("  fetching crl from 'http://127.0.0.1:"));
	ck_assert(pki_logged("  crl correctly signed by \"C=CH, O=Cygnet Test, "
			     "CN=Cygnet Intermediate CA\""));
	ck_assert(pki_logged("certificate was revoked on "));
	ck_assert(pki_logged(", reason: key compromise"));
	crl_fetcher_free(f);
	store_unref(store);
}
END_TEST

START_TEST(t_good_strict)
{
	struct cred_store *store = pki_store(NULL);
	struct crl_fetcher *f = pki_fetcher(4, "t_good_strict");
	struct verify_result r;
	struct crl_stats stats;

	pki_log_start();
	ck_assert_int_eq(verify(f, store, "peer/eclient.crt", STRICT, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	static const char *const charon_order[] = {
		"  using trusted intermediate ca certificate \"",
		"checking certificate status of \"C=CH, O=Cygnet Test, CN=",
		"  crl correctly signed by \"",
		"  crl is valid: until ",
		"[CFG] certificate status is good",
		"  using trusted ca certificate \"",
		"  reached self-signed root ca with a path length of 1",
	};
	pki_assert_log_order(charon_order, sizeof(charon_order) / sizeof(charon_order[0]));
	crl_fetcher_stats(f, &stats);
	/* the client's CRL and the intermediate's (from the root) */
	ck_assert_uint_eq(stats.fetch_ok, 2);
	ck_assert_uint_eq(stats.cached, 2);
	/* a second verification is served from memory */
	ck_assert_int_eq(verify(f, store, "peer/eclient.crt", STRICT, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	crl_fetcher_stats(f, &stats);
	ck_assert_uint_eq(stats.fetch_ok, 2);
	crl_fetcher_free(f);
	store_unref(store);
}
END_TEST

static struct cred_store *store_with_inter_crl(const char *uri)
{
	char conf[512];

	snprintf(conf, sizeof(conf), "authorities { inter { cacert = interCert.der\n"
		 "crl_uris = %s } }", uri);
	return pki_store(conf);
}

START_TEST(t_forged_crl)
{
	char uri[128];
	struct cred_store *store;
	struct crl_fetcher *f = pki_fetcher(4, "t_forged_crl");
	struct verify_result r;

	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/forged.crl", pki.crl_port);
	store = store_with_inter_crl(uri);
	pki_log_start();
	ck_assert_int_eq(verify(f, store, "peer/inocdp.crt", STRICT, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_REVOCATION_UNKNOWN);
	ck_assert_ptr_nonnull(strstr(r.reason, "signature verification"));
	ck_assert(pki_logged("crl response verification failed"));
	ck_assert_int_eq(verify(f, store, "peer/inocdp.crt", IFURI, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_REVOCATION_UNKNOWN);
	ck_assert_int_eq(verify(f, store, "peer/inocdp.crt", RELAXED, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	crl_fetcher_free(f);
	store_unref(store);
}
END_TEST

START_TEST(t_server_down)
{
	char uri[128];
	struct cred_store *store;
	struct crl_fetcher *f = pki_fetcher(4, "t_server_down");
	struct verify_result r;

	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/inter.crl", pki_free_port());
	store = store_with_inter_crl(uri);
	ck_assert_int_eq(verify(f, store, "peer/inocdp.crt", STRICT, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_REVOCATION_UNKNOWN);
	ck_assert_int_eq(verify(f, store, "peer/inocdp.crt", IFURI, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_REVOCATION_UNKNOWN);
	ck_assert_int_eq(verify(f, store, "peer/inocdp.crt", RELAXED, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	/* no URI at all: ifuri accepts, strict does not */
	ck_assert_int_eq(verify(f, store, "peer/nocdp.crt", IFURI, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	ck_assert_int_eq(verify(f, store, "peer/nocdp.crt", STRICT, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_REVOCATION_UNKNOWN);
	crl_fetcher_free(f);
	store_unref(store);
}
END_TEST

/* A server that accepts connections and never answers. */
static int silent_server(int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	getsockname(fd, (struct sockaddr *)&sin, &len);
	*port = ntohs(sin.sin_port);
	return fd;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct slow_arg {
	struct crl_fetcher *f;
	struct cred_store *store;
	struct verify_result r;
	double elapsed;
};

static void *slow_verify(void *p)
{
	struct slow_arg *a = p;
	double start = now_s();

	verify(a->f, a->store, "peer/inocdp.crt", STRICT, 1500, &a->r);
	a->elapsed = now_s() - start;
	return NULL;
}

START_TEST(t_slow_server_bounded)
{
	char uri[128];
	int port;
	int fd = silent_server(&port);
	struct cred_store *store;
	struct crl_fetcher *f = pki_fetcher(2, "t_slow_server_bounded");	/* at most one waiter */
	struct slow_arg first = { 0 }, second = { 0 };
	pthread_t t1, t2;
	struct verify_result r;

	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/inter.crl", port);
	store = store_with_inter_crl(uri);
	first.f = second.f = f;
	first.store = second.store = store;
	pki_log_start();
	pthread_create(&t1, NULL, slow_verify, &first);
	usleep(200000);
	pthread_create(&t2, NULL, slow_verify, &second);
	pthread_join(t2, NULL);
	pthread_join(t1, NULL);
	/* one waits its full revocation_wait, the other may not wait */
	ck_assert_int_eq(first.r.status, CYGNET__CERT_STATUS__CERT_REVOCATION_UNKNOWN);
	ck_assert(first.elapsed >= 1.4 || second.elapsed >= 1.4);
	ck_assert_int_eq(second.r.status, CYGNET__CERT_STATUS__CERT_REVOCATION_UNKNOWN);
	ck_assert(pki_logged("  not waiting for crl from 'http://127.0.0.1:"));
	/* the silent server still holds its transfer; other CRLs get fetched
	 * meanwhile on the same fetch thread */
	ck_assert_int_eq(verify(f, store, "peer/peer.crt", STRICT, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	crl_fetcher_free(f);
	store_unref(store);
	close(fd);
}
END_TEST

START_TEST(t_disk_cache)
{
	struct cred_store *store = pki_store(NULL);
	struct crl_fetcher *f = pki_fetcher(4, "t_disk_cache");
	struct verify_result r;
	Cygnet__CrlInfo *infos[4];
	size_t n;

	ck_assert_int_eq(verify(f, store, "peer/eclient.crt", STRICT, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	crl_fetcher_free(f);
	/* the server goes away; a new fetcher still knows the CRLs */
	pki_kill(&pki.httpd);
	f = pki_fetcher(4, "t_disk_cache");
	ck_assert_int_eq(verify(f, store, "peer/revoked.crt", STRICT, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_REVOKED);
	ck_assert_int_eq(verify(f, store, "peer/eclient.crt", STRICT, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	n = crl_fetcher_list(f, infos, 4);
	ck_assert_uint_eq(n, 2);
	for (size_t i = 0; i < n; i++) {
		if (strstr(infos[i]->issuer, "Intermediate")) {
			ck_assert_uint_eq(infos[i]->n_revoked, 1);
			ck_assert_str_eq(infos[i]->revoked[0]->reason, "key compromise");
			ck_assert_int_gt(infos[i]->next_update, time(NULL));
		}
		crlinfo_free(infos[i]);
	}
	crl_fetcher_free(f);
	store_unref(store);
}
END_TEST

START_TEST(t_file_uri)
{
	char uri[400];
	struct cred_store *store;
	struct crl_fetcher *f = pki_fetcher(4, "t_file_uri");
	struct verify_result r;

	snprintf(uri, sizeof(uri), "file://%s/inter/crl.pem", pki.dir);
	store = store_with_inter_crl(uri);
	ck_assert_int_eq(verify(f, store, "peer/inocdp.crt", STRICT, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	crl_fetcher_free(f);
	store_unref(store);
}
END_TEST

/* A certificate naming a file:// CRL is not followed there. */
START_TEST(t_cert_file_uri_ignored)
{
	char cmd[3000];
	struct cred_store *store = pki_store(NULL);
	struct crl_fetcher *f = pki_fetcher(4, "t_cert_file_uri_ignored");
	struct verify_result r;

	snprintf(cmd, sizeof(cmd), "cd %1$s && printf 'crlDistributionPoints = "
		 "URI:file://%1$s/inter/crl.pem\n' > filecdp.ext && "
		 "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		 "-keyout peer/filecdp.key -subj '/CN=filecdp' -out filecdp.csr 2>/dev/null && "
		 "openssl x509 -req -in filecdp.csr -CA inter/ca.crt -CAkey inter/ca.key "
		 "-CAcreateserial -days 30 -extfile filecdp.ext -out peer/filecdp.crt 2>/dev/null",
		 pki.dir);
	ck_assert_int_eq(system(cmd), 0);
	pki_log_start();
	ck_assert_int_eq(verify(f, store, "peer/filecdp.crt", STRICT, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_REVOCATION_UNKNOWN);
	ck_assert(!pki_logged("file://"));
	crl_fetcher_free(f);
	store_unref(store);
}
END_TEST

static time_t inter_next_update(struct crl_fetcher *f)
{
	Cygnet__CrlInfo *infos[4];
	size_t n = crl_fetcher_list(f, infos, 4);
	time_t next = 0;

	for (size_t i = 0; i < n; i++) {
		if (strstr(infos[i]->issuer, "Intermediate"))
			next = infos[i]->next_update;
		crlinfo_free(infos[i]);
	}
	return next;
}

/* A cached CRL close to its nextUpdate is fetched again before it
 * expires, without a request asking for it. */
START_TEST(t_refresh_before_expiry)
{
	char cmd[3000], uri[128], path[600], hex[41];
	unsigned char hash[20];
	struct cred_store *store = pki_store(NULL);
	struct crl_fetcher *f;
	struct verify_result r;
	time_t next;

	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/inter.crl", pki.crl_port);
	SHA1((const unsigned char *)uri, strlen(uri), hash);
	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", hash[i]);
	snprintf(path, sizeof(path), "%s-refresh/%s.crl", cache_dir, hex);
	snprintf(cmd, sizeof(cmd), "cd %1$s && mkdir -p %2$s-refresh && "
		 "OPENSSL_CONF=%1$s/openssl.cnf CADIR=inter SAN=x openssl ca -gencrl "
		 "-name ca_default -cert inter/ca.crt -keyfile inter/ca.key -crlsec 40 "
		 "-out short.pem 2>/dev/null && openssl crl -in short.pem -outform DER "
		 "-out %3$s", pki.dir, cache_dir, path);
	ck_assert_int_eq(system(cmd), 0);
	f = pki_fetcher(4, "refresh");
	pki_log_start();
	/* the cached CRL is current: the request itself needs no fetch */
	ck_assert_int_eq(verify(f, store, "peer/eclient.crt", STRICT, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	next = inter_next_update(f);
	for (int i = 0; i < 50 && next <= time(NULL) + 3600; i++) {
		usleep(100000);
		next = inter_next_update(f);
	}
	ck_assert_int_gt(next, time(NULL) + 3600);
	ck_assert(pki_logged("  fetching crl from 'http://127.0.0.1:"));
	ck_assert(pki_logged("/inter.crl' ..."));
	crl_fetcher_free(f);
	store_unref(store);
}
END_TEST

/* A CRL in x509crl/ needs no fetch. */
START_TEST(t_loaded_crl)
{
	char src[400], dst[400], cmd[900];
	struct cred_store *store;
	struct verify_result r;

	pki_path(src, sizeof(src), "inter/crl.pem");
	pki_path(dst, sizeof(dst), "swanctl/x509crl/inter.pem");
	snprintf(cmd, sizeof(cmd), "cp %s %s", src, dst);
	ck_assert_int_eq(system(cmd), 0);
	store = pki_store(NULL);
	ck_assert_uint_eq(store->n_crls, 1);
	ck_assert_int_eq(verify(NULL, store, "peer/revoked.crt", RELAXED, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_REVOKED);
	ck_assert_int_eq(verify(NULL, store, "peer/inocdp.crt", RELAXED, 3000, &r),
			 CYGNET__CERT_STATUS__CERT_TRUSTED);
	unlink(dst);
	store_unref(store);
}
END_TEST

static Suite *crl_suite(void)
{
	Suite *s = suite_create("authority_crl");
	TCase *tc = tcase_create("crl");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_revoked);
	tcase_add_test(tc, t_good_strict);
	tcase_add_test(tc, t_forged_crl);
	tcase_add_test(tc, t_server_down);
	tcase_add_test(tc, t_slow_server_bounded);
	tcase_add_test(tc, t_file_uri);
	tcase_add_test(tc, t_loaded_crl);
	tcase_add_test(tc, t_refresh_before_expiry);
	tcase_add_test(tc, t_cert_file_uri_ignored);
	tcase_add_test(tc, t_disk_cache);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(crl_suite)
