#include "ike/sa_table.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/initiate.h"
#include "ike/request_out.h"
#include "ike/socket.h"
#include "log.h"

/* Open addressing with linear probing over SA pointers, keyed by a
 * field that never changes once the SA is in the table: the initiator's
 * SPI (half-open and established lookups both have it) or the unique
 * id.  Initiator SPIs come from peers, so the hash is keyed with a
 * random seed and the load kept at most one half. */
struct sa_index {
	struct ike_sa **slots;
	size_t mask;		/* capacity - 1, capacity a power of two */
	size_t used;
	uint64_t (*key)(const struct ike_sa *sa);
};

#define INDEX_MIN_SLOTS 64

struct sa_table {
	pthread_mutex_t lock;
	struct ike_sa *head;	/* every SA, for walks */
	struct sa_index by_spi_i;
	struct sa_index by_id;
	uint64_t seed;
	size_t count;
	size_t half_open;	/* SAs in IKE_SA_CONNECTING */
	uint64_t next_id;
};

static uint64_t key_spi_i(const struct ike_sa *sa)
{
	return sa->spi_i;
}

static uint64_t key_id(const struct ike_sa *sa)
{
	return sa->unique_id;
}

/* splitmix64's finalizer over the seeded key. */
static size_t slot_of(const struct sa_table *t, const struct sa_index *ix,
		      uint64_t key)
{
	uint64_t z = key ^ t->seed;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (size_t)(z ^ (z >> 31)) & ix->mask;
}

static int index_init(struct sa_index *ix, size_t slots,
		      uint64_t (*key)(const struct ike_sa *sa))
{
	ix->slots = calloc(slots, sizeof(*ix->slots));
	ix->mask = slots - 1;
	ix->used = 0;
	ix->key = key;
	return ix->slots ? 0 : -1;
}

static void index_put(const struct sa_table *t, struct sa_index *ix,
		      struct ike_sa *sa)
{
	size_t i = slot_of(t, ix, ix->key(sa));

	while (ix->slots[i])
		i = (i + 1) & ix->mask;
	ix->slots[i] = sa;
	ix->used++;
}

/* Doubles the slots before the load passes one half. */
static int index_reserve(const struct sa_table *t, struct sa_index *ix)
{
	struct sa_index bigger;

	if (2 * (ix->used + 1) <= ix->mask + 1)
		return 0;
	if (index_init(&bigger, 2 * (ix->mask + 1), ix->key) < 0)
		return -1;
	for (size_t i = 0; i <= ix->mask; i++)
		if (ix->slots[i])
			index_put(t, &bigger, ix->slots[i]);
	free(ix->slots);
	*ix = bigger;
	return 0;
}

/* Removes sa; the entries after it in its probe run move back so no
 * lookup stops at the hole (no tombstones). */
static void index_del(const struct sa_table *t, struct sa_index *ix,
		      const struct ike_sa *sa)
{
	size_t i = slot_of(t, ix, ix->key(sa)), j;

	while (ix->slots[i] && ix->slots[i] != sa)
		i = (i + 1) & ix->mask;
	if (!ix->slots[i])
		return;
	ix->slots[i] = NULL;
	ix->used--;
	for (j = (i + 1) & ix->mask; ix->slots[j]; j = (j + 1) & ix->mask) {
		size_t home = slot_of(t, ix, ix->key(ix->slots[j]));

		/* Stays if its home lies cyclically in (i, j]. */
		if (((j - home) & ix->mask) < ((j - i) & ix->mask))
			continue;
		ix->slots[i] = ix->slots[j];
		ix->slots[j] = NULL;
		i = j;
	}
}

/* The first slot of key's probe run; walk on while slots are taken. */
#define INDEX_FOR_EACH(t, ix, k, i)                                         \
	for (size_t i = slot_of(t, ix, k); (ix)->slots[i];                 \
	     i = (i + 1) & (ix)->mask)

/* Caller holds the lock. */
static struct ike_sa *find_id(struct sa_table *table, uint64_t unique_id)
{
	INDEX_FOR_EACH(table, &table->by_id, unique_id, i)
		if (table->by_id.slots[i]->unique_id == unique_id)
			return table->by_id.slots[i];
	return NULL;
}

struct sa_table *sa_table_create(void)
{
	struct sa_table *table = calloc(1, sizeof(*table));

	if (!table)
		return NULL;
	if (RAND_bytes((uint8_t *)&table->seed, sizeof(table->seed)) != 1 ||
	    index_init(&table->by_spi_i, INDEX_MIN_SLOTS, key_spi_i) < 0 ||
	    index_init(&table->by_id, INDEX_MIN_SLOTS, key_id) < 0) {
		free(table->by_spi_i.slots);
		free(table);
		return NULL;
	}
	pthread_mutex_init(&table->lock, NULL);
	table->next_id = 1;
	return table;
}

