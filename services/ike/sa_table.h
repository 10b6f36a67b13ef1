/* The IKE_SA table: every IKE_SA this daemon holds, looked up by unique
 * id or by SPIs; shared between the packet path and RPC handlers, so
 * every access takes the table lock. */
#ifndef CYGNET_IKE_SA_TABLE_H
#define CYGNET_IKE_SA_TABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "ike.pb-c.h"
#include "ike/child_sa.h"
#include "ike/config.h"
#include "ike/fragment.h"
#include "ike/keymat.h"
#include "ike/payload.h"

#define IKE_SA_MAX_VIPS 4

enum ike_sa_state {
	IKE_SA_CREATED,
	IKE_SA_CONNECTING,
	IKE_SA_ESTABLISHED,
	IKE_SA_DELETING,
	IKE_SA_REKEYED,		/* replaced, waiting for the peer's DELETE */
};
#define IKE_SA_STATES (IKE_SA_REKEYED + 1)

struct ike_sa_vip {
	char pool[64];
	uint8_t addr[16];
	uint8_t addr_len;	/* 4 or 16 */
	char identity[256];
};

/* An IKE_SA as the responder holds it.  Only the packet thread touches
 * the exchange state; RPC threads read the virtual IPs under the table
 * lock. */
struct eap_conv;
struct our_request;
struct initiating;

struct ike_sa {
	uint64_t unique_id;
	uint64_t spi_i;		/* as on the wire (network order) */
	uint64_t spi_r;
	char conn[64];
	enum ike_sa_state state;
	size_t n_vips;
	struct ike_sa_vip vips[IKE_SA_MAX_VIPS];
	/* The peer's CFG_REPLY to our vips = request: on our interface
	 * through the kernel service (own_vip.c). */
	size_t n_own_vips;
	struct ike_sa_vip own_vips[IKE_SA_MAX_VIPS];
	/* Touched by the worker of the SA only (and listings under the
	 * table lock). */
	size_t n_children;
	struct child_sa children[CHILD_SA_MAX];

	struct sockaddr_storage local;
	struct sockaddr_storage remote;
	time_t created;		/* CLOCK_MONOTONIC seconds */
	struct proposal proposal;
	struct ike_keys keys;
	uint8_t ni[NONCE_MAX];
	size_t ni_len;
	uint8_t nr[NONCE_MAX];
	size_t nr_len;
	bool peer_frag_supported;
	enum fragmentation fragmentation;	/* the connection's setting */
	bool nat;			/* NAT detected: ESP in UDP */
	/* The peer's IKE_SA_INIT request and our response: each side signs
	 * its own in IKE_AUTH (RFC 7296 2.15). */
	uint8_t *init_request;
	size_t init_request_len;
	uint8_t *init_response;
	size_t init_response_len;
	/* A worker handles a request of this SA; the packet thread leaves
	 * the SA alone until it is done (one request at a time). */
	atomic_bool busy;
	char local_id[512];
	char remote_id[512];
	time_t established;		/* CLOCK_MONOTONIC seconds, 0 before */
	time_t reauth_at;		/* the same clock, 0 none (lifetime.c) */
	char remote_eap_id[512];	/* "" without EAP */
	/* The next request we expect and the last response, resent for a
	 * retransmitted request (window of 1). */
	uint32_t next_request_id;
	uint32_t last_response_id;
	uint8_t *last_response;	/* the packets, back to back */
	size_t last_response_len;
	size_t last_response_count;
	size_t last_response_lens[FRAGMENTS_MAX_DEFAULT];
	struct reassembly reassembly;
	/* EAP in IKE_AUTH (eap.c), NULL otherwise; one flat allocation. */
	struct eap_conv *eap;

	/* Our side as the requester (request_out.c).  initiator: we sent
	 * the IKE_SA_INIT request, so our keys are SK_ei/SK_ai and our
	 * messages carry the initiator flag (sa_role.c). */
	bool initiator;
	uint32_t our_next_id;		/* message ID of our next request */
	struct our_request *request;	/* the one outstanding, or NULL */
	/* IKE_SA_INIT and IKE_AUTH as the initiator (initiate.c), NULL
	 * once established or as the responder. */
	struct initiating *initiating;
	uint8_t initiated;		/* enum initiate_progress (initiate.h) */
	/* What our outstanding INFORMATIONAL request does (delete.h). */
	uint8_t info_kind;		/* enum info_kind */
	uint32_t info_child;		/* CHILD_SA unique id it deletes */
	time_t last_received;		/* monotonic s, last authentic message */
	time_t last_keepalive;		/* monotonic s, NAT keep-alive sent */
	bool local_nat;			/* we are behind a NAT: keep-alives */
	/* Set when established: the connection's, 0 = no DPD. */
	long dpd_delay;
	int dpd_action;			/* enum child_action of the child */

	struct ike_sa *next;
};

struct sa_table;

struct sa_table *sa_table_create(void);
void sa_table_destroy(struct sa_table *table);

/* Adds an SA in state CREATED and returns its unique id (from 1), or 0
 * when out of memory. */
uint64_t sa_table_add(struct sa_table *table, uint64_t spi_i, uint64_t spi_r);
int sa_table_remove(struct sa_table *table, uint64_t unique_id);
/* An SA for the responder's side of IKE_SA_INIT or an IKE_SA rekeying:
 * the initiator's SPI and a random one of ours; NULL when out of
 * memory or randomness. */
