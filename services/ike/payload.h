/* IKEv2 payloads (RFC 7296 section 3, RFC 7383 for EF): one
 * validate/parse/write triple per payload family, each in its own
 * payload_<family>.c.  Validation runs on every payload while the chain
 * is walked (message.c) and checks the complete structure, so a parse
 * function only runs on a body its validator accepted; generators append
 * a complete payload (generic header included) to a message_builder. */
#ifndef CYGNET_IKE_PAYLOAD_H
#define CYGNET_IKE_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/proposal.h"
#include "ike/ts.h"

struct msg_builder;

enum payload_type {
	PL_NONE = 0,
	PL_SA = 33,
	PL_KE = 34,
	PL_IDI = 35,
	PL_IDR = 36,
	PL_CERT = 37,
	PL_CERTREQ = 38,
	PL_AUTH = 39,
	PL_NONCE = 40,
	PL_NOTIFY = 41,
	PL_DELETE = 42,
	PL_VENDOR = 43,
	PL_TSI = 44,
	PL_TSR = 45,
	PL_SK = 46,
	PL_CP = 47,
	PL_EAP = 48,
	PL_SKF = 53,
};

#define PAYLOAD_HEADER_LEN 4

/* charon's short name ("SA", "No", "EF"), NULL for unknown types. */
const char *payload_short_name(uint8_t type);
/* Whether message.c knows the type (else it is skipped or refused). */
bool payload_known(uint8_t type);
/* Dispatches to the family's validator; 0 valid, -1 malformed. */
int payload_validate(uint8_t type, const uint8_t *body, size_t len);

/* ---- SA (payload_sa.c) ---------------------------------------------- */
int payload_sa_validate(const uint8_t *body, size_t len);
/* Proposals beyond max are ignored; transforms with attributes other
 * than a key length are left out (RFC 7296 3.3.6). */
size_t payload_sa_parse(const uint8_t *body, size_t len, struct proposal *out,
			size_t max);
void payload_sa_write(struct msg_builder *b, const struct proposal *props,
		      size_t n);

/* ---- KE, Nonce (payload_ke.c) --------------------------------------- */
#define NONCE_MIN 16
#define NONCE_MAX 256

struct ke_payload {
	uint16_t group;
	const uint8_t *data;
	size_t len;
};

int payload_ke_validate(const uint8_t *body, size_t len);
void payload_ke_parse(const uint8_t *body, size_t len, struct ke_payload *ke);
void payload_ke_write(struct msg_builder *b, uint16_t group,
		      const uint8_t *data, size_t len);
int payload_nonce_validate(const uint8_t *body, size_t len);
void payload_nonce_write(struct msg_builder *b, const uint8_t *nonce,
			 size_t len);

/* ---- IDi, IDr (payload_id.c) ---------------------------------------- */
enum id_type {
	ID_IPV4_ADDR = 1,
	ID_FQDN = 2,
	ID_RFC822_ADDR = 3,
	ID_IPV6_ADDR = 5,
	ID_DER_ASN1_DN = 9,
	ID_KEY_ID = 11,
};

struct id_payload {
	uint8_t type;
	const uint8_t *data;
	size_t len;
};

int payload_id_validate(const uint8_t *body, size_t len);
void payload_id_parse(const uint8_t *body, size_t len, struct id_payload *id);
void payload_id_write(struct msg_builder *b, uint8_t payload_type,
		      const struct id_payload *id);
/* As charon prints identities: "192.0.2.1", "vpn.strongswan.org",
 * "C=CH, O=strongSec GmbH, CN=...", "@#0102..." for KEY_ID. */
void id_format(const struct id_payload *id, char *buf, size_t len);

/* ---- CERT, CERTREQ, AUTH (payload_cert.c) --------------------------- */
#define CERT_X509_SIGNATURE 4
#define CERTREQ_HASH_LEN 20	/* SHA-1 of a CA's subjectPublicKeyInfo */

struct cert_payload {
	uint8_t encoding;
	const uint8_t *data;
	size_t len;
};

struct auth_payload {
	uint8_t method;
	const uint8_t *data;
	size_t len;
};

