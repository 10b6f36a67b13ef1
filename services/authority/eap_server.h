/* One EAP-TLS conversation on the server side: the framing of eap_tls.c
 * around a tls_server, from the Start request to EAP-Success/Failure. */
#ifndef AUTHORITY_EAP_SERVER_H
#define AUTHORITY_EAP_SERVER_H

#include "authority/eap_tls.h"
#include "authority/tls_server.h"

#define EAP_ALT_NAMES_MAX 16

struct eap_server;

struct eap_outcome {
	Cygnet__EapTlsState state;
	uint8_t *packet;	/* malloc'd EAP packet to send */
	size_t len;
	char reason[320];
	/* on SUCCESS */
	uint8_t msk[EAP_TLS_KEY_LEN];
	uint8_t emsk[EAP_TLS_KEY_LEN];
	char peer_subject[DN_MAX];
	char *alt_names[EAP_ALT_NAMES_MAX];	/* malloc'd */
	size_t n_alt_names;
	const char *tls_version;	/* static strings */
	const char *cipher;
};

struct eap_server *eap_server_new(const struct tls_server_params *p,
				  size_t fragment_size, size_t max_message,
				  uint8_t identifier, char *why, size_t whylen);
void eap_server_free(struct eap_server *s);

/* The EAP-TLS Start request. */
void eap_server_start(struct eap_server *s, struct eap_outcome *out);
/* Handles one EAP Response from the peer. */
void eap_server_process(struct eap_server *s, const uint8_t *pkt, size_t len,
			struct eap_outcome *out);
/* Clears keys and frees the packet. */
void eap_outcome_clear(struct eap_outcome *out);

struct tls_server *eap_server_tls(struct eap_server *s);

#endif
