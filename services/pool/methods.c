/* The RPC methods of proto/pool.proto over the leases core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "log.h"
#include "pool.pb-c.h"
#include "service.h"

static const Cygnet__Lease__How how_to_proto[] = {
	[LEASE_NEW] = CYGNET__LEASE__HOW__NEW,
	[LEASE_REASSIGNED_OFFLINE] = CYGNET__LEASE__HOW__REASSIGNED_OFFLINE,
	[LEASE_REASSIGNED_ONLINE] = CYGNET__LEASE__HOW__REASSIGNED_ONLINE,
	[LEASE_TAKEN_OVER] = CYGNET__LEASE__HOW__TAKEN_OVER,
};

static void set_address(Cygnet__Address *msg, const struct ipaddr *addr)
{
	msg->ip.data = (uint8_t *)addr->b;
	msg->ip.len = addr->len;
}

/* Identity text and address of a request, or a BAD_REQUEST reply. */
static bool read_request(const Cygnet__Identity *identity,
			 const Cygnet__Address *address, struct ipaddr *addr,
			 struct rpc_reply *reply)
{
	if (!identity || !identity->text || !identity->text[0]) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_BAD_REQUEST,
				"identity text missing");
		return false;
	}
	if (!address || !ipaddr_from_bytes(address->ip.data, address->ip.len,
					   addr)) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_BAD_REQUEST,
				"address missing or neither 4 nor 16 bytes");
		return false;
	}
	return true;
}

static void reply_grant(const struct lease_grant *grant,
			struct rpc_reply *reply)
{
	Cygnet__Lease msg = CYGNET__LEASE__INIT;
	Cygnet__Address address = CYGNET__ADDRESS__INIT;
	Cygnet__Attribute *attrs = calloc(grant->n_attrs + 1, sizeof(*attrs));
	Cygnet__Attribute **attr_ptrs = calloc(grant->n_attrs + 1,
					       sizeof(*attr_ptrs));

	if (!attrs || !attr_ptrs) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"out of memory");
		goto out;
	}
	for (size_t i = 0; i < grant->n_attrs; i++) {
		cygnet__attribute__init(&attrs[i]);
		attrs[i].type = grant->attrs[i].type;
		attrs[i].value.data = (uint8_t *)grant->attrs[i].value;
		attrs[i].value.len = grant->attrs[i].len;
		attr_ptrs[i] = &attrs[i];
	}
	set_address(&address, &grant->addr);
	msg.pool = (char *)grant->pool;
	msg.address = &address;
	msg.how = how_to_proto[grant->how];
	msg.n_attributes = grant->n_attrs;
	msg.attributes = attr_ptrs;
	rpc_reply_message(reply, &msg.base);
out:
	free(attrs);
	free(attr_ptrs);
}

static void handle_acquire(void *ctx, const ProtobufCMessage *request,
			   struct rpc_reply *reply)
{
	const Cygnet__AcquireRequest *req = (const void *)request;
	struct pool_service *svc = ctx;
	struct lease_grant grant;
	struct ipaddr requested;
	enum acquire_result result;
	char err[256];

	if (!read_request(req->identity, req->requested, &requested, reply))
		return;
	result = leases_acquire(svc->leases, (const char *const *)req->pools,
				req->n_pools, req->identity->text, &requested,
				&grant, err, sizeof(err));
	if (result != ACQUIRE_OK) {
		atomic_fetch_add(&svc->refused, 1);
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED, "%s",
				err);
		return;
	}
	atomic_fetch_add(&svc->acquired, 1);
	reply_grant(&grant, reply);
	lease_grant_clear(&grant);
}

static void handle_release(void *ctx, const ProtobufCMessage *request,
			   struct rpc_reply *reply)
{
	const Cygnet__ReleaseRequest *req = (const void *)request;
	Cygnet__ReleaseReply msg = CYGNET__RELEASE_REPLY__INIT;
	struct pool_service *svc = ctx;
	struct ipaddr addr;
	bool offline;
	int rc;

	if (!read_request(req->identity, req->address, &addr, reply))
		return;
	rc = leases_release(svc->leases, req->identity->text, &addr, &offline);
	if (rc < 0) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"lease store error");
		return;
	}
	if (rc > 0)
		atomic_fetch_add(&svc->released, 1);
	msg.released = rc > 0;
	msg.offline = offline;
	rpc_reply_message(reply, &msg.base);
}

/* Per pool: the message, its base address and its lease messages. */
struct pool_entry {
	Cygnet__PoolInfo info;
	Cygnet__Address base;
	struct lease_list leases;
	Cygnet__PoolLease *lease_msgs;
	Cygnet__PoolLease **lease_ptrs;
	Cygnet__Address *lease_addrs;
};