struct ike_sa *sa_table_add_responder(struct sa_table *table,
				      const uint8_t spi_i[8]);
/* Lookups for the packet thread; the SA stays valid until that thread
 * removes it. */
struct ike_sa *sa_table_find_spis(struct sa_table *table, uint64_t spi_i,
				  uint64_t spi_r);
/* A half-open SA by the initiator's SPI and address (retransmitted
 * IKE_SA_INIT requests carry no responder SPI). */
struct ike_sa *sa_table_find_half_open(struct sa_table *table, uint64_t spi_i,
				       const struct sockaddr_storage *remote);
/* "192.0.2.2[vpn.example.org]...192.0.2.1[pc1]": the endpoints and
 * identities as charon's IKE_SA log lines show them. */
void ike_sa_endpoints(const struct ike_sa *sa, char *buf, size_t len);
/* Seconds on CLOCK_MONOTONIC, the clock of ike_sa.created. */
time_t sa_table_now(void);

/* How many SAs are in each state (by_state[IKE_SA_STATES]) and how
 * many CHILD_SAs they hold. */
void sa_table_count_states(struct sa_table *table, size_t *by_state,
			   size_t *children);
/* SAs still in IKE_SA_INIT (CONNECTING). */
size_t sa_table_count_half_open(struct sa_table *table);
/* Of those, the ones with a peer at remote's address (any port). */
size_t sa_table_count_half_open_from(struct sa_table *table,
				     const struct sockaddr_storage *remote);
/* Removes CONNECTING SAs created before cutoff (monotonic seconds),
 * logging each; returns how many. */
size_t sa_table_expire_half_open(struct sa_table *table, time_t cutoff);

/* Frees SAs in state DELETING that no worker uses any more; returns
 * how many. */
size_t sa_table_reap(struct sa_table *table);

/* Keeps resp as the response to request message_id (copied). */
int sa_table_cache_response(struct ike_sa *sa, uint32_t message_id,
			    const uint8_t *resp, size_t len);
/* Appends one more packet (fragment) to the cached response. */
int sa_table_cache_append(struct ike_sa *sa, const uint8_t *resp, size_t len);
/* Keeps copies of the IKE_SA_INIT messages for AUTH. */
int sa_table_keep_init(struct ike_sa *sa, const uint8_t *request,
		       size_t request_len, const uint8_t *response,
		       size_t response_len);
size_t sa_table_count(const struct sa_table *table);

int sa_table_set_state(struct sa_table *table, uint64_t unique_id,
		       enum ike_sa_state state, const char *conn);
/* Records a virtual IP assigned to the SA's peer; -1 if no such SA or
 * no room. */
int sa_table_add_vip(struct sa_table *table, uint64_t unique_id,
		     const struct ike_sa_vip *vip);

/* Established SAs of connection conn with peer identity remote_id other
 * than except_id that no worker uses: marked busy (the caller then owns
 * them, see exchange_sa_gone) and stored in out.  Returns how many. */
size_t sa_table_claim_duplicates(struct sa_table *table, uint64_t except_id,
				 const char *conn, const char *remote_id,
				 struct ike_sa **out, size_t max);

/* Our initiating SA learns the responder's SPI from its IKE_SA_INIT
 * response (initiate.c). */
void sa_table_set_spi_r(struct sa_table *table, struct ike_sa *sa,
			uint64_t spi_r);

/* The SA with unique_id unless a worker uses it or it is being deleted:
 * marked busy (the caller owns it until it clears busy), else NULL. */
struct ike_sa *sa_table_claim(struct sa_table *table, uint64_t unique_id);

/* Pointers to all SAs (allocated, free()); for the packet thread only,
 * whose reaping is what frees SAs. */
struct ike_sa **sa_table_pointers(struct sa_table *table, size_t *count);

/* Copies of all SAs (allocated, free()), taken under the lock. */
struct ike_sa *sa_table_snapshot(struct sa_table *table, size_t *count);

/* A CHILD_SA's arrival and departure on its IKE_SA, under the lock so
 * listings see whole entries; -1 when there is no room / no such. */
int sa_table_add_child(struct sa_table *table, struct ike_sa *sa,
		       const struct child_sa *child);
int sa_table_remove_child(struct sa_table *table, struct ike_sa *sa,
			  size_t index);
/* Replaces the CHILD_SA at index; -1 when there is no such. */
int sa_table_update_child(struct sa_table *table, struct ike_sa *sa,
			  size_t index, const struct child_sa *child);
/* IKE_SA rekeying (RFC 7296 2.18): the CHILD_SAs and virtual IPs of
 * from go to to, which becomes ESTABLISHED under from's connection;
 * from becomes REKEYED. */
void sa_table_adopt(struct sa_table *table, struct ike_sa *to,
		    struct ike_sa *from);

/* Fills list with the virtual IPs of all SAs that are not being
 * deleted (allocated; free with sa_table_vips_free). */
int sa_table_list_vips(struct sa_table *table, Cygnet__VirtualIpList *list);
void sa_table_vips_free(Cygnet__VirtualIpList *list);

#endif
