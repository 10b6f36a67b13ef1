/* IKE fragmentation (RFC 7383): reassembly of the decrypted contents of
 * EF fragments, in any order, with duplicates and retransmits, under
 * limits per message, per IKE_SA and in total; and the split of our own
 * large messages into fragments of at most fragment_size octets. */
#ifndef CYGNET_IKE_FRAGMENT_H
#define CYGNET_IKE_FRAGMENT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define FRAGMENT_SIZE_DEFAULT 1280
#define FRAGMENTS_MAX_DEFAULT 128
#define REASSEMBLY_SA_MAX_DEFAULT 65536
#define REASSEMBLY_TOTAL_MAX_DEFAULT (16 * 1024 * 1024)

/* Reassembly memory of all IKE_SAs together; shared between threads. */
struct frag_budget {
	pthread_mutex_t lock;
	size_t used;
	size_t limit;
};

void frag_budget_init(struct frag_budget *budget, size_t limit);
void frag_budget_destroy(struct frag_budget *budget);

struct frag_piece {
	uint8_t *data;		/* NULL until received */
	size_t len;
};

/* One IKE_SA's reassembly of one message (the window is 1). */
struct reassembly {
	struct frag_budget *budget;
	size_t max_fragments;
	size_t max_bytes;
	uint32_t message_id;
	uint16_t total;		/* 0: nothing in progress */
	uint16_t received;
	uint8_t first_next;	/* next payload of fragment #1 */
	size_t bytes;
	struct frag_piece *pieces;
};

enum frag_result {
	FRAG_WAITING,		/* stored, more to come */
	FRAG_COMPLETE,		/* reassembly_take() now */
	FRAG_DISCARDED,		/* duplicate, stale or over a limit (logged) */
};

void reassembly_init(struct reassembly *r, struct frag_budget *budget,
		     size_t max_fragments, size_t max_bytes);
void reassembly_reset(struct reassembly *r);

/* Adds the decrypted content of fragment number/total of message_id;
 * next_payload is the EF payload's next-payload field. */
enum frag_result reassembly_add(struct reassembly *r, uint32_t message_id,
				uint16_t number, uint16_t total,
				uint8_t next_payload, const uint8_t *data,
				size_t len);

/* The complete inner payload chain (malloc'd) and the type of its first
 * payload; resets r.  Returns NULL when out of memory. */
uint8_t *reassembly_take(struct reassembly *r, size_t *len, uint8_t *first_next);

/* Splitting: how much plaintext fits into one fragment of at most
 * fragment_size octets on the wire (IP and UDP headers and the non-ESP
 * marker included, as charon's fragment_size counts them), given the
 * cipher's IV, ICV and block sizes.  0 if nothing fits. */
struct frag_overhead {
	size_t ip_header;	/* 20 IPv4, 40 IPv6 */
	size_t marker;		/* 4 on port 4500, else 0 */
	size_t iv_len;
	size_t icv_len;
	size_t block_size;	/* 1 for AEAD stream modes like GCM */
};

size_t fragment_capacity(size_t fragment_size, const struct frag_overhead *o);
/* Number of fragments for len octets of plaintext, 0 if more than
 * max_fragments would be needed or nothing fits. */
size_t fragment_count(size_t len, size_t capacity, size_t max_fragments);

#endif