static int fill_leases(struct pool_service *svc, struct pool_entry *e)
{
	size_t n;

	if (leases_foreach(svc->leases, e->info.name, lease_list_collect,
			   &e->leases) < 0)
		return -1;
	n = e->leases.count;
	e->lease_msgs = calloc(n + 1, sizeof(*e->lease_msgs));
	e->lease_ptrs = calloc(n + 1, sizeof(*e->lease_ptrs));
	e->lease_addrs = calloc(n + 1, sizeof(*e->lease_addrs));
	if (!e->lease_msgs || !e->lease_ptrs || !e->lease_addrs)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct lease *lease = &e->leases.items[i];

		cygnet__pool_lease__init(&e->lease_msgs[i]);
		cygnet__address__init(&e->lease_addrs[i]);
		set_address(&e->lease_addrs[i], &lease->addr);
		e->lease_msgs[i].address = &e->lease_addrs[i];
		e->lease_msgs[i].identity = (char *)lease->identity;
		e->lease_msgs[i].online = lease->online > 0;
		e->lease_ptrs[i] = &e->lease_msgs[i];
	}
	e->info.n_leases = n;
	e->info.leases = e->lease_ptrs;
	return 0;
}

static void free_entries(struct pool_entry *entries, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(entries[i].leases.items);
		free(entries[i].lease_msgs);
		free(entries[i].lease_ptrs);
		free(entries[i].lease_addrs);
	}
	free(entries);
}

static void handle_list(void *ctx, const ProtobufCMessage *request,
			struct rpc_reply *reply)
{
	const Cygnet__ListPoolsRequest *req = (const void *)request;
	Cygnet__PoolList msg = CYGNET__POOL_LIST__INIT;
	struct pool_service *svc = ctx;
	struct pool_status *status = NULL;
	struct pool_entry *entries = NULL;
	Cygnet__PoolInfo **infos = NULL;
	size_t count = 0, n = 0;

	if (leases_pool_status(svc->leases, &status, &count) < 0 ||
	    !(entries = calloc(count + 1, sizeof(*entries))) ||
	    !(infos = calloc(count + 1, sizeof(*infos))))
		goto fail;
	for (size_t i = 0; i < count; i++) {
		struct pool_entry *e = &entries[n];

		if (req->name && req->name[0] &&
		    strcmp(req->name, status[i].name) != 0)
			continue;
		cygnet__pool_info__init(&e->info);
		cygnet__address__init(&e->base);
		set_address(&e->base, &status[i].base);
		e->info.name = status[i].name;
		e->info.base_address = &e->base;
		e->info.size = status[i].size;
		e->info.online = status[i].online;
		e->info.offline = status[i].offline;
		infos[n++] = &e->info;
		if (req->leases && fill_leases(svc, e) < 0)
			goto fail;
	}
	msg.n_pools = n;
	msg.pools = infos;
	rpc_reply_message(reply, &msg.base);
	goto out;
fail:
	rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
			"cannot list the pools (out of memory or store error)");
out:
	free_entries(entries, n);
	free(infos);
	free(status);
}

static void handle_reconcile(void *ctx, const ProtobufCMessage *request,
			     struct rpc_reply *reply)
{
	const Cygnet__VirtualIpList *req = (const void *)request;
	Cygnet__ReconcileReply msg = CYGNET__RECONCILE_REPLY__INIT;
	struct pool_service *svc = ctx;
	uint64_t snapshot = leases_snapshot(svc->leases);
	struct live_vip *live;
	int n = live_from_proto(req, &live);
	int changed;

	if (n < 0) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"out of memory");
		return;
	}
	changed = leases_reconcile(svc->leases, live, (size_t)n, snapshot);
	free(live);
	if (changed < 0) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"lease store error");
		return;
	}
	msg.changed = (uint32_t)changed;
	rpc_reply_message(reply, &msg.base);
}

const struct rpc_method pool_methods[POOL_N_METHODS] = {
	{ CYGNET__POOL_METHOD__POOL_ACQUIRE, "pool.acquire",
	  &cygnet__acquire_request__descriptor, handle_acquire },
	{ CYGNET__POOL_METHOD__POOL_RELEASE, "pool.release",
	  &cygnet__release_request__descriptor, handle_release },
	{ CYGNET__POOL_METHOD__POOL_LIST, "pool.list",
	  &cygnet__list_pools_request__descriptor, handle_list },
	{ CYGNET__POOL_METHOD__POOL_RECONCILE, "pool.reconcile",
	  &cygnet__virtual_ip_list__descriptor, handle_reconcile },
};
