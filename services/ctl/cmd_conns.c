/* cygnetctl --list-conns: the loaded connections from cygnet-ike, in
 * swanctl --list-conns format. */
#include <stdio.h>
#include <string.h>

#include "cmd_conns.h"
#include "ctl.h"

static const char *version_name(uint32_t version)
{
	return version == 2 ? "IKEv2" : version == 1 ? "IKEv1" : "IKEv1/2";
}

static void print_joined(FILE *out, const char *label, char **items, size_t n)
{
	fprintf(out, "%s", label);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? " " : "", items[i]);
	fprintf(out, "\n");
}

static void print_addrs(FILE *out, const char *label, char **addrs, size_t n)
{
	if (n == 0)
		fprintf(out, "%s%%any\n", label);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s\n", label, addrs[i]);
}

static void print_auth(FILE *out, const char *side, const Cygnet__AuthRound *a)
{
	const char *class = a->auth_class;

	if (strcmp(class, "EAP") == 0 && a->eap_type[0])
		class = a->eap_type;
	fprintf(out, "  %s %s authentication:\n", side, class);
	if (a->id[0])
		fprintf(out, "    id: %s\n", a->id);
	if (a->eap_id[0])
		fprintf(out, "    eap_id: %s\n", a->eap_id);
	if (a->n_certs)
		print_joined(out, "    certs: ", a->certs, a->n_certs);
	if (a->n_cacerts)
		print_joined(out, "    cacerts: ", a->cacerts, a->n_cacerts);
}

static void print_child(FILE *out, const Cygnet__ChildConn *c, uint64_t dpd)
{
	bool no_rekey = strcmp(c->mode, "PASS") == 0 ||
			strcmp(c->mode, "DROP") == 0 || c->rekey_time == 0;

	fprintf(out, "  %s: %s, ", c->name, c->mode);
	if (no_rekey)
		fprintf(out, "no rekeying");
	else
		fprintf(out, "rekeying every %llus",
			(unsigned long long)c->rekey_time);
	if (dpd)
		fprintf(out, ", dpd action is %s", c->dpd_action);
	fprintf(out, "\n");
	print_joined(out, "    local:  ", c->local_ts, c->n_local_ts);
	print_joined(out, "    remote: ", c->remote_ts, c->n_remote_ts);
}

static void print_conn(FILE *out, const Cygnet__Conn *c)
{
	fprintf(out, "%s: %s, ", c->name, version_name(c->version));
	if (c->reauth_time)
		fprintf(out, "reauthentication every %llus",
			(unsigned long long)c->reauth_time);
	else
		fprintf(out, "no reauthentication");
	if (c->rekey_time)
		fprintf(out, ", rekeying every %llus",
			(unsigned long long)c->rekey_time);
	else
		fprintf(out, ", no rekeying");
	if (c->dpd_delay)
		fprintf(out, ", dpd delay %llus", (unsigned long long)c->dpd_delay);
	fprintf(out, "\n");
	print_addrs(out, "  local:  ", c->local_addrs, c->n_local_addrs);
	print_addrs(out, "  remote: ", c->remote_addrs, c->n_remote_addrs);
	for (size_t i = 0; i < c->n_local_auth; i++)
		print_auth(out, "local", c->local_auth[i]);
	for (size_t i = 0; i < c->n_remote_auth; i++)
		print_auth(out, "remote", c->remote_auth[i]);
	for (size_t i = 0; i < c->n_children; i++)
		print_child(out, c->children[i], c->dpd_delay);
}

void ctl_print_conns(FILE *out, const Cygnet__ConnList *list)
{
	for (size_t i = 0; i < list->n_conns; i++)
		print_conn(out, list->conns[i]);
}

int ctl_cmd_list_conns(struct ctl *ctl)
{
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;
	struct rpc_client *client;
	struct rpc_result result;

	/* Not ctl_no_args(): it lives in main.c, outside the library the
	 * unit tests link. */
	if (ctl->argc > 0) {
		fprintf(stderr, "invalid --list-conns option '%s'\n", ctl->argv[0]);
		return 1;
	}
	client = ctl_connect(ctl, "ike");
	if (!client)
		return 1;
	rpc_call(client, CYGNET__IKE_METHOD__IKE_LIST_CONNS, &empty.base,
		 &cygnet__conn_list__descriptor, ctl->timeout_ms, &result);
	rpc_client_close(client);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		fprintf(stderr, "list-conns request failed: %s\n", result.error);
		return 1;
	}
	ctl_print_conns(ctl->out, (const Cygnet__ConnList *)result.reply);
	protobuf_c_message_free_unpacked(result.reply, NULL);
	return 0;
}
