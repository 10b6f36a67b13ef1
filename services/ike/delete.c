/* Our DELETE and DPD requests (RFC 7296 1.4.1, 2.4). */
#include "ike/delete.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ike/child_install.h"
#include "ike/exchange.h"
#include "ike/initiate.h"
#include "ike/request_out.h"
#include "log.h"

#define INFO_CHAIN_MAX 256

void ike_sa_log_deleting(const struct ike_sa *sa)
{
	char ends[1200];

	ike_sa_endpoints(sa, ends, sizeof(ends));
	DBG1(LOG_IKE, "deleting IKE_SA %s[%llu] between %s", sa->conn,
	     (unsigned long long)sa->unique_id, ends);
}

static int send_info(struct ike_service *svc, struct ike_sa *sa,
		     enum info_kind kind, const struct delete_payload *d)
{
	uint8_t buf[INFO_CHAIN_MAX];
	struct msg_builder b;

	builder_init_chain(&b, buf, sizeof(buf));
	if (d)
		payload_delete_write(&b, d);
	sa->info_kind = kind;
	return request_send(svc, sa, INFORMATIONAL, &b);
}

int ike_sa_delete_owned(struct ike_service *svc, struct ike_sa *sa)
{
	/* A REKEYED IKE_SA we replaced ourselves (rekey_out.c) still has
	 * its keys: the peer learns from our DELETE. */
	if (sa->state != IKE_SA_ESTABLISHED && sa->state != IKE_SA_REKEYED) {
		initiating_abort(svc, sa);
		exchange_sa_gone(svc, sa);
		return 0;
	}
	if (request_pending(sa))
		return 1;
	ike_sa_log_deleting(sa);
	DBG1(LOG_IKE, "sending DELETE for IKE_SA %s[%llu]", sa->conn,
	     (unsigned long long)sa->unique_id);
	if (send_info(svc, sa, INFO_DELETE_IKE, &(struct delete_payload){
			.protocol = PROTO_IKE }) < 0)
		exchange_sa_gone(svc, sa);
	return 0;
}

static bool exists(struct ike_service *svc, uint64_t unique_id)
{
	size_t n;
	struct ike_sa *all = sa_table_snapshot(svc->sas, &n);
	bool found = false;

	for (size_t i = 0; all && i < n && !found; i++)
		found = all[i].unique_id == unique_id &&
			all[i].state != IKE_SA_DELETING;
	free(all);
	return found;
}

int ike_sa_delete(struct ike_service *svc, uint64_t unique_id)
{
	struct ike_sa *sa = sa_table_claim(svc->sas, unique_id);
	int rc;

	if (!sa)
		return exists(svc, unique_id) ? 1 : -1;
	rc = ike_sa_delete_owned(svc, sa);
	sa_release(svc, sa);
	return rc;
}

/* child_id: ours to remove once answered, 0 for none. */
static int send_child_delete(struct ike_service *svc, struct ike_sa *sa,
			     uint32_t spi_in, uint32_t child_id)
{
	uint32_t spi = htonl(spi_in);

	DBG1(LOG_IKE, "sending DELETE for ESP CHILD_SA with SPI %08x", spi_in);
	sa->info_child = child_id;
	return send_info(svc, sa, INFO_DELETE_CHILD, &(struct delete_payload){
		.protocol = PROTO_ESP, .spi_size = 4, .n_spis = 1,
		.spis = (const uint8_t *)&spi }) < 0 ? -1 : 0;
}

static int delete_child(struct ike_service *svc, struct ike_sa *sa,
			uint32_t child_id)
{
	const struct child_sa *child = NULL;

	for (size_t i = 0; i < sa->n_children && !child; i++)
		if (sa->children[i].unique_id == child_id)
			child = &sa->children[i];
	if (!child || sa->state != IKE_SA_ESTABLISHED)
		return -1;
	if (request_pending(sa))
		return 1;
	child_log_closing(child);
	return send_child_delete(svc, sa, child->spi_in, child_id);
}

int child_sa_send_delete(struct ike_service *svc, struct ike_sa *sa,
			 const struct child_sa *child)
{
	if (request_pending(sa))
		return 1;
	return send_child_delete(svc, sa, child->spi_in, child->unique_id);
}

int child_sa_delete_refused(struct ike_service *svc, struct ike_sa *sa,
			    uint32_t spi_in)
{
	if (request_pending(sa))
		return 1;
	return send_child_delete(svc, sa, spi_in, 0);
}

int child_sa_delete(struct ike_service *svc, uint64_t ike_id,
		    uint32_t child_id)
{
	struct ike_sa *sa = sa_table_claim(svc->sas, ike_id);
	int rc;

	if (!sa)
		return exists(svc, ike_id) ? 1 : -1;
	rc = delete_child(svc, sa, child_id);
	sa_release(svc, sa);
	return rc;
}

int ike_sa_send_dpd(struct ike_service *svc, struct ike_sa *sa)
{
	DBG1(LOG_IKE, "sending DPD request");
	return send_info(svc, sa, INFO_DPD, NULL);
}
