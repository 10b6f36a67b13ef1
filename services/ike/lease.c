#include "ike/lease.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "pool.pb-c.h"

#define POOL_TIMEOUT_MS 3000

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static void addr_text(const uint8_t *addr, size_t len, char *buf, size_t buflen)
{
	if (all_zero(addr, len))
		snprintf(buf, buflen, "%s", len == 16 ? "%any6" : "%any");
	else
		inet_ntop(len == 16 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)buflen);
}

static void store_lease(const Cygnet__Lease *l, struct lease *out)
{
	out->addr_len = l->address->ip.len;
	memcpy(out->addr, l->address->ip.data, out->addr_len);
	out->n_attrs = 0;
	for (size_t i = 0; i < l->n_attributes && out->n_attrs < LEASE_ATTRS_MAX; i++) {
		struct lease_attr *a = &out->attrs[out->n_attrs];

		if (l->attributes[i]->value.len > LEASE_ATTR_VALUE_MAX ||
		    l->attributes[i]->type > UINT16_MAX)
			continue;
		a->type = (uint16_t)l->attributes[i]->type;
		a->len = l->attributes[i]->value.len;
		memcpy(a->value, l->attributes[i]->value.data, a->len);
		out->n_attrs++;
	}
}

static void remember(struct ike_service *svc, struct ike_sa *sa,
		     const char *pool, const struct lease *l,
		     const char *identity)
{
	struct ike_sa_vip vip = { .addr_len = (uint8_t)l->addr_len };

	snprintf(vip.pool, sizeof(vip.pool), "%s", pool);
	snprintf(vip.identity, sizeof(vip.identity), "%s", identity);
	memcpy(vip.addr, l->addr, l->addr_len);
	if (sa_table_add_vip(svc->sas, sa->unique_id, &vip) < 0)
		DBG1(LOG_IKE, "no room to record virtual IP on IKE_SA");
}

static const char *how_text(Cygnet__Lease__How how)
{
	switch (how) {
	case CYGNET__LEASE__HOW__REASSIGNED_OFFLINE:
		return "reassigning offline lease to";
	case CYGNET__LEASE__HOW__REASSIGNED_ONLINE:
		return "reassigning online lease to";
	case CYGNET__LEASE__HOW__TAKEN_OVER:
		return "reassigning existing offline lease by";
	default:
		return "assigning new lease to";
	}
}

int lease_acquire(struct ike_service *svc, struct ike_sa *sa,
		  const struct peer_cfg *cfg, const char *identity,
		  const uint8_t *requested, size_t len, struct lease *out)
{
	Cygnet__AcquireRequest req = CYGNET__ACQUIRE_REQUEST__INIT;
	Cygnet__Identity id = CYGNET__IDENTITY__INIT;
	Cygnet__Address addr = CYGNET__ADDRESS__INIT;
	char *pools[CONFIG_MAX_POOLS], text[INET6_ADDRSTRLEN + 8];
	const Cygnet__Lease *l;
	struct rpc_result result;
	int rc = -1;

	addr_text(requested, len, text, sizeof(text));
	DBG1(LOG_IKE, "peer requested virtual IP %s", text);
	for (size_t i = 0; i < cfg->n_pools; i++)
		pools[i] = (char *)cfg->pools[i];
	id.text = (char *)identity;
	addr.ip = (ProtobufCBinaryData){ len, (uint8_t *)requested };
	req.pools = pools;
	req.n_pools = cfg->n_pools;
	req.identity = &id;
	req.requested = &addr;
	rpc_call(svc->pool, CYGNET__POOL_METHOD__POOL_ACQUIRE, &req.base,
		 &cygnet__lease__descriptor, POOL_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_IKE, "no virtual IP found for %s requested by '%s': %s",
		     text, identity, result.error);
		return -1;
	}
	l = (const Cygnet__Lease *)result.reply;
	if (l->address && (l->address->ip.len == 4 || l->address->ip.len == 16)) {
		store_lease(l, out);
		addr_text(out->addr, out->addr_len, text, sizeof(text));
		DBG1(LOG_CFG, "%s '%s'", how_text(l->how), identity);
		DBG1(LOG_IKE, "assigning virtual IP %s to peer '%s'", text, identity);
		remember(svc, sa, l->pool, out, identity);
		rc = 0;
	} else {
		DBG1(LOG_IKE, "pool service returned no address for '%s'", identity);
	}
	protobuf_c_message_free_unpacked(result.reply, NULL);
	return rc;
}

static void release(struct ike_service *svc, const struct ike_sa_vip *vip)
{
	Cygnet__ReleaseRequest req = CYGNET__RELEASE_REQUEST__INIT;
	Cygnet__Identity id = CYGNET__IDENTITY__INIT;
	Cygnet__Address addr = CYGNET__ADDRESS__INIT;
	struct rpc_result result;
	char text[INET6_ADDRSTRLEN];

	id.text = (char *)vip->identity;
	addr.ip = (ProtobufCBinaryData){ vip->addr_len, (uint8_t *)vip->addr };
	req.identity = &id;
	req.address = &addr;
	addr_text(vip->addr, vip->addr_len, text, sizeof(text));
	rpc_call(svc->pool, CYGNET__POOL_METHOD__POOL_RELEASE, &req.base,
		 &cygnet__release_reply__descriptor, POOL_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_IKE, "releasing virtual IP %s of '%s' failed: %s", text,
		     vip->identity, result.error);
		return;
	}
	DBG1(LOG_IKE, "lease %s by '%s' went offline", text, vip->identity);
	protobuf_c_message_free_unpacked(result.reply, NULL);
}

void lease_release_all(struct ike_service *svc, struct ike_sa *sa)
{
	for (size_t i = 0; i < sa->n_vips; i++)
		release(svc, &sa->vips[i]);
}

int lease_reconcile(struct ike_service *svc)
{
	Cygnet__VirtualIpList live;
	struct rpc_result result;

	if (sa_table_list_vips(svc->sas, &live) < 0) {
		DBG1(LOG_CFG, "reconciling leases with the pool service failed: "
		     "out of memory");
		return -1;
	}
	rpc_call(svc->pool, CYGNET__POOL_METHOD__POOL_RECONCILE, &live.base,
		 &cygnet__reconcile_reply__descriptor, POOL_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_CFG, "reconciling leases with the pool service failed: %s",
		     result.error);
		sa_table_vips_free(&live);
		return -1;
	}
	DBG1(LOG_CFG, "reconciled %zu lease%s with the pool service, %u corrected",
	     live.n_ips, live.n_ips == 1 ? "" : "s",
	     ((const Cygnet__ReconcileReply *)result.reply)->changed);
	sa_table_vips_free(&live);
	protobuf_c_message_free_unpacked(result.reply, NULL);
	return 0;
}