static void sa_free(struct ike_sa *sa)
{
	free(sa->last_response);
	free(sa->init_request);
	free(sa->init_response);
	free(sa->eap);
	request_free(sa->request);
	initiating_free(sa->initiating);
	if (sa->reassembly.budget)
		reassembly_reset(&sa->reassembly);
	OPENSSL_cleanse(&sa->keys, sizeof(sa->keys));
	free(sa);
}

void sa_table_destroy(struct sa_table *table)
{
	if (!table)
		return;
	while (table->head) {
		struct ike_sa *next = table->head->next;

		sa_free(table->head);
		table->head = next;
	}
	free(table->by_spi_i.slots);
	free(table->by_id.slots);
	pthread_mutex_destroy(&table->lock);
	free(table);
}

uint64_t sa_table_add(struct sa_table *table, uint64_t spi_i, uint64_t spi_r)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	uint64_t id;

	if (!sa)
		return 0;
	sa->spi_i = spi_i;
	sa->spi_r = spi_r;
	sa->state = IKE_SA_CREATED;
	pthread_mutex_lock(&table->lock);
	if (index_reserve(table, &table->by_spi_i) < 0 ||
	    index_reserve(table, &table->by_id) < 0) {
		pthread_mutex_unlock(&table->lock);
		free(sa);
		return 0;
	}
	id = sa->unique_id = table->next_id++;
	sa->next = table->head;
	table->head = sa;
	table->count++;
	index_put(table, &table->by_spi_i, sa);
	index_put(table, &table->by_id, sa);
	pthread_mutex_unlock(&table->lock);
	return id;
}

struct ike_sa *sa_table_add_responder(struct sa_table *table,
				      const uint8_t spi_i[8])
{
	uint64_t spi_r = 0, id, initiator;

	memcpy(&initiator, spi_i, 8);
	while (spi_r == 0)
		if (RAND_bytes((uint8_t *)&spi_r, 8) != 1)
			return NULL;
	id = sa_table_add(table, initiator, spi_r);
	return id ? sa_table_find_spis(table, initiator, spi_r) : NULL;
}

/* Caller holds the lock. */
static struct ike_sa **find_link(struct sa_table *table, uint64_t unique_id)
{
	struct ike_sa **link = &table->head;

	while (*link && (*link)->unique_id != unique_id)
		link = &(*link)->next;
	return link;
}

/* Caller holds the lock. */
static void unlink_sa(struct sa_table *table, struct ike_sa **link)
{
	struct ike_sa *sa = *link;

	*link = sa->next;
	index_del(table, &table->by_spi_i, sa);
	index_del(table, &table->by_id, sa);
	table->count--;
	if (sa->state == IKE_SA_CONNECTING)
		table->half_open--;
}

int sa_table_remove(struct sa_table *table, uint64_t unique_id)
{
	struct ike_sa **link, *sa;

	pthread_mutex_lock(&table->lock);
	link = find_link(table, unique_id);
	sa = *link;
	if (sa)
		unlink_sa(table, link);
	pthread_mutex_unlock(&table->lock);
	if (sa)
		sa_free(sa);
	return sa ? 0 : -1;
}

struct ike_sa *sa_table_find_spis(struct sa_table *table, uint64_t spi_i,
				  uint64_t spi_r)
{
	struct ike_sa *found = NULL;

	pthread_mutex_lock(&table->lock);
	INDEX_FOR_EACH(table, &table->by_spi_i, spi_i, i) {
		struct ike_sa *sa = table->by_spi_i.slots[i];

		if (sa->spi_i == spi_i && sa->spi_r == spi_r) {
			found = sa;
			break;
		}
	}
	pthread_mutex_unlock(&table->lock);
	return found;
}

static bool same_endpoint(const struct sockaddr_storage *a,
			  const struct sockaddr_storage *b)
{
	size_t len = a->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						sizeof(struct sockaddr_in);

	return a->ss_family == b->ss_family && memcmp(a, b, len) == 0;
}

struct ike_sa *sa_table_find_half_open(struct sa_table *table, uint64_t spi_i,
				       const struct sockaddr_storage *remote)
{
	struct ike_sa *found = NULL;

	pthread_mutex_lock(&table->lock);
	INDEX_FOR_EACH(table, &table->by_spi_i, spi_i, i) {
		struct ike_sa *sa = table->by_spi_i.slots[i];

		if (sa->spi_i == spi_i && sa->state == IKE_SA_CONNECTING &&
		    same_endpoint(&sa->remote, remote)) {
			found = sa;
			break;
		}
	}
	pthread_mutex_unlock(&table->lock);
	return found;
}

