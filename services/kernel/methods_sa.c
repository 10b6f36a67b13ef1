/* SPI and SA methods: validate, talk netlink, answer with the kernel's
 * errno and its meaning on failure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.pb-c.h"
#include "log.h"
#include "kernel/convert.h"
#include "kernel/methods.h"
#include "kernel/sa.h"
#include "kernel/spi.h"
#include "kernel/usage.h"

void methods_alloc_spi(void *ctx, const ProtobufCMessage *msg,
		      struct rpc_reply *reply)
{
	struct kernel_service *svc = ctx;
	const Cygnet__AllocSpiRequest *in = (const void *)msg;
	Cygnet__AllocSpiReply out = CYGNET__ALLOC_SPI_REPLY__INIT;
	struct spi_request req;
	struct owner o;
	struct nl_error err;
	char why[256];
	uint32_t spi;

	if (!methods_available(svc, reply))
		return;
	kernel_service_owner(svc, &o);
	if (convert_spi_request(in, &o, &req, why, sizeof(why)) < 0) {
		rpc_reply_error(reply, BAD_REQUEST, "%s", why);
		return;
	}
	if (spi_alloc(svc->nl, &req, &spi, &err) < 0) {
		kernel_service_count(svc, KERNEL_OP_ALLOC_SPI, false);
		DBG1(LOG_KNL, "unable to get SPI: %s", err.text);
		rpc_reply_error(reply, FAILED, "allocating SPI failed: %s",
				err.text);
		return;
	}
	kernel_service_count(svc, KERNEL_OP_ALLOC_SPI, true);
	DBG2(LOG_KNL, "got SPI %08x", spi);
	out.spi = spi;
	rpc_reply_message(reply, &out.base);
}

/* Answers and returns false unless the SA exists and is ours. */
static bool sa_owned(struct kernel_service *svc, const struct knl_sa_id *id,
		     struct rpc_reply *reply)
{
	struct knl_sa_info info;
	struct nl_error err;
	struct owner o;

	if (sa_query(svc->nl, id, &info, &err) < 0) {
		rpc_reply_error(reply, FAILED, "deleting SA %08x failed: %s",
				id->spi, err.text);
		return false;
	}
	kernel_service_owner(svc, &o);
	if (!owner_sa(&o, &info)) {
		rpc_reply_error(reply, FAILED, "SA %08x has reqid %u, outside "
				"the range %u-%u this service owns", id->spi,
				info.sa.reqid, o.reqid_min, o.reqid_max);
		return false;
	}
	return true;
}

static void del_sa_common(struct kernel_service *svc,
			  const Cygnet__SaId *in, struct rpc_reply *reply)
{
	struct knl_sa_id id;
	struct nl_error err;
	char why[256];

	if (!methods_available(svc, reply))
		return;
	if (convert_sa_id(in, &id, why, sizeof(why)) < 0) {
		rpc_reply_error(reply, BAD_REQUEST, "%s", why);
		return;
	}
	if (!sa_owned(svc, &id, reply)) {
		kernel_service_count(svc, KERNEL_OP_DEL_SA, false);
		return;
	}
	if (sa_delete(svc->nl, &id, &err) < 0) {
		kernel_service_count(svc, KERNEL_OP_DEL_SA, false);
		DBG1(LOG_KNL, "unable to delete SAD entry with SPI %08x: %s",
		     id.spi, err.text);
		rpc_reply_error(reply, FAILED, "deleting SA %08x failed: %s",
				id.spi, err.text);
		return;
	}
	kernel_service_count(svc, KERNEL_OP_DEL_SA, true);
	DBG2(LOG_KNL, "deleted SAD entry with SPI %08x", id.spi);
	methods_reply_empty(reply);
}

void methods_free_spi(void *ctx, const ProtobufCMessage *msg,
		     struct rpc_reply *reply)
{
	del_sa_common(ctx, (const Cygnet__SaId *)msg, reply);
}

void methods_del_sa(void *ctx, const ProtobufCMessage *msg,
		   struct rpc_reply *reply)
{
	del_sa_common(ctx, (const Cygnet__SaId *)msg, reply);
}

/* The unpacked request is heap memory the RPC layer frees after the
 * handler: wipe its keys once they are copied. */
void methods_wipe_keys(const Cygnet__SaConfig *in)
{
	explicit_bzero(in->encr_key.data, in->encr_key.len);
	explicit_bzero(in->integ_key.data, in->integ_key.len);
}

static void install_sa(struct kernel_service *svc, const Cygnet__SaConfig *in,
		       bool update, struct rpc_reply *reply)
{
	enum kernel_op op = update ? KERNEL_OP_UPDATE_SA : KERNEL_OP_ADD_SA;
	const char *verb = update ? "update" : "add";
	struct knl_sa sa;
	struct owner o;
	struct nl_error err;
	char why[256];
	int rc;

	if (!methods_available(svc, reply))
		return;
	kernel_service_owner(svc, &o);
	rc = convert_sa(in, &o, &sa, why, sizeof(why));
	methods_wipe_keys(in);
	if (rc < 0) {
		rpc_reply_error(reply, BAD_REQUEST, "%s", why);
		return;
	}
	DBG2(LOG_KNL, "%s SAD entry with SPI %08x and reqid {%u}",
	     update ? "updating" : "adding", sa.spi, sa.reqid);
	rc = sa_install(svc->nl, &sa, update, &err);
	knl_sa_wipe(&sa);
	kernel_service_count(svc, op, rc == 0);
	if (rc < 0) {
		DBG1(LOG_KNL, "unable to %s SAD entry with SPI %08x: %s", verb,
		     sa.spi, err.text);
		rpc_reply_error(reply, FAILED, "%s SA %08x failed: %s",
				update ? "updating" : "adding", sa.spi,
				err.text);
		return;
	}
	methods_reply_empty(reply);
}

void methods_add_sa(void *ctx, const ProtobufCMessage *msg,
		   struct rpc_reply *reply)
{
	install_sa(ctx, (const Cygnet__SaConfig *)msg, false, reply);
}

void methods_update_sa(void *ctx, const ProtobufCMessage *msg,
		      struct rpc_reply *reply)
{
	install_sa(ctx, (const Cygnet__SaConfig *)msg, true, reply);
}

void methods_query_sa(void *ctx, const ProtobufCMessage *msg,
		     struct rpc_reply *reply)
{
	struct kernel_service *svc = ctx;
	Cygnet__SaUsage out;
	struct knl_sa_id id;
	struct knl_usage usage;
	struct owner o;
	struct nl_error err;
	char why[256];

	if (!methods_available(svc, reply))
		return;
	if (convert_sa_id((const Cygnet__SaId *)msg, &id, why,
			  sizeof(why)) < 0) {
		rpc_reply_error(reply, BAD_REQUEST, "%s", why);
		return;
	}
	kernel_service_owner(svc, &o);
	if (usage_query(svc->nl, &o, &id, &usage, &err) < 0) {
		kernel_service_count(svc, KERNEL_OP_QUERY_SA, false);
		DBG1(LOG_KNL, "unable to query SAD entry with SPI %08x: %s",
		     id.spi, err.text);
		rpc_reply_error(reply, FAILED, "querying SA %08x failed: %s",
				id.spi, err.text);
		return;
	}
	kernel_service_count(svc, KERNEL_OP_QUERY_SA, true);
	convert_usage_out(&usage, &out);
	rpc_reply_message(reply, &out.base);
}

