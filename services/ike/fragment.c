#include "ike/fragment.h"

#include <stdlib.h>
#include <string.h>

#include "ike/message.h"
#include "log.h"

#define UDP_HEADER_LEN 8
#define SKF_OVERHEAD (PAYLOAD_HEADER_LEN + 4)
/* ESP-style padding always carries the pad length octet. */
#define PAD_LENGTH_LEN 1

void frag_budget_init(struct frag_budget *budget, size_t limit)
{
	pthread_mutex_init(&budget->lock, NULL);
	budget->used = 0;
	budget->limit = limit;
}

void frag_budget_destroy(struct frag_budget *budget)
{
	pthread_mutex_destroy(&budget->lock);
}

static bool budget_take(struct frag_budget *budget, size_t n)
{
	bool ok;

	pthread_mutex_lock(&budget->lock);
	ok = n <= budget->limit - budget->used;
	if (ok)
		budget->used += n;
	pthread_mutex_unlock(&budget->lock);
	return ok;
}

static void budget_give(struct frag_budget *budget, size_t n)
{
	pthread_mutex_lock(&budget->lock);
	budget->used -= n;
	pthread_mutex_unlock(&budget->lock);
}

void reassembly_init(struct reassembly *r, struct frag_budget *budget,
		     size_t max_fragments, size_t max_bytes)
{
	memset(r, 0, sizeof(*r));
	r->budget = budget;
	r->max_fragments = max_fragments;
	r->max_bytes = max_bytes;
}

void reassembly_reset(struct reassembly *r)
{
	for (uint16_t i = 0; i < r->total && r->pieces; i++)
		free(r->pieces[i].data);
	free(r->pieces);
	budget_give(r->budget, r->bytes);
	r->pieces = NULL;
	r->total = 0;
	r->received = 0;
	r->bytes = 0;
	r->first_next = PL_NONE;
}

static enum frag_result start(struct reassembly *r, uint32_t message_id,
			      uint16_t total)
{
	reassembly_reset(r);
	if (total > r->max_fragments) {
		DBG1(LOG_ENC, "received fragment count %u exceeds limit of %zu",
		     total, r->max_fragments);
		return FRAG_DISCARDED;
	}
	r->pieces = calloc(total, sizeof(*r->pieces));
	if (!r->pieces)
		return FRAG_DISCARDED;
	r->message_id = message_id;
	r->total = total;
	return FRAG_WAITING;
}

/* RFC 7383 2.6.2: a retransmit may use a different fragment count; a
 * larger count restarts the reassembly, a smaller one is ignored. */
static enum frag_result check_message(struct reassembly *r,
				      uint32_t message_id, uint16_t total)
{
	if (r->total && message_id < r->message_id) {
		DBG2(LOG_ENC, "ignoring fragment of old message %u", message_id);
		return FRAG_DISCARDED;
	}
	if (r->total && message_id == r->message_id) {
		if (total == r->total)
			return FRAG_WAITING;
		if (total < r->total) {
			DBG1(LOG_ENC, "ignoring fragment with smaller fragment "
			     "count %u (expected %u)", total, r->total);
			return FRAG_DISCARDED;
		}
	}
	return start(r, message_id, total);
}

static enum frag_result store(struct reassembly *r, uint16_t number,
			      uint8_t next_payload, const uint8_t *data,
			      size_t len)
{
	struct frag_piece *piece = &r->pieces[number - 1];

	if (piece->data) {
		DBG2(LOG_ENC, "received duplicate fragment #%u", number);
		return FRAG_DISCARDED;
	}
	if (len > r->max_bytes - r->bytes) {
		DBG1(LOG_ENC, "reassembled IKE message exceeds limit of %zu bytes",
		     r->max_bytes);
		reassembly_reset(r);
		return FRAG_DISCARDED;
	}
	if (!budget_take(r->budget, len)) {
		DBG1(LOG_ENC, "fragment reassembly memory exhausted, "
		     "discarding fragment #%u", number);
		return FRAG_DISCARDED;
	}
	piece->data = malloc(len ? len : 1);
	if (!piece->data) {
		budget_give(r->budget, len);
		return FRAG_DISCARDED;
	}
	memcpy(piece->data, data, len);
	piece->len = len;
	r->bytes += len;
	r->received++;
	if (number == 1)
		r->first_next = next_payload;
	return FRAG_WAITING;
}

enum frag_result reassembly_add(struct reassembly *r, uint32_t message_id,
				uint16_t number, uint16_t total,
				uint8_t next_payload, const uint8_t *data,
				size_t len)
{
	if (number < 1 || number > total)
		return FRAG_DISCARDED;
	if (check_message(r, message_id, total) != FRAG_WAITING)
		return FRAG_DISCARDED;
	if (store(r, number, next_payload, data, len) != FRAG_WAITING)
		return FRAG_DISCARDED;
	if (r->received < r->total) {
		DBG1(LOG_ENC, "received fragment #%u of %u, waiting for complete "
		     "IKE message", number, total);
		return FRAG_WAITING;
	}
	DBG1(LOG_ENC, "received fragment #%u of %u, reassembled fragmented IKE "
	     "message (%zu bytes)", number, total, IKE_HEADER_LEN + r->bytes);
	return FRAG_COMPLETE;
}

uint8_t *reassembly_take(struct reassembly *r, size_t *len, uint8_t *first_next)
{
	uint8_t *out = malloc(r->bytes ? r->bytes : 1);
	size_t off = 0;

	if (out) {
		for (uint16_t i = 0; i < r->total; i++) {
			memcpy(out + off, r->pieces[i].data, r->pieces[i].len);
			off += r->pieces[i].len;
		}
		*len = off;
		*first_next = r->first_next;
	}
	reassembly_reset(r);
	return out;
}

size_t fragment_capacity(size_t fragment_size, const struct frag_overhead *o)
{
	size_t fixed = o->ip_header + UDP_HEADER_LEN + o->marker +
		       IKE_HEADER_LEN + SKF_OVERHEAD + o->iv_len + o->icv_len +
		       PAD_LENGTH_LEN;
	size_t blocks;

	if (fragment_size <= fixed || o->block_size == 0)
		return 0;
	/* Plaintext plus the pad length octet fill whole blocks. */
	blocks = (fragment_size - fixed + PAD_LENGTH_LEN) / o->block_size;
	return blocks ? blocks * o->block_size - PAD_LENGTH_LEN : 0;
}

size_t fragment_count(size_t len, size_t capacity, size_t max_fragments)
{
	size_t n;

	if (capacity == 0)
		return 0;
	n = len ? (len + capacity - 1) / capacity : 1;
	return n <= max_fragments ? n : 0;
}
