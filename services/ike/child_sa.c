#include "ike/child_sa.h"

#include <stdio.h>
#include <string.h>

#include "ike/keymat.h"
#include "ike/prf.h"

static int addr_cmp(const uint8_t *a, const uint8_t *b, size_t len)
{
	return memcmp(a, b, len);
}

void ts_host(const uint8_t *addr, size_t len, struct ts *out)
{
	memset(out, 0, sizeof(*out));
	out->type = len == 16 ? TS_IPV6_ADDR_RANGE : TS_IPV4_ADDR_RANGE;
	out->end_port = 65535;
	memcpy(out->start, addr, len);
	memcpy(out->end, addr, len);
}

/* The intersection of a and b into out; false when empty. */
static bool intersect(const struct ts *a, const struct ts *b, struct ts *out)
{
	size_t len = ts_addr_len(a);

	if (a->type != b->type)
		return false;
	if (a->protocol && b->protocol && a->protocol != b->protocol)
		return false;
	*out = *a;
	out->dynamic = false;
	out->protocol = a->protocol ? a->protocol : b->protocol;
	out->start_port = a->start_port > b->start_port ? a->start_port : b->start_port;
	out->end_port = a->end_port < b->end_port ? a->end_port : b->end_port;
	if (addr_cmp(b->start, a->start, len) > 0)
		memcpy(out->start, b->start, len);
	if (addr_cmp(b->end, a->end, len) < 0)
		memcpy(out->end, b->end, len);
	return out->start_port <= out->end_port &&
	       addr_cmp(out->start, out->end, len) <= 0;
}

static bool contains(const struct ts *list, size_t n, const struct ts *ts)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(&list[i], ts, sizeof(*ts)) == 0)
			return true;
	return false;
}

static void add_narrowed(const struct ts *c, const struct ts *peer,
			 size_t n_peer, struct ts *out, size_t *n, size_t max)
{
	struct ts x;

	for (size_t p = 0; p < n_peer && *n < max; p++)
		if (intersect(c, &peer[p], &x) && !contains(out, *n, &x))
			out[(*n)++] = x;
}

size_t ts_narrow(const struct ts *configured, size_t n_configured,
		 const struct ts *peer, size_t n_peer,
		 const uint8_t (*dyn)[16], const size_t *dyn_len, size_t n_dyn,
		 struct ts *out, size_t max)
{
	size_t n = 0;

	for (size_t c = 0; c < n_configured; c++) {
		struct ts host;

		if (!configured[c].dynamic) {
			add_narrowed(&configured[c], peer, n_peer, out, &n, max);
			continue;
		}
		for (size_t d = 0; d < n_dyn; d++) {
			ts_host(dyn[d], dyn_len[d], &host);
			host.protocol = configured[c].protocol;
			host.start_port = configured[c].start_port;
			host.end_port = configured[c].end_port;
			add_narrowed(&host, peer, n_peer, out, &n, max);
		}
	}
	return n;
}

void ts_list_format(const struct ts *ts, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		char one[128];

		ts_format(&ts[i], one, sizeof(one));
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? " " : "", one);
	}
}

void child_describe(const struct child_sa *child, char *buf, size_t len)
{
	char local[512], remote[512];

	ts_list_format(child->local_ts, child->n_local_ts, local, sizeof(local));
	ts_list_format(child->remote_ts, child->n_remote_ts, remote, sizeof(remote));
	snprintf(buf, len, "with SPIs %08x_i %08x_o and TS %s === %s",
		 child->spi_in, child->spi_out, local, remote);
}

size_t child_keymat_len(const struct proposal *p)
{
	const struct transform *encr = proposal_first(p, TRANS_ENCR);
	const struct transform *integ = proposal_first(p, TRANS_INTEG);
	size_t e, i = 0;

	if (!encr)
		return 0;
	e = encr_key_len(encr->id, encr->key_length);
	if (e == 0)
		return 0;
	if (integ && integ->id != INTEG_NONE) {
		i = integ_key_len(integ->id);
		if (i == 0)
			return 0;
	}
	return 2 * (e + i);
}
