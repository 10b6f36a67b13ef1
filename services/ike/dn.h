/* Distinguished names printed as charon prints them:
 * "C=CH, O=strongSec GmbH, CN=vpn.strongswan.org". */
#ifndef CYGNET_IKE_DN_H
#define CYGNET_IKE_DN_H

#include <stddef.h>
#include <stdint.h>

/* A DER-encoded Name (ID_DER_ASN1_DN data).  Returns 0, -1 if invalid. */
int dn_format_der(const uint8_t *der, size_t len, char *buf, size_t buflen);

/* The subject of a PEM or DER certificate file.  Returns 0, or -1 if the
 * file cannot be read or parsed. */
int dn_cert_file_subject(const char *path, char *buf, size_t buflen);

#endif
