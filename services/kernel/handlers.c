/* The RPC methods of kernel.proto: validate, talk netlink, answer with
 * the kernel's errno and its meaning on failure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.pb-c.h"
#include "log.h"
#include "kernel/convert.h"
#include "kernel/sa.h"
#include "kernel/service.h"
#include "kernel/spi.h"
#include "kernel/state.h"
#include "kernel/usage.h"

#define BAD_REQUEST CYGNET__RPC_STATUS__RPC_BAD_REQUEST
#define FAILED CYGNET__RPC_STATUS__RPC_FAILED

/* Answers and returns false when the service has no netlink access. */
static bool available(struct kernel_service *svc, struct rpc_reply *reply)
{
	if (svc->nl)
		return true;
	rpc_reply_error(reply, FAILED, "kernel service degraded: %s",
			svc->degraded);
	return false;
}

static void reply_empty(struct rpc_reply *reply)
{
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;

	rpc_reply_message(reply, &empty.base);
}

static void alloc_spi(void *ctx, const ProtobufCMessage *msg,
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

	if (!available(svc, reply))
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

	if (!available(svc, reply))
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
	reply_empty(reply);
}

static void free_spi(void *ctx, const ProtobufCMessage *msg,
		     struct rpc_reply *reply)
{
	del_sa_common(ctx, (const Cygnet__SaId *)msg, reply);
}

static void del_sa(void *ctx, const ProtobufCMessage *msg,
		   struct rpc_reply *reply)
{
	del_sa_common(ctx, (const Cygnet__SaId *)msg, reply);
}

/* The unpacked request is heap memory the RPC layer frees after the
 * handler: wipe its keys once they are copied. */
static void wipe_request_keys(const Cygnet__SaConfig *in)
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

	if (!available(svc, reply))
		return;
	kernel_service_owner(svc, &o);
	rc = convert_sa(in, &o, &sa, why, sizeof(why));
	wipe_request_keys(in);
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
	reply_empty(reply);
}

static void add_sa(void *ctx, const ProtobufCMessage *msg,
		   struct rpc_reply *reply)
{
	install_sa(ctx, (const Cygnet__SaConfig *)msg, false, reply);
}

static void update_sa(void *ctx, const ProtobufCMessage *msg,
		      struct rpc_reply *reply)
{
	install_sa(ctx, (const Cygnet__SaConfig *)msg, true, reply);
}

static void query_sa(void *ctx, const ProtobufCMessage *msg,
		     struct rpc_reply *reply)
{
	struct kernel_service *svc = ctx;
	Cygnet__SaUsage out;
	struct knl_sa_id id;
	struct knl_usage usage;
	struct owner o;
	struct nl_error err;
	char why[256];

	if (!available(svc, reply))
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

/* Expands a PolicyConfig; NULL (answered) on a bad request. */
static struct knl_policy *expand(struct kernel_service *svc,
				 const Cygnet__PolicyConfig *in, size_t *n,
				 struct rpc_reply *reply)
{
	struct convert_policy_set *set = malloc(sizeof(*set));
	struct knl_policy *policies = NULL;
	struct owner o;
	char why[256];

	kernel_service_owner(svc, &o);
	if (!set) {
		rpc_reply_error(reply, FAILED, "out of memory");
		return NULL;
	}
	if (convert_policy(in, &o, set, why, sizeof(why)) < 0) {
		rpc_reply_error(reply, BAD_REQUEST, "%s", why);
		free(set);
		return NULL;
	}
	policies = calloc(policy_expand_max(&set->set), sizeof(*policies));
	if (!policies) {
		rpc_reply_error(reply, FAILED, "out of memory");
		free(set);
		return NULL;
	}
	*n = policy_expand(&set->set, policies);
	free(set);
	if (*n == 0) {
		rpc_reply_error(reply, BAD_REQUEST, "no pair of local and "
				"remote traffic selectors of the same family");
		free(policies);
		return NULL;
	}
	return policies;
}

/* Deletes the policy in p's slot if it is ours; a slot taken by someone
 * else's policy is left alone and reported. */
static int delete_owned(struct kernel_service *svc,
			const struct knl_policy *p, struct nl_error *err)
{
	struct knl_policy cur;
	struct owner o;

	if (policy_query(svc->nl, p, &cur, err) < 0)
		return -1;
	kernel_service_owner(svc, &o);
	if (!owner_policy(&o, &cur)) {
		err->err = EPERM;
		snprintf(err->text, sizeof(err->text), "the installed policy "
			 "has reqid %u, outside the range %u-%u this service "
			 "owns", cur.reqid, o.reqid_min, o.reqid_max);
		return -1;
	}
	return policy_delete(svc->nl, p, err);
}

static void change_policies(struct kernel_service *svc,
			    const Cygnet__PolicyConfig *in, bool add,
			    struct rpc_reply *reply)
{
	enum kernel_op op = add ? KERNEL_OP_ADD_POLICY : KERNEL_OP_DEL_POLICY;
	Cygnet__PolicyReply out = CYGNET__POLICY_REPLY__INIT;
	struct knl_policy *policies;
	struct nl_error err;
	char text[160];
	size_t n;

