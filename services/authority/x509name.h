/* How charon prints X.509 things: DNs ("C=CH, O=strongSec GmbH, CN=x"),
 * times ("Mar 19 16:55:13 2020"), key types, and the identifiers
 * (keyid, subjkey) strongSwan derives from a public key. */
#ifndef AUTHORITY_X509NAME_H
#define AUTHORITY_X509NAME_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Returns 0, or -1 when the name does not fit (truncated). */
int dn_format(const X509_NAME *name, char *buf, size_t len);

time_t asn1_time_to_unix(const ASN1_TIME *t);
/* "Mar 19 16:55:13 2020" in UTC. */
void time_format(time_t t, char *buf, size_t len);

/* "RSA", "ECDSA", "ED25519" and the key size in bits. */
const char *pkey_type_name(const EVP_PKEY *key);

/* SHA-1 of the DER SubjectPublicKeyInfo (CERTREQ keyid) and of the
 * subjectPublicKey bit string (subjkey).  Return 0 or -1. */
int pubkey_keyid(const EVP_PKEY *key, unsigned char out[20]);
int pubkey_subjkey(X509 *x509, unsigned char out[20]);

/* Each subjectAltName as charon prints it (DNS, email, IP, URI); returns
 * how many were stored, items malloc'd. */
size_t cert_alt_names(X509 *x509, char **out, size_t max);

/* URIs of the certificate's CRL distribution points and OCSP
 * responders (authorityInfoAccess); items malloc'd, returns the count. */
size_t cert_crl_uris(X509 *x509, char **out, size_t max);
size_t cert_ocsp_uris(X509 *x509, char **out, size_t max);
void strings_free(char **items, size_t n);

/* "key compromise", "unspecified"... for a CRL reason code. */
const char *crl_reason_name(int reason);

#endif
