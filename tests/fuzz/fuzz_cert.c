/* libFuzzer target: certificate and CRL input handed in by peers.  The
 * input is tried as a DER certificate (printed for --list-certs, matched
 * against an identity taken from the input, verified against a store
 * with one CA), as a CRL through the service's parser (DER or PEM,
 * checked against that CA) and as an RFC 7427
 * signature blob (AlgorithmIdentifier parsing). */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <string.h>

#include "authority/certinfo.h"
#include "authority/crl.h"
#include "authority/keysel.h"
#include "authority/sign.h"
#include "authority/verify.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cred_store *store;
static X509 *ca;

static X509 *make_ca(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"Fuzz CA", -1, -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, key);
	X509_sign(x, key, EVP_sha256());
	X509_NAME_free(name);
	return x;
}

static void init(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	char err[128];

	log_set_all_levels(LOG_LEVEL_SILENT);
	ca = make_ca(key);
	store = store_new();
	X509_up_ref(ca);
	store_add_cert(store, ca, NULL);
	store_finish(store, err, sizeof(err));
	EVP_PKEY_free(key);
}

static void fuzz_cert(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	X509 *cert = d2i_X509(NULL, &p, (long)size);
	struct cred_cert entry = { 0 };
	Cygnet__CertInfo *info;
	Cygnet__Identity id = CYGNET__IDENTITY__INIT;
	struct verify_params params = { 0 };
	struct verify_result result;

	if (!cert)
		return;
	entry.x509 = cert;
	info = certinfo_new(&entry);
	certinfo_free(info);
	id.type = size > 0 ? data[size - 1] % 12 : 2;
	id.data.data = (uint8_t *)data;
	id.data.len = size > 40 ? 40 : size;
	identity_matches(cert, &id);
	params.cert = cert;
	params.identity = &id;
	verify_cert(NULL, store, &params, &result);
	X509_free(cert);
}

static void fuzz_crl(const uint8_t *data, size_t size)
{
	X509_CRL *crl = crl_parse(data, size);
	Cygnet__CrlInfo *info;
	char detail[256];

	if (!crl)
		return;
	info = crlinfo_new(crl, "fuzz");
	crlinfo_free(info);
	crl_check_one(crl, ca, ca, detail, sizeof(detail));
	X509_CRL_free(crl);
}

static void fuzz_signature(const uint8_t *data, size_t size)
{
	char scheme[48], why[256];

	sign_verify(X509_get0_pubkey(ca), CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE,
		    (const uint8_t *)"x", 1, data, size, scheme, sizeof(scheme),
		    why, sizeof(why));
	sign_verify(X509_get0_pubkey(ca), CYGNET__AUTH_METHOD__AUTH_ECDSA_256,
		    (const uint8_t *)"x", 1, data, size, scheme, sizeof(scheme),
		    why, sizeof(why));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!store)
		init();
	fuzz_cert(data, size);
	fuzz_crl(data, size);
	fuzz_signature(data, size);
	ERR_clear_error();
	return 0;
}