	if (!available(svc, reply))
		return;
	policies = expand(svc, in, &n, reply);
	if (!policies)
		return;
	for (size_t i = 0; i < n; i++) {
		int rc = add ? policy_install(svc->nl, &policies[i], &err)
			     : delete_owned(svc, &policies[i], &err);

		knl_format_policy(&policies[i], text, sizeof(text));
		if (rc < 0) {
			kernel_service_count(svc, op, false);
			DBG1(LOG_KNL, "unable to %s policy %s: %s",
			     add ? "add" : "delete", text, err.text);
			rpc_reply_error(reply, FAILED, "%s policy %s failed "
					"after %u of %zu: %s",
					add ? "adding" : "deleting", text,
					out.installed, n, err.text);
			free(policies);
			return;
		}
		DBG2(LOG_KNL, "%s policy %s", add ? "adding" : "deleting", text);
		out.installed++;
	}
	kernel_service_count(svc, op, true);
	free(policies);
	rpc_reply_message(reply, &out.base);
}

static void add_policy(void *ctx, const ProtobufCMessage *msg,
		       struct rpc_reply *reply)
{
	change_policies(ctx, (const Cygnet__PolicyConfig *)msg, true, reply);
}

static void del_policy(void *ctx, const ProtobufCMessage *msg,
		       struct rpc_reply *reply)
{
	change_policies(ctx, (const Cygnet__PolicyConfig *)msg, false, reply);
}

static void install_bypass(void *ctx, const ProtobufCMessage *msg,
			   struct rpc_reply *reply)
{
	struct kernel_service *svc = ctx;
	const Cygnet__BypassRequest *in = (const void *)msg;
	uint16_t ports[OWNER_BYPASS_MAX];
	struct nl_error err;

	if (!available(svc, reply))
		return;
	if (in->n_ports == 0 || in->n_ports > OWNER_BYPASS_MAX) {
		rpc_reply_error(reply, BAD_REQUEST, "%zu bypass ports (1 to %d)",
				in->n_ports, OWNER_BYPASS_MAX);
		return;
	}
	for (size_t i = 0; i < in->n_ports; i++) {
		if (in->ports[i] == 0 || in->ports[i] > 0xffff) {
			rpc_reply_error(reply, BAD_REQUEST,
					"bypass port %u invalid", in->ports[i]);
			return;
		}
		ports[i] = (uint16_t)in->ports[i];
	}
	if (kernel_service_bypass(svc, ports, in->n_ports, &err) < 0) {
		DBG1(LOG_KNL, "unable to install bypass policies: %s",
		     err.text);
		rpc_reply_error(reply, FAILED, "installing bypass policies "
				"failed: %s", err.text);
		return;
	}
	reply_empty(reply);
}

/* The desired state as XFRM structs; keys wiped by desired_free. */
struct desired {
	struct knl_sa *sas;
	size_t n_sas;
	struct knl_policy *policies;
	size_t n_policies;
};

static void desired_free(struct desired *d)
{
	for (size_t i = 0; i < d->n_sas; i++)
		knl_sa_wipe(&d->sas[i]);
	free(d->sas);
	free(d->policies);
}

static int append_policies(struct kernel_service *svc, struct desired *d,
			   const Cygnet__PolicyConfig *in,
			   struct rpc_reply *reply)
{
	size_t n;
	struct knl_policy *p = expand(svc, in, &n, reply);
	struct knl_policy *grown;

