/* Policy and bypass methods. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.pb-c.h"
#include "log.h"
#include "kernel/convert.h"
#include "kernel/methods.h"
#include "kernel/policy.h"

/* Expands a PolicyConfig; NULL (answered) on a bad request. */
struct knl_policy *methods_expand_policies(struct kernel_service *svc,
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

	if (!methods_available(svc, reply))
		return;
	policies = methods_expand_policies(svc, in, &n, reply);
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

void methods_add_policy(void *ctx, const ProtobufCMessage *msg,
		       struct rpc_reply *reply)
{
	change_policies(ctx, (const Cygnet__PolicyConfig *)msg, true, reply);
}

void methods_del_policy(void *ctx, const ProtobufCMessage *msg,
		       struct rpc_reply *reply)
{
	change_policies(ctx, (const Cygnet__PolicyConfig *)msg, false, reply);
}

void methods_install_bypass(void *ctx, const ProtobufCMessage *msg,
			   struct rpc_reply *reply)
{
	struct kernel_service *svc = ctx;
	const Cygnet__BypassRequest *in = (const void *)msg;
	uint16_t ports[OWNER_BYPASS_MAX];
	struct nl_error err;

	if (!methods_available(svc, reply))
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
	methods_reply_empty(reply);
}

