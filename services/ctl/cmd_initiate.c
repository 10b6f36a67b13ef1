/* cygnetctl --initiate --child NAME [--ike NAME] [--timeout S], as
 * swanctl --initiate: "initiate completed successfully" or "initiate
 * failed: <reason>" (exit status 1).  Also the option parser that
 * --terminate shares. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ike.pb-c.h"

/* Without --timeout we wait as swanctl does, until charon's tasks end:
 * at most the last retransmit of a request (4 s * 1.8^n, 5 tries). */
#define WAIT_DEFAULT_S 180
#define RPC_MARGIN_MS 2000

static int parse_number(const char *text, unsigned long long max,
			unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(text, &end, 10);
	return errno || *end || end == text || *out > max ? -1 : 0;
}

static bool is(const char *arg, const char *shortopt, const char *longopt)
{
	return strcmp(arg, shortopt) == 0 || strcmp(arg, longopt) == 0;
}

static int bad_option(const char *command, const char *arg)
{
	fprintf(stderr, "cygnetctl: invalid --%s option '%s'\n", command, arg);
	return -1;
}

int ctl_sa_options_parse(struct ctl *ctl, const char *command, bool ids,
			 struct ctl_sa_options *o)
{
	memset(o, 0, sizeof(*o));
	o->child = o->ike = "";
	o->timeout_s = WAIT_DEFAULT_S;
	for (int i = 0; i < ctl->argc; i++) {
		const char *arg = ctl->argv[i], *value = i + 1 < ctl->argc ?
							 ctl->argv[i + 1] : NULL;
		unsigned long long n;

		if (!value)
			return bad_option(command, arg);
		i++;
		if (is(arg, "-c", "--child"))
			o->child = value;
		else if (is(arg, "-i", "--ike"))
			o->ike = value;
		else if (is(arg, "-t", "--timeout") &&
			 parse_number(value, 86400, &n) == 0)
			o->timeout_s = (unsigned)n;
		else if (ids && is(arg, "-I", "--ike-id") &&
			 parse_number(value, UINT64_MAX, &n) == 0 && n)
			o->ike_id = n;
		else if (ids && is(arg, "-C", "--child-id") &&
			 parse_number(value, UINT32_MAX, &n) == 0 && n)
			o->child_id = (uint32_t)n;
		else
			return bad_option(command, arg);
	}
	return 0;
}

/* Calls the IKE service; prints swanctl's line.  Returns the exit
 * status. */
int ctl_sa_call(struct ctl *ctl, const char *command, uint32_t method,
		const ProtobufCMessage *req,
		const ProtobufCMessageDescriptor *reply_type, unsigned timeout_s)
{
	struct rpc_client *client = ctl_connect(ctl, "ike");
	struct rpc_result result;

	if (!client)
		return 1;
	rpc_call(client, method, req, reply_type,
		 (int)(timeout_s * 1000 + RPC_MARGIN_MS), &result);
	rpc_client_close(client);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		fprintf(stderr, "%s failed: %s\n", command, result.error);
		return 1;
	}
	protobuf_c_message_free_unpacked(result.reply, NULL);
	fprintf(ctl->out, "%s completed successfully\n", command);
	return 0;
}

int ctl_cmd_initiate(struct ctl *ctl)
{
	Cygnet__InitiateRequest req = CYGNET__INITIATE_REQUEST__INIT;
	struct ctl_sa_options o;

	if (ctl_sa_options_parse(ctl, "initiate", false, &o) < 0)
		return 1;
	if (!*o.child && !*o.ike) {
		fprintf(stderr, "initiate failed: missing configuration name\n");
		return 1;
	}
	req.child = (char *)o.child;
	req.ike = (char *)o.ike;
	req.timeout_ms = o.timeout_s * 1000;
	return ctl_sa_call(ctl, "initiate", CYGNET__IKE_METHOD__IKE_INITIATE,
			   &req.base, &cygnet__initiate_reply__descriptor,
			   o.timeout_s);
}