	if (!p)
		return -1;
	grown = realloc(d->policies, (d->n_policies + n) * sizeof(*grown));
	if (!grown) {
		free(p);
		rpc_reply_error(reply, FAILED, "out of memory");
		return -1;
	}
	memcpy(grown + d->n_policies, p, n * sizeof(*p));
	d->policies = grown;
	d->n_policies += n;
	free(p);
	return 0;
}

static int append_bypass(struct desired *d, const struct owner *o,
			 struct rpc_reply *reply)
{
	size_t n = o->n_bypass * 4;
	struct knl_policy *grown;

	grown = realloc(d->policies, (d->n_policies + n) * sizeof(*grown));
	if (!grown) {
		rpc_reply_error(reply, FAILED, "out of memory");
		return -1;
	}
	d->policies = grown;
	for (size_t i = 0; i < o->n_bypass; i++)
		d->n_policies += policy_bypass(o->bypass_ports[i],
					       &d->policies[d->n_policies]);
	return 0;
}

static int build_desired(struct kernel_service *svc,
			 const Cygnet__DesiredState *in, struct desired *d,
			 struct rpc_reply *reply)
{
	struct owner o;
	char why[256];

	kernel_service_owner(svc, &o);
	d->sas = calloc(in->n_sas ? in->n_sas : 1, sizeof(*d->sas));
	if (!d->sas) {
		rpc_reply_error(reply, FAILED, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < in->n_sas; i++) {
		int rc = convert_sa(in->sas[i], &o, &d->sas[i], why,
				    sizeof(why));

		wipe_request_keys(in->sas[i]);
		if (rc < 0) {
			rpc_reply_error(reply, BAD_REQUEST, "SA %zu: %s", i,
					why);
			return -1;
		}
		d->n_sas++;
	}
	for (size_t i = 0; i < in->n_policies; i++)
		if (append_policies(svc, d, in->policies[i], reply) < 0)
			return -1;
	return append_bypass(d, &o, reply);
}

static void reply_reconcile(const struct state_result *res,
			    struct rpc_reply *reply)
{
	Cygnet__ReconcileResult out = CYGNET__RECONCILE_RESULT__INIT;
	char *errors[STATE_ERRORS_MAX];

	out.sas_added = res->sas_added;
	out.sas_removed = res->sas_removed;
	out.sas_kept = res->sas_kept;
	out.policies_added = res->policies_added;
	out.policies_removed = res->policies_removed;
	out.policies_kept = res->policies_kept;
	for (size_t i = 0; i < res->n_errors; i++)
		errors[i] = (char *)res->errors[i];
	out.errors = errors;
	out.n_errors = res->n_errors;
	rpc_reply_message(reply, &out.base);
}

static void set_desired(void *ctx, const ProtobufCMessage *msg,
			struct rpc_reply *reply)
{
	struct kernel_service *svc = ctx;
	struct desired d = { 0 };
	struct state_result *res;
	struct owner o;
	struct nl_error err;

	if (!available(svc, reply))
		return;
	if (build_desired(svc, (const Cygnet__DesiredState *)msg, &d,
			  reply) < 0) {
		desired_free(&d);
		return;
	}
	res = calloc(1, sizeof(*res));
	if (!res) {
		desired_free(&d);
		rpc_reply_error(reply, FAILED, "out of memory");
		return;
	}
	kernel_service_owner(svc, &o);
	struct state_desired want = {
		.sas = d.sas, .n_sas = d.n_sas,
		.policies = d.policies, .n_policies = d.n_policies,
	};
	if (state_reconcile(svc->nl, &o, &want, res, &err) < 0) {
		kernel_service_count(svc, KERNEL_OP_RECONCILE, false);
		rpc_reply_error(reply, FAILED, "reading the kernel's tables "
				"failed: %s", err.text);
	} else {
		kernel_service_count(svc, KERNEL_OP_RECONCILE,
				     res->n_errors == 0);
		reply_reconcile(res, reply);
	}
	desired_free(&d);
	free(res);
}

static void reply_tables(const struct sa_table *sas,
			 const struct policy_table *policies,
			 struct rpc_reply *reply)
{
	Cygnet__KernelTables out = CYGNET__KERNEL_TABLES__INIT;
	struct convert_sa_out *sa_out = calloc(sas->n + 1, sizeof(*sa_out));
	struct convert_policy_out *pol_out =
		calloc(policies->n + 1, sizeof(*pol_out));
	Cygnet__SaEntry **sa_ptrs = calloc(sas->n + 1, sizeof(*sa_ptrs));
	Cygnet__PolicyEntry **pol_ptrs =
		calloc(policies->n + 1, sizeof(*pol_ptrs));