int payload_cert_validate(const uint8_t *body, size_t len);
void payload_cert_parse(const uint8_t *body, size_t len,
			struct cert_payload *cert);
void payload_cert_write(struct msg_builder *b, uint8_t payload_type,
			const struct cert_payload *cert);
int payload_certreq_validate(const uint8_t *body, size_t len);
/* hashes: n_hashes SHA-1 key identifiers (CERTREQ_HASH_LEN each). */
void payload_certreq_write(struct msg_builder *b, const uint8_t *hashes,
			   size_t n_hashes);
int payload_auth_validate(const uint8_t *body, size_t len);
void payload_auth_parse(const uint8_t *body, size_t len,
			struct auth_payload *auth);
void payload_auth_write(struct msg_builder *b, const struct auth_payload *auth);

/* ---- N (payload_notify.c) ------------------------------------------- */
enum notify_type {
	N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	N_INVALID_IKE_SPI = 4,
	N_INVALID_MAJOR_VERSION = 5,
	N_INVALID_SYNTAX = 7,
	N_INVALID_MESSAGE_ID = 9,
	N_INVALID_SPI = 11,
	N_NO_PROPOSAL_CHOSEN = 14,
	N_INVALID_KE_PAYLOAD = 17,
	N_AUTHENTICATION_FAILED = 24,
	N_SINGLE_PAIR_REQUIRED = 34,
	N_NO_ADDITIONAL_SAS = 35,
	N_INTERNAL_ADDRESS_FAILURE = 36,
	N_FAILED_CP_REQUIRED = 37,
	N_TS_UNACCEPTABLE = 38,
	N_INVALID_SELECTORS = 39,
	N_TEMPORARY_FAILURE = 43,
	N_CHILD_SA_NOT_FOUND = 44,
	N_INITIAL_CONTACT = 16384,
	N_SET_WINDOW_SIZE = 16385,
	N_ADDITIONAL_TS_POSSIBLE = 16386,
	N_IPCOMP_SUPPORTED = 16387,
	N_NAT_DETECTION_SOURCE_IP = 16388,
	N_NAT_DETECTION_DESTINATION_IP = 16389,
	N_COOKIE = 16390,
	N_USE_TRANSPORT_MODE = 16391,
	N_HTTP_CERT_LOOKUP_SUPPORTED = 16392,
	N_REKEY_SA = 16393,
	N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	N_MOBIKE_SUPPORTED = 16396,
	N_ADDITIONAL_IP4_ADDRESS = 16397,
	N_ADDITIONAL_IP6_ADDRESS = 16398,
	N_NO_ADDITIONAL_ADDRESSES = 16399,
	N_UPDATE_SA_ADDRESSES = 16400,
	N_COOKIE2 = 16401,
	N_NO_NATS_ALLOWED = 16402,
	N_AUTH_LIFETIME = 16403,
	N_MULTIPLE_AUTH_SUPPORTED = 16404,
	N_ANOTHER_AUTH_FOLLOWS = 16405,
	N_REDIRECT_SUPPORTED = 16406,
	N_REDIRECT = 16407,
	N_REDIRECTED_FROM = 16408,
	N_EAP_ONLY_AUTHENTICATION = 16417,
	N_CHILDLESS_IKEV2_SUPPORTED = 16418,
	N_IKEV2_FRAGMENTATION_SUPPORTED = 16430,
	N_SIGNATURE_HASH_ALGORITHMS = 16431,
};

#define NATD_HASH_LEN 20

struct notify_payload {
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t len;
};

int payload_notify_validate(const uint8_t *body, size_t len);
void payload_notify_parse(const uint8_t *body, size_t len,
			  struct notify_payload *n);
void payload_notify_write(struct msg_builder *b, const struct notify_payload *n);
/* charon's short name ("FRAG_SUP", "NATD_S_IP"); NULL if unknown. */
const char *notify_short_name(uint16_t type);
/* charon's long name ("NO_PROPOSAL_CHOSEN"); NULL if unknown. */
const char *notify_name(uint16_t type);

