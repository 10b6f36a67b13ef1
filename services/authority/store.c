#include "authority/store.h"

#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "authority/x509name.h"
#include "log.h"

struct cred_store *store_new(void)
{
	struct cred_store *store = calloc(1, sizeof(*store));

	if (store)
		atomic_init(&store->refs, 1);
	return store;
}

void store_ref(struct cred_store *store)
{
	atomic_fetch_add(&store->refs, 1);
}

static void store_free(struct cred_store *store)
{
	for (size_t i = 0; i < store->n_certs; i++) {
		X509_free(store->certs[i].x509);
		free(store->certs[i].file);
	}
	free(store->certs);
	for (size_t i = 0; i < store->n_keys; i++)
		EVP_PKEY_free(store->keys[i]);	/* OpenSSL clears key material */
	free(store->keys);
	for (size_t i = 0; i < store->n_crls; i++)
		X509_CRL_free(store->crls[i]);
	free(store->crls);
	for (size_t i = 0; i < store->n_auths; i++) {
		free(store->auths[i].name);
		strings_free(store->auths[i].crl_uris, store->auths[i].n_crl_uris);
		strings_free(store->auths[i].ocsp_uris, store->auths[i].n_ocsp_uris);
		free(store->auths[i].crl_uris);
		free(store->auths[i].ocsp_uris);
	}
	free(store->auths);
	for (size_t i = 0; i < store->n_secrets; i++) {
		free(store->secrets[i].file);
		if (store->secrets[i].passphrase) {
			OPENSSL_cleanse(store->secrets[i].passphrase,
					strlen(store->secrets[i].passphrase));
			free(store->secrets[i].passphrase);
		}
	}
	free(store->secrets);
	X509_STORE_free(store->trust);
	free(store);
}

void store_unref(struct cred_store *store)
{
	if (store && atomic_fetch_sub(&store->refs, 1) == 1)
		store_free(store);
}

static bool cert_is_ca(X509 *x509)
{
	return X509_check_ca(x509) > 0;
}

X509 *store_add_cert(struct cred_store *store, X509 *x509, const char *file)
{
	const struct cred_cert *known = store_find_cert_by_x509(store, x509);
	struct cred_cert *certs;
	struct cred_cert *cert;

	if (known) {
		X509_free(x509);
		return known->x509;
	}
	certs = realloc(store->certs, (store->n_certs + 1) * sizeof(*certs));
	if (!certs) {
		X509_free(x509);
		return NULL;
	}
	store->certs = certs;
	cert = &certs[store->n_certs];
	memset(cert, 0, sizeof(*cert));
	if (dn_format(X509_get_subject_name(x509), cert->subject,
		      sizeof(cert->subject)) < 0 ||
	    pubkey_keyid(X509_get0_pubkey(x509), cert->keyid) < 0) {
		DBG1(LOG_CFG, "certificate in '%s' has an unusable subject or key",
		     file ? file : "(memory)");
		X509_free(x509);
		return NULL;
	}
	cert->x509 = x509;
	cert->ca = cert_is_ca(x509);
	cert->file = file ? strdup(file) : NULL;
	store->n_certs++;
	DBG1(LOG_CFG, "loaded certificate '%s'", cert->subject);
	return x509;
}

int store_add_key(struct cred_store *store, EVP_PKEY *key)
{
	EVP_PKEY **keys = realloc(store->keys, (store->n_keys + 1) * sizeof(*keys));

	if (!keys) {
		EVP_PKEY_free(key);
		return -1;
	}
	store->keys = keys;
	keys[store->n_keys++] = key;
	DBG1(LOG_CFG, "loaded %s private key", pkey_type_name(key));
	return 0;
}

int store_add_crl(struct cred_store *store, X509_CRL *crl)
{
	X509_CRL **crls = realloc(store->crls, (store->n_crls + 1) * sizeof(*crls));
	char issuer[DN_MAX];

	if (!crls) {
		X509_CRL_free(crl);
		return -1;
	}
	store->crls = crls;
	crls[store->n_crls++] = crl;
	dn_format(X509_CRL_get_issuer(crl), issuer, sizeof(issuer));
	DBG1(LOG_CFG, "loaded crl issued by '%s'", issuer);
	return 0;
}

static void pair_keys(struct cred_store *store)
{
	for (size_t i = 0; i < store->n_certs; i++) {
		EVP_PKEY *pub = X509_get0_pubkey(store->certs[i].x509);
		for (size_t k = 0; pub && k < store->n_keys; k++) {
			if (EVP_PKEY_eq(pub, store->keys[k]) == 1) {
				store->certs[i].key = store->keys[k];
				break;
			}
		}
	}
}

int store_finish(struct cred_store *store, char *err, size_t errlen)
{
	pair_keys(store);
	store->trust = X509_STORE_new();
	if (!store->trust) {
		snprintf(err, errlen, "out of memory building the trust store");
		return -1;
	}
	for (size_t i = 0; i < store->n_certs; i++) {
		if (store->certs[i].ca &&
		    !X509_STORE_add_cert(store->trust, store->certs[i].x509)) {
			snprintf(err, errlen, "cannot add '%s' to the trust store",
				 store->certs[i].subject);
			return -1;
		}
	}
	return 0;
}

const struct cred_cert *store_find_cert_by_name(const struct cred_store *store,
						const char *name)
{
	for (size_t i = 0; i < store->n_certs; i++) {
		const struct cred_cert *cert = &store->certs[i];
		if (strcmp(cert->subject, name) == 0 ||
		    (cert->file && strcmp(cert->file, name) == 0))
			return cert;
	}
	return NULL;
}

const struct cred_cert *store_find_cert_by_x509(const struct cred_store *store,
						const X509 *x509)
{
	for (size_t i = 0; i < store->n_certs; i++) {
		if (X509_cmp(store->certs[i].x509, x509) == 0)
			return &store->certs[i];
	}
	return NULL;
}

const struct cred_cert *store_find_ca_by_keyid(const struct cred_store *store,
					       const unsigned char *keyid)
{
	for (size_t i = 0; i < store->n_certs; i++) {
		if (store->certs[i].ca &&
		    memcmp(store->certs[i].keyid, keyid, KEYID_LEN) == 0)
			return &store->certs[i];
	}
	return NULL;
}

const struct cred_authority *store_find_authority(const struct cred_store *store,
						  const X509 *cacert)
{
	for (size_t i = 0; i < store->n_auths; i++) {
		if (store->auths[i].cacert &&
		    X509_cmp(store->auths[i].cacert, cacert) == 0)
			return &store->auths[i];
	}
	return NULL;
}

void store_slot_init(struct store_slot *slot)
{
	pthread_mutex_init(&slot->lock, NULL);
	slot->current = NULL;
}

void store_slot_destroy(struct store_slot *slot)
{
	store_unref(slot->current);
	slot->current = NULL;
	pthread_mutex_destroy(&slot->lock);
}

struct cred_store *store_slot_get(struct store_slot *slot)
{
	struct cred_store *store;

	pthread_mutex_lock(&slot->lock);
	store = slot->current;
	if (store)
		store_ref(store);
	pthread_mutex_unlock(&slot->lock);
	return store;
}

void store_slot_set(struct store_slot *slot, struct cred_store *store)
{
	struct cred_store *old;

	pthread_mutex_lock(&slot->lock);
	old = slot->current;
	slot->current = store;
	pthread_mutex_unlock(&slot->lock);
	store_unref(old);
}