	if (!sa_out || !pol_out || !sa_ptrs || !pol_ptrs) {
		rpc_reply_error(reply, FAILED, "out of memory");
	} else {
		for (size_t i = 0; i < sas->n; i++) {
			convert_sa_out(&sas->v[i], &sa_out[i]);
			sa_ptrs[i] = &sa_out[i].entry;
		}
		for (size_t i = 0; i < policies->n; i++) {
			convert_policy_out(&policies->v[i], &pol_out[i]);
			pol_ptrs[i] = &pol_out[i].entry;
		}
		out.sas = sa_ptrs;
		out.n_sas = sas->n;
		out.policies = pol_ptrs;
		out.n_policies = policies->n;
		rpc_reply_message(reply, &out.base);
	}
	free(sa_out);
	free(pol_out);
	free(sa_ptrs);
	free(pol_ptrs);
}

static void list(void *ctx, const ProtobufCMessage *msg,
		 struct rpc_reply *reply)
{
	struct kernel_service *svc = ctx;
	struct sa_table sas = { 0 };
	struct policy_table policies = { 0 };
	struct owner o;
	struct nl_error err;

	(void)msg;
	if (!available(svc, reply))
		return;
	kernel_service_owner(svc, &o);
	if (adopt_sas(svc->nl, &o, &sas, &err) < 0 ||
	    adopt_policies(svc->nl, &o, &policies, &err) < 0)
		rpc_reply_error(reply, FAILED, "listing the kernel's tables "
				"failed: %s", err.text);
	else
		reply_tables(&sas, &policies, reply);
	sa_table_free(&sas);
	policy_table_free(&policies);
}

const struct rpc_method kernel_methods[] = {
	{ CYGNET__KERNEL_METHOD__KERNEL_ALLOC_SPI, "kernel.alloc_spi",
	  &cygnet__alloc_spi_request__descriptor, alloc_spi },
	{ CYGNET__KERNEL_METHOD__KERNEL_FREE_SPI, "kernel.free_spi",
	  &cygnet__sa_id__descriptor, free_spi },
	{ CYGNET__KERNEL_METHOD__KERNEL_ADD_SA, "kernel.add_sa",
	  &cygnet__sa_config__descriptor, add_sa },
	{ CYGNET__KERNEL_METHOD__KERNEL_UPDATE_SA, "kernel.update_sa",
	  &cygnet__sa_config__descriptor, update_sa },
	{ CYGNET__KERNEL_METHOD__KERNEL_DEL_SA, "kernel.del_sa",
	  &cygnet__sa_id__descriptor, del_sa },
	{ CYGNET__KERNEL_METHOD__KERNEL_QUERY_SA, "kernel.query_sa",
	  &cygnet__sa_id__descriptor, query_sa },
	{ CYGNET__KERNEL_METHOD__KERNEL_ADD_POLICY, "kernel.add_policy",
	  &cygnet__policy_config__descriptor, add_policy },
	{ CYGNET__KERNEL_METHOD__KERNEL_DEL_POLICY, "kernel.del_policy",
	  &cygnet__policy_config__descriptor, del_policy },
	{ CYGNET__KERNEL_METHOD__KERNEL_INSTALL_BYPASS, "kernel.install_bypass",
	  &cygnet__bypass_request__descriptor, install_bypass },
	{ CYGNET__KERNEL_METHOD__KERNEL_SET_DESIRED, "kernel.set_desired",
	  &cygnet__desired_state__descriptor, set_desired },
	{ CYGNET__KERNEL_METHOD__KERNEL_LIST, "kernel.list",
	  &cygnet__empty__descriptor, list },
};

const size_t kernel_n_methods = sizeof(kernel_methods) /
				sizeof(kernel_methods[0]);
