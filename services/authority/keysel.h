/* Finding our own certificate and private key from a KeySelector, and
 * matching certificates against IKE identities. */
#ifndef AUTHORITY_KEYSEL_H
#define AUTHORITY_KEYSEL_H

#include <openssl/x509.h>
#include <stdbool.h>

#include "authority.pb-c.h"
#include "authority/store.h"

/* The certificate (with a private key) the selector names, or NULL with
 * the reason in why. */
const struct cred_cert *keysel_find(const struct cred_store *store,
				    const Cygnet__KeySelector *sel,
				    char *why, size_t len);

/* "ECDSA-256", "RSA-3072", "ED25519" into buf; returns buf. */
const char *keysel_key_type(const EVP_PKEY *key, char *buf, size_t len);

/* Whether x509's subject DN or a subjectAltName is the IKE identity. */
bool identity_matches(X509 *x509, const Cygnet__Identity *id);

#endif