time_t sa_table_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

size_t sa_table_count_half_open(struct sa_table *table)
{
	size_t n;

	pthread_mutex_lock(&table->lock);
	n = table->half_open;
	pthread_mutex_unlock(&table->lock);
	return n;
}

void sa_table_count_states(struct sa_table *table, size_t *by_state,
			   size_t *children)
{
	memset(by_state, 0, IKE_SA_STATES * sizeof(*by_state));
	*children = 0;
	pthread_mutex_lock(&table->lock);
	for (const struct ike_sa *sa = table->head; sa; sa = sa->next) {
		if ((unsigned)sa->state < IKE_SA_STATES)
			by_state[sa->state]++;
		*children += sa->n_children;
	}
	pthread_mutex_unlock(&table->lock);
}

static bool same_host(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	uint8_t x[16], y[16];
	size_t len = sockaddr_addr(a, x);

	return a->ss_family == b->ss_family && len == sockaddr_addr(b, y) &&
	       memcmp(x, y, len) == 0;
}

size_t sa_table_count_half_open_from(struct sa_table *table,
				     const struct sockaddr_storage *remote)
{
	size_t n = 0;

	pthread_mutex_lock(&table->lock);
	for (const struct ike_sa *sa = table->head; sa; sa = sa->next)
		n += sa->state == IKE_SA_CONNECTING &&
		     same_host(&sa->remote, remote);
	pthread_mutex_unlock(&table->lock);
	return n;
}

static void log_expired(const struct ike_sa *sa)
{
	char host[INET6_ADDRSTRLEN];

	sockaddr_host(&sa->remote, host, sizeof(host));
	DBG1(LOG_IKE, "deleting half open IKE_SA with %s after timeout", host);
}

size_t sa_table_expire_half_open(struct sa_table *table, time_t cutoff)
{
	struct ike_sa **link = &table->head, *expired = NULL;
	size_t n = 0;

	pthread_mutex_lock(&table->lock);
	while (*link) {
		struct ike_sa *sa = *link;

		/* Ours end with their retransmits (request_out.c). */
		if (sa->state != IKE_SA_CONNECTING || sa->created >= cutoff ||
		    sa->busy || sa->initiator) {
			link = &sa->next;
			continue;
		}
		unlink_sa(table, link);
		sa->next = expired;
		expired = sa;
		n++;
	}
	pthread_mutex_unlock(&table->lock);
	while (expired) {
		struct ike_sa *next = expired->next;

		log_expired(expired);
		sa_free(expired);
		expired = next;
	}
	return n;
}

size_t sa_table_reap(struct sa_table *table)
{
	struct ike_sa **link = &table->head, *gone = NULL;
	size_t n = 0;

	pthread_mutex_lock(&table->lock);
	while (*link) {
		struct ike_sa *sa = *link;

		if (sa->state != IKE_SA_DELETING || sa->busy) {
			link = &sa->next;
			continue;
		}
		unlink_sa(table, link);
		sa->next = gone;
		gone = sa;
		n++;
	}
	pthread_mutex_unlock(&table->lock);
	while (gone) {
		struct ike_sa *next = gone->next;

		sa_free(gone);
		gone = next;
	}
	return n;
}

int sa_table_cache_response(struct ike_sa *sa, uint32_t message_id,
			    const uint8_t *resp, size_t len)
{
	uint8_t *copy = malloc(len);

	if (!copy)
		return -1;
	memcpy(copy, resp, len);
	free(sa->last_response);
	sa->last_response = copy;
	sa->last_response_len = len;
	sa->last_response_count = 1;
	sa->last_response_lens[0] = len;
	sa->last_response_id = message_id;
	return 0;
}

int sa_table_cache_append(struct ike_sa *sa, const uint8_t *resp, size_t len)
{
	uint8_t *grown;

	if (sa->last_response_count >= FRAGMENTS_MAX_DEFAULT)
		return -1;
	grown = realloc(sa->last_response, sa->last_response_len + len);
	if (!grown)
		return -1;
	memcpy(grown + sa->last_response_len, resp, len);
	sa->last_response = grown;
	sa->last_response_len += len;
	sa->last_response_lens[sa->last_response_count++] = len;
	return 0;
}

static uint8_t *copy_of(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len);

	if (copy)
		memcpy(copy, data, len);
	return copy;
}

