/* Desired-state reconciliation and listing methods. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.pb-c.h"
#include "log.h"
#include "kernel/convert.h"
#include "kernel/methods.h"
#include "kernel/policy.h"
#include "kernel/state.h"

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
	struct knl_policy *p = methods_expand_policies(svc, in, &n, reply);
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

		methods_wipe_keys(in->sas[i]);
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

void methods_set_desired(void *ctx, const ProtobufCMessage *msg,
			struct rpc_reply *reply)
{
	struct kernel_service *svc = ctx;
	struct desired d = { 0 };
	struct state_result *res;
	struct owner o;
	struct nl_error err;

	if (!methods_available(svc, reply))
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

void methods_list(void *ctx, const ProtobufCMessage *msg,
		 struct rpc_reply *reply)
{
	struct kernel_service *svc = ctx;
	struct sa_table sas = { 0 };
	struct policy_table policies = { 0 };
	struct owner o;
	struct nl_error err;

	(void)msg;
	if (!methods_available(svc, reply))
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

