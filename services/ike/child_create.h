/* The first CHILD_SA of an IKE_SA, negotiated in IKE_AUTH. */
#ifndef CYGNET_IKE_CHILD_CREATE_H
#define CYGNET_IKE_CHILD_CREATE_H

#include "ike/cp.h"
#include "ike/ike_auth.h"

/* What a request offers for a CHILD_SA and the inputs of its KEYMAT
 * (RFC 7296 2.17): the nonces of the exchange, g^ir with PFS. */
struct child_request {
	const struct payload *sa;
	const struct payload *tsi;
	const struct payload *tsr;
	const uint8_t *ni;
	size_t ni_len;
	const uint8_t *nr;
	size_t nr_len;
	const uint8_t *gir;	/* NULL without a key exchange */
	size_t gir_len;
	/* In IKE_AUTH the CHILD_SA's keys come without a KE of their own:
	 * KE methods in the proposals (a config with PFS) are ignored. */
	bool skip_ke;
};

/* The ESP proposal and narrowed selectors of cfg for r ("dynamic" is
 * our IKE address, the peer's is its virtual IPs in leases or its IKE
 * address), a new reqid and unique id.  Returns 0, or the notify to
 * send (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE; logged). */
uint16_t child_prepare(struct ike_service *svc, const struct ike_sa *sa,
		       const struct peer_child *cfg,
		       const struct child_request *r,
		       const struct lease *leases, size_t n_leases,
		       struct child_sa *child);
/* Our SPI, the keys, the kernel state and the entry on the IKE_SA;
 * logs charon's "CHILD_SA ... established".  Returns 0, or the notify
 * to send (what was installed is removed again). */
uint16_t child_establish(struct ike_service *svc, struct ike_sa *sa,
			 const struct child_request *r,
			 struct child_sa *child);
/* The initiator's offer: a new reqid and unique id, our SPI (ALLOC_SPI)
 * in every configured ESP proposal, TSi and TSr as configured with
 * "dynamic" as the IKE addresses.  Returns 0, -1 (logged). */
int child_offer(struct ike_service *svc, const struct ike_sa *sa,
		const struct peer_child *cfg, struct child_sa *child,
		struct msg_builder *b);
/* child_offer's parts for CREATE_CHILD_SA, where Nonce and KE go
 * between SA and the selectors: the SA payload (with the proposals' KE
 * methods when with_ke), then TSi and TSr from child's selectors. */
int child_offer_sa(struct ike_service *svc, const struct ike_sa *sa,
		   const struct peer_child *cfg, bool with_ke,
		   struct child_sa *child, struct msg_builder *b);
void child_offer_ts(struct msg_builder *b, const struct child_sa *child);
/* The virtual IPs we assigned to the peer (sa->vips) as leases, which
 * stand for its "dynamic" selectors; returns how many (at most
 * CP_VIPS_MAX). */
size_t child_peer_vips(const struct ike_sa *sa, struct lease *leases);
/* The responder's answer r to child_offer: its proposal (one of ours),
 * the narrowed selectors, keys and kernel state as child_establish.
 * The peer's "dynamic" selectors are its virtual IPs, if we assigned
 * any, else its IKE address.  Returns 0, or why not as a notify type
 * (logged). */
uint16_t child_accept(struct ike_service *svc, struct ike_sa *sa,
		      const struct peer_child *cfg,
		      const struct child_request *r, struct child_sa *child);
/* SA with our SPI; TSi and TSr as narrowed. */
void child_write_sa(struct msg_builder *b, const struct child_sa *child);
void child_write_ts(struct msg_builder *b, const struct child_sa *child);

/* Appends SA, TSi, TSr and returns 0, or returns the notify saying why
 * not (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE), which the caller sends after
 * its other payloads as charon orders them; the IKE_SA stays either way. */
uint16_t child_create(struct ike_service *svc, struct ike_sa *sa,
		      const struct peer_cfg *cfg, const struct auth_request *r,
		      const struct lease *leases, size_t n_leases,
		      struct msg_builder *b);

#endif
