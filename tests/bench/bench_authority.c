/* cygnet-authority micro-benchmarks, in process: AUTH signatures per
 * second for each key type (the classic method, RFC 7427 for Ed25519) and
 * complete EAP-TLS handshakes per second (TLS 1.2 and 1.3, ECDSA P-256
 * server and client certificates, 1024-byte fragments), both server and
 * client side running on this one thread.
 *
 * Rates are given per second of this thread's CPU time (comparable with
 * `openssl speed`, which also counts CPU time) and per wall-clock second,
 * which drops when other processes share the cores. */
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authority/eap_server.h"
#include "authority/sign.h"
#include "log.h"
#include "../unit/authority/eap_tls_peer.h"

#define SECONDS 2.0

static double clock_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static double cpu_s(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static void bench_sign(const char *label, EVP_PKEY *key)
{
	static const uint32_t identity[] = { HASH_IDENTITY };
	uint8_t octets[512];
	struct auth_signature sig;
	char why[256];
	bool ed = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519;
	double start = now_s(), cpu = cpu_s(), elapsed;
	long n = 0;

	memset(octets, 0xab, sizeof(octets));
	do {
		if (sign_create(key, CYGNET__AUTH_METHOD__AUTH_METHOD_NONE, ed ? identity : NULL,
				ed ? 1 : 0, octets, sizeof(octets), &sig, why, sizeof(why)) < 0) {
			fprintf(stderr, "signing with %s failed: %s\n", label, why);
			exit(1);
		}
		OPENSSL_free(sig.data);
		n++;
		elapsed = cpu_s() - cpu;
	} while (elapsed < SECONDS);
	printf("sign %-12s %10.0f signatures/s CPU  %10.0f /s wall  (%s)\n", label,
	       n / elapsed, n / (now_s() - start), sig.scheme);
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
		       bool ca)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn,
				   -1, -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(now_s() * 1000) & 0xffffff);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
				  ca ? "critical,CA:true" : "CA:false");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
	X509_NAME_free(name);
	return x;
}

struct bench_pki {
	struct cred_store *store;
	EVP_PKEY *ca_key, *client_key;
	X509 *ca, *client;
};

static void make_pki(struct bench_pki *p)
{
	EVP_PKEY *server_key = EVP_EC_gen("P-256");
	char err[128];

	p->ca_key = EVP_EC_gen("P-256");
	p->client_key = EVP_EC_gen("P-256");
	p->ca = make_cert(p->ca_key, "Bench CA", NULL, NULL, true);
	p->client = make_cert(p->client_key, "client", p->ca, p->ca_key, false);
	p->store = store_new();
	X509_up_ref(p->ca);
	store_add_cert(p->store, p->ca, NULL);
	store_add_cert(p->store, make_cert(server_key, "server", p->ca, p->ca_key, false),
		       "server.pem");
	store_add_key(p->store, server_key);
	if (store_finish(p->store, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
}

/* The tests' EAP-TLS peer, with the bench's in-memory client credentials. */
static void peer_init(struct eap_peer *c, const struct bench_pki *p, int version)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	SSL_CTX_set_min_proto_version(ctx, version);
	SSL_CTX_set_max_proto_version(ctx, version);
	SSL_CTX_use_certificate(ctx, p->client);
	SSL_CTX_use_PrivateKey(ctx, p->client_key);
	X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), p->ca);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	eap_peer_start(c, ctx, 1024);
}

static bool handshake(const struct bench_pki *p, int version)
{
	struct tls_server_params params = { 0 };
	struct eap_outcome out;
	struct eap_server *s;
	struct eap_peer c;
	uint8_t resp[EAP_PACKET_MAX];
	char why[256];
	bool ok;

	params.store = p->store;
	params.server_cert = store_find_cert_by_name(p->store, "server.pem");
	s = eap_server_new(&params, 1024, 65536, 1, why, sizeof(why));
	peer_init(&c, p, version);
	eap_server_start(s, &out);
	for (int i = 0; i < 50 && out.state == CYGNET__EAP_TLS_STATE__EAP_TLS_CONTINUE; i++) {
		long len = eap_peer_respond(&c, out.packet, out.len, resp, sizeof(resp));

		eap_outcome_clear(&out);
		eap_server_process(s, resp, len > 0 ? (size_t)len : 0, &out);
	}
	ok = out.state == CYGNET__EAP_TLS_STATE__EAP_TLS_SUCCESS;
	eap_outcome_clear(&out);
	eap_peer_free(&c);
	eap_server_free(s);
	return ok;
}

static void bench_eap(const struct bench_pki *p, int version, const char *label)
{
	double start = now_s(), cpu = cpu_s(), elapsed;
	long n = 0;

	do {
		if (!handshake(p, version)) {
			fprintf(stderr, "EAP-TLS %s handshake failed\n", label);
			exit(1);
		}
		n++;
		elapsed = cpu_s() - cpu;
	} while (elapsed < SECONDS);
	printf("eap-tls %-9s %8.1f handshakes/s CPU  %8.1f /s wall  (server and client "
	       "on one thread)\n", label, n / elapsed, n / (now_s() - start));
}

int main(void)
{
	struct {
		const char *label;
		EVP_PKEY *key;
	} keys[] = {
		{ "ECDSA-256", EVP_EC_gen("P-256") },
		{ "ECDSA-384", EVP_EC_gen("P-384") },
		{ "ECDSA-521", EVP_EC_gen("P-521") },
		{ "RSA-2048", EVP_RSA_gen(2048) },
		{ "RSA-3072", EVP_RSA_gen(3072) },
		{ "ED25519", EVP_PKEY_Q_keygen(NULL, NULL, "ED25519") },
	};
	struct bench_pki pki;

	log_set_all_levels(LOG_LEVEL_SILENT);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		bench_sign(keys[i].label, keys[i].key);
		EVP_PKEY_free(keys[i].key);
	}
	make_pki(&pki);
	bench_eap(&pki, TLS1_2_VERSION, "TLS 1.2");
	bench_eap(&pki, TLS1_3_VERSION, "TLS 1.3");
	store_unref(pki.store);
	X509_free(pki.ca);
	X509_free(pki.client);
	EVP_PKEY_free(pki.ca_key);
	EVP_PKEY_free(pki.client_key);
	return 0;
}
