/* The --list-certs / --list-crls view of a certificate or CRL as the
 * CertInfo / CrlInfo messages of proto/authority.proto; cygnetctl
 * formats them like swanctl. */
#ifndef AUTHORITY_CERTINFO_H
#define AUTHORITY_CERTINFO_H

#include <openssl/x509.h>

#include "authority.pb-c.h"
#include "authority/store.h"

Cygnet__CertInfo *certinfo_new(const struct cred_cert *cert);
void certinfo_free(Cygnet__CertInfo *info);

Cygnet__CrlInfo *crlinfo_new(X509_CRL *crl, const char *uri);
void crlinfo_free(Cygnet__CrlInfo *info);

#endif