int sa_table_keep_init(struct ike_sa *sa, const uint8_t *request,
		       size_t request_len, const uint8_t *response,
		       size_t response_len)
{
	free(sa->init_request);
	free(sa->init_response);
	sa->init_request = copy_of(request, request_len);
	sa->init_response = copy_of(response, response_len);
	sa->init_request_len = request_len;
	sa->init_response_len = response_len;
	return sa->init_request && sa->init_response ? 0 : -1;
}

size_t sa_table_count(const struct sa_table *table)
{
	size_t count;

	pthread_mutex_lock((pthread_mutex_t *)&table->lock);
	count = table->count;
	pthread_mutex_unlock((pthread_mutex_t *)&table->lock);
	return count;
}

int sa_table_set_state(struct sa_table *table, uint64_t unique_id,
		       enum ike_sa_state state, const char *conn)
{
	struct ike_sa *sa;

	pthread_mutex_lock(&table->lock);
	sa = find_id(table, unique_id);
	if (sa) {
		table->half_open += state == IKE_SA_CONNECTING;
		table->half_open -= sa->state == IKE_SA_CONNECTING;
		sa->state = state;
		if (conn)
			snprintf(sa->conn, sizeof(sa->conn), "%s", conn);
	}
	pthread_mutex_unlock(&table->lock);
	return sa ? 0 : -1;
}

int sa_table_add_vip(struct sa_table *table, uint64_t unique_id,
		     const struct ike_sa_vip *vip)
{
	struct ike_sa *sa;
	int rc = -1;

	if (vip->addr_len != 4 && vip->addr_len != 16)
		return -1;
	pthread_mutex_lock(&table->lock);
	sa = find_id(table, unique_id);
	if (sa && sa->n_vips < IKE_SA_MAX_VIPS) {
		sa->vips[sa->n_vips++] = *vip;
		rc = 0;
	}
	pthread_mutex_unlock(&table->lock);
	return rc;
}

size_t sa_table_claim_duplicates(struct sa_table *table, uint64_t except_id,
				 const char *conn, const char *remote_id,
				 struct ike_sa **out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&table->lock);
	for (struct ike_sa *sa = table->head; sa && n < max; sa = sa->next) {
		if (sa->unique_id == except_id || sa->state != IKE_SA_ESTABLISHED ||
		    sa->busy || strcmp(sa->conn, conn) != 0 ||
		    strcmp(sa->remote_id, remote_id) != 0)
			continue;
		sa->busy = true;
		out[n++] = sa;
	}
	pthread_mutex_unlock(&table->lock);
	return n;
}

struct ike_sa *sa_table_snapshot(struct sa_table *table, size_t *count)
{
	struct ike_sa *copies;
	size_t n = 0;

	pthread_mutex_lock(&table->lock);
	copies = calloc(table->count ? table->count : 1, sizeof(*copies));
	for (const struct ike_sa *sa = table->head; sa && copies; sa = sa->next) {
		copies[n] = *sa;
		/* Only the plain fields travel. */
		copies[n].last_response = NULL;
		copies[n].init_request = copies[n].init_response = NULL;
		copies[n].next = NULL;
		memset(&copies[n].reassembly, 0, sizeof(copies[n].reassembly));
		n++;
	}
	pthread_mutex_unlock(&table->lock);
	*count = n;
	return copies;
}

int sa_table_add_child(struct sa_table *table, struct ike_sa *sa,
		       const struct child_sa *child)
{
	int rc = -1;

	pthread_mutex_lock(&table->lock);
	if (sa->n_children < CHILD_SA_MAX) {
		sa->children[sa->n_children++] = *child;
		rc = 0;
	}
	pthread_mutex_unlock(&table->lock);
	return rc;
}

int sa_table_remove_child(struct sa_table *table, struct ike_sa *sa,
			  size_t index)
{
	int rc = -1;

	pthread_mutex_lock(&table->lock);
	if (index < sa->n_children) {
		sa->children[index] = sa->children[--sa->n_children];
		rc = 0;
	}
	pthread_mutex_unlock(&table->lock);
	return rc;
}

int sa_table_update_child(struct sa_table *table, struct ike_sa *sa,
			  size_t index, const struct child_sa *child)
{
	int rc = -1;

	pthread_mutex_lock(&table->lock);
	if (index < sa->n_children) {
		sa->children[index] = *child;
		rc = 0;
	}
	pthread_mutex_unlock(&table->lock);
	return rc;
}

