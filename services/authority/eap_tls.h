/* EAP-TLS framing (RFC 5216 3, RFC 9190): parsing EAP packets, the Start
 * request, reassembly of fragmented TLS data (L/M flags, ACKs) and
 * fragmentation of outgoing TLS data.  Used by the server session and,
 * with the codes swapped, by the tests' peer. */
#ifndef AUTHORITY_EAP_TLS_H
#define AUTHORITY_EAP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	EAP_CODE_REQUEST = 1,
	EAP_CODE_RESPONSE = 2,
	EAP_CODE_SUCCESS = 3,
	EAP_CODE_FAILURE = 4,
};

#define EAP_TYPE_NAK 3
#define EAP_TYPE_TLS 13
#define EAP_TLS_FLAG_LENGTH 0x80
#define EAP_TLS_FLAG_MORE 0x40
#define EAP_TLS_FLAG_START 0x20
#define EAP_TLS_HEADER 6		/* code, id, length, type, flags */
#define EAP_TLS_LENGTH_FIELD 4
#define EAP_TLS_MIN_FRAGMENT 64		/* smallest fragment_size allowed */
#define EAP_PACKET_MAX 65535

/* One parsed EAP-TLS packet; data points into the packet. */
struct eap_tls_msg {
	uint8_t code;
	uint8_t identifier;
	uint8_t flags;
	bool has_length;
	uint32_t tls_length;
	const uint8_t *data;
	size_t len;
};

/* Parses an EAP packet of the expected code (REQUEST or RESPONSE) whose
 * type must be EAP-TLS.  Returns 0, or -1 with the reason in why. */
int eap_tls_parse(const uint8_t *pkt, size_t len, uint8_t expected_code,
		  struct eap_tls_msg *msg, char *why, size_t whylen);

/* Builds a packet without type data (Success, Failure); returns 4. */
size_t eap_build_result(uint8_t code, uint8_t identifier, uint8_t *out);

struct eap_tls_frag {
	size_t fragment_size;	/* largest EAP packet we send */
	size_t max_message;	/* largest reassembled TLS message */
	uint8_t *in;		/* reassembled TLS data */
	size_t in_len;
	size_t in_expected;	/* from the L field, 0 if not given */
	bool in_partial;	/* fragments received, more announced */
	uint8_t *out;		/* TLS data still to send */
	size_t out_len;
	size_t out_off;
};

enum eap_tls_rx {
	EAP_TLS_RX_ERROR,
	EAP_TLS_RX_ACK,		/* empty: acknowledges our fragment */
	EAP_TLS_RX_MORE,	/* a fragment; answer with an ACK */
	EAP_TLS_RX_DONE,	/* a whole TLS message is in in/in_len */
};

void eap_tls_frag_init(struct eap_tls_frag *f, size_t fragment_size,
		       size_t max_message);
void eap_tls_frag_free(struct eap_tls_frag *f);

enum eap_tls_rx eap_tls_receive(struct eap_tls_frag *f,
				const struct eap_tls_msg *msg, char *why,
				size_t whylen);
/* Drops the reassembled message after the caller consumed it. */
void eap_tls_consumed(struct eap_tls_frag *f);

/* Queues TLS data to send; -1 when it would exceed max_message. */
int eap_tls_queue(struct eap_tls_frag *f, const uint8_t *data, size_t len);
bool eap_tls_sending(const struct eap_tls_frag *f);

/* The next packet: a fragment of the queued data, or an ACK (no flags,
 * no data) when nothing is queued; flags adds e.g. START.  Returns its
 * length (at most fragment_size). */
size_t eap_tls_next_packet(struct eap_tls_frag *f, uint8_t code,
			   uint8_t identifier, uint8_t flags, uint8_t *out,
			   size_t cap);

#endif
