/* cygnetctl: the swanctl-like command line.  Each command lives in its own
 * file (cmd_status.c, cmd_pools.c, ...) and is listed once in main.c's
 * command table. */
#ifndef CYGNET_CTL_H
#define CYGNET_CTL_H

#include <stdbool.h>
#include <stdio.h>

#include "conf.h"
#include "rpc.h"
#include "settings.h"

/* What every command gets: the parsed config (for endpoints; NULL when
 * the file does not exist), the remaining arguments and where to print. */
struct ctl {
	const struct conf *conf;
	const char *config_path;
	int timeout_ms;
	FILE *out;
	int argc;
	char **argv;	/* options after the command, e.g. --leases */
};

struct ctl_command {
	const char *option;	/* "--list-pools" */
	char short_option;	/* 'P' as in swanctl, 0 for none */
	const char *help;
	int (*run)(struct ctl *ctl);	/* exit status */
};

/* Opens an RPC client to a service named in the config ("pool"); prints
 * the error and returns NULL on failure. */
struct rpc_client *ctl_connect(struct ctl *ctl, const char *service);

/* The four services in the order commands list them. */
#define CTL_N_SERVICES 4
extern const char *const ctl_services[CTL_N_SERVICES];

/* Calls method on all four services at once (so a service that is down
 * costs one timeout, not four); results[i] belongs to ctl_services[i]
 * and its reply must be freed by the caller. */
void ctl_call_all(struct ctl *ctl, uint32_t method,
		  const ProtobufCMessage *request,
		  const ProtobufCMessageDescriptor *reply_type,
		  struct rpc_result results[CTL_N_SERVICES]);

/* Calls method (request Empty) on all four services and hands each
 * result to print, which returns false for a failure.  Returns the exit
 * status: 1 when any failed, else 0. */
typedef bool (*ctl_result_fn)(FILE *out, const char *service,
			      const struct rpc_result *result);
int ctl_each_service(struct ctl *ctl, uint32_t method,
		     const ProtobufCMessageDescriptor *reply_type,
		     ctl_result_fn print);

/* For commands without options: prints an error and returns 1 when
 * arguments are left, 0 otherwise. */
int ctl_no_args(struct ctl *ctl);

/* The options of --initiate and --terminate (cmd_initiate.c). */
struct ctl_sa_options {
	const char *child;	/* "" when not given */
	const char *ike;
	uint64_t ike_id;	/* 0 when not given */
	uint32_t child_id;
	unsigned timeout_s;
};

/* Parses --child/-c, --ike/-i, --timeout/-t and with ids --ike-id/-I,
 * --child-id/-C; prints the error and returns -1 on a bad option. */
int ctl_sa_options_parse(struct ctl *ctl, const char *command, bool ids,
			 struct ctl_sa_options *o);

/* Calls an IKE method that acts on SAs and prints swanctl's "<command>
 * completed successfully" or "<command> failed: <why>".  Returns the
 * exit status. */
int ctl_sa_call(struct ctl *ctl, const char *command, uint32_t method,
		const ProtobufCMessage *req,
		const ProtobufCMessageDescriptor *reply_type, unsigned timeout_s);

/* Commands (one per file). */
int ctl_cmd_status(struct ctl *ctl);
int ctl_cmd_reload(struct ctl *ctl);
int ctl_cmd_list_certs(struct ctl *ctl);
int ctl_cmd_list_pools(struct ctl *ctl);
int ctl_cmd_list_conns(struct ctl *ctl);
int ctl_cmd_list_sas(struct ctl *ctl);
int ctl_cmd_initiate(struct ctl *ctl);
int ctl_cmd_terminate(struct ctl *ctl);

#endif