void sa_table_adopt(struct sa_table *table, struct ike_sa *to,
		    struct ike_sa *from)
{
	pthread_mutex_lock(&table->lock);
	memcpy(to->children, from->children, sizeof(to->children));
	to->n_children = from->n_children;
	from->n_children = 0;
	memcpy(to->vips, from->vips, sizeof(to->vips));
	to->n_vips = from->n_vips;
	from->n_vips = 0;
	memcpy(to->own_vips, from->own_vips, sizeof(to->own_vips));
	to->n_own_vips = from->n_own_vips;
	from->n_own_vips = 0;
	memcpy(to->conn, from->conn, sizeof(to->conn));
	table->half_open -= to->state == IKE_SA_CONNECTING;
	to->state = IKE_SA_ESTABLISHED;
	from->state = IKE_SA_REKEYED;
	pthread_mutex_unlock(&table->lock);
}

static size_t count_vips(const struct sa_table *table)
{
	size_t n = 0;

	for (const struct ike_sa *sa = table->head; sa; sa = sa->next)
		if (sa->state != IKE_SA_DELETING)
			n += sa->n_vips;
	return n;
}

/* One VirtualIp with its Address in a single allocation. */
struct vip_entry {
	Cygnet__VirtualIp vip;
	Cygnet__Address address;
	uint8_t ip[16];
	char pool[64];
	char identity[256];
};

static Cygnet__VirtualIp *vip_entry(const struct ike_sa *sa,
				    const struct ike_sa_vip *v)
{
	struct vip_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	cygnet__virtual_ip__init(&e->vip);
	cygnet__address__init(&e->address);
	memcpy(e->ip, v->addr, v->addr_len);
	memcpy(e->pool, v->pool, sizeof(e->pool));
	memcpy(e->identity, v->identity, sizeof(e->identity));
	e->address.ip.data = e->ip;
	e->address.ip.len = v->addr_len;
	e->vip.address = &e->address;
	e->vip.pool = e->pool;
	e->vip.identity = e->identity;
	e->vip.ike_sa_unique_id = sa->unique_id;
	return &e->vip;
}

int sa_table_list_vips(struct sa_table *table, Cygnet__VirtualIpList *list)
{
	size_t n;
	int rc = 0;

	cygnet__virtual_ip_list__init(list);
	pthread_mutex_lock(&table->lock);
	n = count_vips(table);
	list->ips = n ? calloc(n, sizeof(*list->ips)) : NULL;
	if (n && !list->ips)
		rc = -1;
	for (const struct ike_sa *sa = table->head; sa && rc == 0; sa = sa->next) {
		if (sa->state == IKE_SA_DELETING)
			continue;
		for (size_t i = 0; i < sa->n_vips && rc == 0; i++) {
			list->ips[list->n_ips] = vip_entry(sa, &sa->vips[i]);
			if (list->ips[list->n_ips])
				list->n_ips++;
			else
				rc = -1;
		}
	}
	pthread_mutex_unlock(&table->lock);
	if (rc < 0)
		sa_table_vips_free(list);
	return rc;
}

void sa_table_vips_free(Cygnet__VirtualIpList *list)
{
	/* The VirtualIp is the first member of its vip_entry. */
	for (size_t i = 0; i < list->n_ips; i++)
		free(list->ips[i]);
	free(list->ips);
	list->ips = NULL;
	list->n_ips = 0;
}

void sa_table_set_spi_r(struct sa_table *table, struct ike_sa *sa,
			uint64_t spi_r)
{
	pthread_mutex_lock(&table->lock);
	sa->spi_r = spi_r;
	pthread_mutex_unlock(&table->lock);
}

struct ike_sa *sa_table_claim(struct sa_table *table, uint64_t unique_id)
{
	struct ike_sa *sa;
	bool idle = false;

	pthread_mutex_lock(&table->lock);
	sa = find_id(table, unique_id);
	if (sa && sa->state != IKE_SA_DELETING)
		idle = atomic_compare_exchange_strong(&sa->busy, &(bool){ false },
						      true);
	pthread_mutex_unlock(&table->lock);
	return idle ? sa : NULL;
}

struct ike_sa **sa_table_pointers(struct sa_table *table, size_t *count)
{
	struct ike_sa **out, *sa;
	size_t n = 0;

	pthread_mutex_lock(&table->lock);
	out = malloc((table->count + 1) * sizeof(*out));
	for (sa = table->head; out && sa; sa = sa->next)
		out[n++] = sa;
	pthread_mutex_unlock(&table->lock);
	*count = n;
	return out;
}

void ike_sa_endpoints(const struct ike_sa *sa, char *buf, size_t len)
{
	char local[64], remote[64];

	sockaddr_host(&sa->local, local, sizeof(local));
	sockaddr_host(&sa->remote, remote, sizeof(remote));
	snprintf(buf, len, "%s[%s]...%s[%s]", local, sa->local_id, remote,
		 sa->remote_id);
}
