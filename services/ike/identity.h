/* Our IKE identity (IDr) from local.id or our certificate, and IKE
 * identities as types.proto's Identity for the other services. */
#ifndef CYGNET_IKE_IDENTITY_H
#define CYGNET_IKE_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "types.pb-c.h"

#define IDENTITY_MAX 1024

struct identity {
	uint8_t type;		/* enum id_type */
	uint8_t data[IDENTITY_MAX];
	size_t len;
	char text[512];		/* as charon prints it */
};

/* local.id as swanctl reads it: an IP address, "@fqdn", "user@host",
 * a DN (taken from the certificate's subject when it is that DN, else
 * refused) or a host name; empty text: the certificate's subject.
 * cert is our DER certificate (may be NULL).  Returns 0, -1. */
int identity_from_config(const char *text, const uint8_t *cert,
			 size_t cert_len, struct identity *out);

/* The subject DN of a DER certificate as charon prints it.  Returns 0,
 * -1 if it does not parse. */
int cert_subject(const uint8_t *cert, size_t len, char *buf, size_t buflen);

/* From a received ID payload. */
void identity_from_payload(uint8_t type, const uint8_t *data, size_t len,
			   struct identity *out);

/* Points msg at id (no copies; id must outlive msg). */
void identity_to_proto(const struct identity *id, Cygnet__Identity *msg);

#endif
