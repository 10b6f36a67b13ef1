/* IKEv2 proposals (RFC 7296 3.3): the transform ids we implement, the
 * strongSwan proposal keywords of swanctl.conf ("aes256-sha256-modp2048",
 * "default"), charon's printed form and responder selection. */
#ifndef CYGNET_IKE_PROPOSAL_H
#define CYGNET_IKE_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ike_protocol {
	PROTO_NONE = 0,
	PROTO_IKE = 1,
	PROTO_AH = 2,
	PROTO_ESP = 3,
};

enum transform_type {
	TRANS_ENCR = 1,
	TRANS_PRF = 2,
	TRANS_INTEG = 3,
	TRANS_DH = 4,
	TRANS_ESN = 5,
};

enum encr_id {
	ENCR_AES_CBC = 12,
	ENCR_AES_GCM_16 = 20,
};

enum prf_id {
	PRF_HMAC_SHA1 = 2,
	PRF_HMAC_SHA2_256 = 5,
	PRF_HMAC_SHA2_384 = 6,
	PRF_HMAC_SHA2_512 = 7,
};

enum integ_id {
	INTEG_NONE = 0,
	INTEG_HMAC_SHA1_96 = 2,
	INTEG_HMAC_SHA2_256_128 = 12,
	INTEG_HMAC_SHA2_384_192 = 13,
	INTEG_HMAC_SHA2_512_256 = 14,
};

enum dh_id {
	DH_NONE = 0,
	DH_MODP_2048 = 14,
	DH_MODP_3072 = 15,
	DH_MODP_4096 = 16,
	DH_ECP_256 = 19,
	DH_ECP_384 = 20,
	DH_ECP_521 = 21,
	DH_CURVE_25519 = 31,
};

enum esn_id {
	ESN_NO = 0,
	ESN_YES = 1,
};

/* Received proposals may carry more; a proposal with more transforms
 * than this is refused by the SA parser. */
#define PROPOSAL_MAX_TRANSFORMS 48
#define PROPOSAL_SPI_MAX 8

struct transform {
	uint8_t type;
	uint16_t id;
	uint16_t key_length;	/* bits; 0 when the transform has none */
};

struct proposal {
	uint8_t number;		/* proposal number on the wire */
	uint8_t protocol;
	uint8_t spi_size;
	uint8_t spi[PROPOSAL_SPI_MAX];
	size_t count;
	struct transform transforms[PROPOSAL_MAX_TRANSFORMS];
};

/* Parses one swanctl proposal string for protocol (PROTO_IKE or
 * PROTO_ESP) into out[] (a string may yield an AEAD and a non-AEAD
 * proposal, "default" yields two).  Returns the number of proposals
 * added, or -1 with a message in err. */
int proposal_parse(const char *text, enum ike_protocol protocol,
		   struct proposal *out, size_t max, char *err, size_t errlen);

/* charon's form: "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048". */
void proposal_format(const struct proposal *p, char *buf, size_t len);

/* charon's name of a transform ("AES_CBC_256", "MODP_2048"); unknown
 * ids print as "UNKNOWN_<type>_<id>". */
void transform_format(const struct transform *t, char *buf, size_t len);

bool proposal_has(const struct proposal *p, uint8_t type, uint16_t id,
		  uint16_t key_length);
/* The first transform of a type, or NULL. */
const struct transform *proposal_first(const struct proposal *p,
				       uint8_t type);
bool proposal_is_aead(const struct proposal *p);

/* Responder selection: the first configured proposal (in configured
 * order) that one of the received proposals matches; per transform type
 * the first configured algorithm the peer offers.  The result carries
 * the received proposal's number and SPI.  Logs charon's "selected
 * proposal: ..." or the received and configured proposals.  Returns
 * false if none matches. */
bool proposal_select(const struct proposal *configured, size_t n_configured,
		     const struct proposal *received, size_t n_received,
		     struct proposal *selected);
/* The same without logging; and charon's "selected proposal:" line. */
bool proposal_find(const struct proposal *configured, size_t n_configured,
		   const struct proposal *received, size_t n_received,
		   struct proposal *selected);
void proposal_log_selected(const struct proposal *selected);

bool proposal_add(struct proposal *p, uint8_t type, uint16_t id,
		  uint16_t key_length);
/* Removes every transform of a type (KE methods of ESP proposals in
 * IKE_AUTH, RFC 7296 1.2). */
void proposal_drop_type(struct proposal *p, uint8_t type);

#endif
