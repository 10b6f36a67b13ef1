/* The kernel service's own view of XFRM objects: plain C structs that the
 * message builders (sa.c, spi.c, policy.c) encode and the parser
 * (parse.c) decodes, independent of protobuf so that every piece can be
 * tested against the real kernel on its own. */
#ifndef CYGNET_KERNEL_KNL_H
#define CYGNET_KERNEL_KNL_H

#include <linux/xfrm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest key we install: HMAC-SHA2-512 (64 bytes). */
#define KNL_KEY_MAX 64

struct knl_addr {
	uint16_t family;	/* AF_INET or AF_INET6 */
	uint8_t ip[16];		/* network byte order, IPv4 in the first 4 */
	uint16_t port;		/* host byte order */
};

/* A traffic selector as IKEv2 carries it: an address range and a port
 * range; for ICMP the ports carry type << 8 | code (RFC 4301 4.4.1.1). */
struct knl_ts {
	uint16_t family;
	uint8_t proto;
	uint16_t from_port;
	uint16_t to_port;
	uint8_t from[16];
	uint8_t to[16];
};

struct knl_mark {
	uint32_t value;
	uint32_t mask;		/* 0: no mark */
};

struct knl_sa_id {
	struct knl_addr dst;
	uint32_t spi;		/* host byte order */
	uint8_t proto;		/* IPPROTO_ESP */
	struct knl_mark mark;
};

/* 0 means unlimited everywhere. */
struct knl_lifetime {
	uint64_t soft_seconds;
	uint64_t hard_seconds;
	uint64_t soft_bytes;
	uint64_t hard_bytes;
	uint64_t soft_packets;
	uint64_t hard_packets;
};

enum knl_alg_kind {
	KNL_ALG_CRYPT,		/* XFRMA_ALG_CRYPT */
	KNL_ALG_AEAD,		/* XFRMA_ALG_AEAD, key followed by a salt */
	KNL_ALG_AUTH,		/* XFRMA_ALG_AUTH_TRUNC */
};

struct knl_alg {
	enum knl_alg_kind kind;
	uint16_t ike_id;	/* IKEv2 transform id */
	const char *ike_name;	/* as charon prints it: "AES_CBC" */
	const char *kernel_name;	/* Linux crypto API name */
	uint16_t key_bits[3];	/* accepted key lengths, 0-terminated */
	uint16_t salt_bytes;	/* AEAD only */
	uint16_t icv_bits;	/* AEAD ICV or truncated HMAC length */
};

const struct knl_alg *knl_alg_encr(uint16_t ike_id);
const struct knl_alg *knl_alg_integ(uint16_t ike_id);
/* For decoding dumps: the entry with that kernel name (and ICV length
 * for the truncated HMACs). */
const struct knl_alg *knl_alg_by_kernel_name(enum knl_alg_kind kind,
					     const char *name,
					     uint16_t icv_bits);
/* Whether key_bits is a valid key length of alg. */
bool knl_alg_key_bits_ok(const struct knl_alg *alg, uint16_t key_bits);

struct knl_sa {
	struct knl_addr src;
	struct knl_addr dst;
	uint32_t spi;		/* host byte order */
	uint8_t proto;
	uint8_t mode;		/* XFRM_MODE_TUNNEL / XFRM_MODE_TRANSPORT */
	uint32_t reqid;
	const struct knl_alg *encr;
	uint16_t encr_key_bits;	/* without salt */
	uint8_t encr_key[KNL_KEY_MAX];
	size_t encr_key_len;	/* bytes, salt included */
	const struct knl_alg *integ;	/* NULL with AEAD */
	uint8_t integ_key[KNL_KEY_MAX];
	size_t integ_key_len;
	bool udp_encap;
	bool esn;
	uint32_t replay_window;
	struct knl_lifetime lifetime;
	struct knl_mark mark;
	uint32_t if_id;
	bool inbound;
	bool has_ts;		/* transport mode selector */
	struct knl_ts src_ts;
	struct knl_ts dst_ts;
};

/* Wipes the key material of sa. */
void knl_sa_wipe(struct knl_sa *sa);

struct knl_usage {
	uint64_t bytes;
	uint64_t packets;
	uint64_t add_time;
	uint64_t use_time;
	uint64_t last_used;
};

/* An SA as the kernel lists it (keys never copied out). */
struct knl_sa_info {
	struct knl_sa sa;
	struct knl_usage usage;
	bool larval;		/* from ALLOCSPI, no algorithms yet */
};

struct knl_policy {
	struct xfrm_selector sel;
	uint8_t dir;		/* XFRM_POLICY_IN / OUT / FWD */
	uint32_t priority;
	bool has_tmpl;		/* false: a pass (bypass) policy */
	struct knl_addr tmpl_src;	/* tunnel mode outer addresses */
	struct knl_addr tmpl_dst;
	uint8_t tmpl_proto;
	uint8_t mode;
	uint32_t reqid;
	struct knl_mark mark;
	uint32_t if_id;
	uint64_t use_time;	/* unix seconds the policy last matched */
};

const char *knl_dir_name(uint8_t dir);	/* "in", "out", "fwd" */
const char *knl_mode_name(uint8_t mode);	/* "TUNNEL", "TRANSPORT" */

/* Formats "192.0.2.0/24" style text for logs. */
void knl_format_selector_side(const struct xfrm_selector *sel, bool src,
			      char *buf, size_t len);
void knl_format_addr(const struct knl_addr *addr, char *buf, size_t len);
/* "0.0.0.0/0 === 203.0.113.66/32 out" */
void knl_format_policy(const struct knl_policy *p, char *buf, size_t len);

#endif