/* ---- D (payload_delete.c) ------------------------------------------- */
struct delete_payload {
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t n_spis;
	const uint8_t *spis;	/* n_spis * spi_size octets */
};

int payload_delete_validate(const uint8_t *body, size_t len);
void payload_delete_parse(const uint8_t *body, size_t len,
			  struct delete_payload *d);
void payload_delete_write(struct msg_builder *b, const struct delete_payload *d);

/* ---- V (payload_vendor.c) ------------------------------------------- */
int payload_vendor_validate(const uint8_t *body, size_t len);
void payload_vendor_write(struct msg_builder *b, const uint8_t *vid, size_t len);

/* ---- TSi, TSr (payload_ts.c) ---------------------------------------- */
#define TS_PAYLOAD_MAX 32

int payload_ts_validate(const uint8_t *body, size_t len);
/* Selectors of unknown types are skipped; returns the number stored. */
size_t payload_ts_parse(const uint8_t *body, size_t len, struct ts *out,
			size_t max);
void payload_ts_write(struct msg_builder *b, uint8_t payload_type,
		      const struct ts *ts, size_t n);

/* ---- CP (payload_cp.c) ---------------------------------------------- */
enum cp_type {
	CFG_REQUEST = 1,
	CFG_REPLY = 2,
	CFG_SET = 3,
	CFG_ACK = 4,
};

enum cp_attr_type {
	CP_INTERNAL_IP4_ADDRESS = 1,
	CP_INTERNAL_IP4_NETMASK = 2,
	CP_INTERNAL_IP4_DNS = 3,
	CP_INTERNAL_IP4_NBNS = 4,
	CP_INTERNAL_ADDRESS_EXPIRY = 5,
	CP_INTERNAL_IP4_DHCP = 6,
	CP_APPLICATION_VERSION = 7,
	CP_INTERNAL_IP6_ADDRESS = 8,
	CP_INTERNAL_IP6_DNS = 10,
	CP_INTERNAL_IP6_DHCP = 12,
	CP_INTERNAL_IP4_SUBNET = 13,
	CP_SUPPORTED_ATTRIBUTES = 14,
	CP_INTERNAL_IP6_SUBNET = 15,
	CP_INTERNAL_IP4_SERVER = 23456,
	CP_INTERNAL_IP6_SERVER = 23457,
};

#define CP_MAX_ATTRS 64

struct cp_attr {
	uint16_t type;
	const uint8_t *value;
	size_t len;
};

struct cp_payload {
	uint8_t type;
	size_t n_attrs;
	struct cp_attr attrs[CP_MAX_ATTRS];
};

int payload_cp_validate(const uint8_t *body, size_t len);
/* Attributes beyond CP_MAX_ATTRS are ignored. */
void payload_cp_parse(const uint8_t *body, size_t len, struct cp_payload *cp);
void payload_cp_write(struct msg_builder *b, const struct cp_payload *cp);
/* charon's attribute short names: "ADDR", "DNS6", "SRV"; NULL if unknown. */
const char *cp_attr_short_name(uint16_t type);

/* ---- EAP (payload_eap.c) -------------------------------------------- */
enum eap_code { EAP_REQUEST = 1, EAP_RESPONSE = 2, EAP_SUCCESS = 3, EAP_FAILURE = 4 };

int payload_eap_validate(const uint8_t *body, size_t len);
/* "/REQ/ID", "/SUCC" as charon appends them to "EAP". */
void payload_eap_summary(const uint8_t *body, size_t len, char *buf,
			 size_t buflen);
void payload_eap_write(struct msg_builder *b, const uint8_t *eap, size_t len);

/* ---- SK, SKF (payload_sk.c): the structure; sk.c does the crypto ----- */
struct skf_payload {
	uint16_t number;
	uint16_t total;
	const uint8_t *data;	/* IV | ciphertext | ICV */
	size_t len;
};

int payload_sk_validate(const uint8_t *body, size_t len);
int payload_skf_validate(const uint8_t *body, size_t len);
void payload_skf_parse(const uint8_t *body, size_t len, struct skf_payload *f);

#endif
