/* The credential store: certificates, private keys, CRLs loaded from
 * files, the authorities { } of the config and the OpenSSL trust store
 * built from the CA certificates.  A store is immutable once built; a
 * reload builds a new one and swaps it in, and holders of the old one
 * keep it alive through its reference count until they are done. */
#ifndef AUTHORITY_STORE_H
#define AUTHORITY_STORE_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

#define DN_MAX 512
#define KEYID_LEN 20

struct cred_cert {
	X509 *x509;
	char *file;		/* basename it was loaded from, or NULL */
	char subject[DN_MAX];
	bool ca;
	EVP_PKEY *key;		/* matching private key (in store->keys) */
	unsigned char keyid[KEYID_LEN];	/* SHA-1 of SubjectPublicKeyInfo */
};

struct cred_authority {
	char *name;
	X509 *cacert;		/* borrowed from the store's certs */
	char **crl_uris;
	size_t n_crl_uris;
	char **ocsp_uris;
	size_t n_ocsp_uris;
};

struct cred_secret {
	char *file;		/* the secret's file = , may be NULL */
	char *passphrase;	/* zeroized on free */
};

struct cred_store {
	atomic_int refs;
	struct cred_cert *certs;
	size_t n_certs;
	EVP_PKEY **keys;
	size_t n_keys;
	X509_CRL **crls;	/* from x509crl/ */
	size_t n_crls;
	struct cred_authority *auths;
	size_t n_auths;
	struct cred_secret *secrets;
	size_t n_secrets;
	X509_STORE *trust;	/* every CA certificate */
};

struct cred_store *store_new(void);
void store_ref(struct cred_store *store);
void store_unref(struct cred_store *store);

/* Loads the swanctl directory layout under dir and the authorities { }
 * and secrets { } sections of conf (may be NULL).  Files that do not
 * parse are logged and skipped; returns NULL with err only when the
 * store cannot be built at all. */
struct cred_store *store_load(const char *dir, const struct conf *conf,
			      char *err, size_t errlen);

/* Building blocks used by the loader (and the tests). */
/* Takes over x509; returns the stored certificate (an equal one already
 * in the store wins) or NULL. */
X509 *store_add_cert(struct cred_store *store, X509 *x509, const char *file);
int store_add_key(struct cred_store *store, EVP_PKEY *key);
int store_add_crl(struct cred_store *store, X509_CRL *crl);
/* Pairs keys with certificates and builds the trust store; call once
 * after everything is added. */
int store_finish(struct cred_store *store, char *err, size_t errlen);

const struct cred_cert *store_find_cert_by_name(const struct cred_store *store,
						const char *name);
const struct cred_cert *store_find_cert_by_x509(const struct cred_store *store,
						const X509 *x509);
const struct cred_cert *store_find_ca_by_keyid(const struct cred_store *store,
					       const unsigned char *keyid);
const struct cred_authority *store_find_authority(const struct cred_store *store,
						  const X509 *cacert);

/* The current store of the service, swapped atomically on reload. */
struct store_slot {
	pthread_mutex_t lock;
	struct cred_store *current;
};

void store_slot_init(struct store_slot *slot);
void store_slot_destroy(struct store_slot *slot);
/* Returns a referenced store (release with store_unref) or NULL. */
struct cred_store *store_slot_get(struct store_slot *slot);
/* Takes over the caller's reference to store. */
void store_slot_set(struct store_slot *slot, struct cred_store *store);

#endif
