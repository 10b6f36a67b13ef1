/* cygnetctl --list-pools [--leases] [--name NAME]: the pools of
 * cygnet-pool in swanctl --list-pools format:
 *
 *   ipv4                 10.10.1.64                            1 / 1 / 62
 *     10.10.1.66                     online   'Andreas Steffen'
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "pool.pb-c.h"

static const char *format_address(const Cygnet__Address *addr, char *buf,
				  size_t size)
{
	int family;

	if (!addr || (addr->ip.len != 4 && addr->ip.len != 16))
		return "?";
	family = addr->ip.len == 4 ? AF_INET : AF_INET6;
	if (!inet_ntop(family, addr->ip.data, buf, (socklen_t)size))
		return "?";
	return buf;
}

static void print_pool(FILE *out, const Cygnet__PoolInfo *pool)
{
	char base[INET6_ADDRSTRLEN], counts[64], addr[INET6_ADDRSTRLEN];

	snprintf(counts, sizeof(counts), "%llu / %llu / %llu",
		 (unsigned long long)pool->online,
		 (unsigned long long)pool->offline,
		 (unsigned long long)pool->size);
	fprintf(out, "%-20s %-30s %16s\n", pool->name,
		format_address(pool->base_address, base, sizeof(base)), counts);
	for (size_t i = 0; i < pool->n_leases; i++) {
		const Cygnet__PoolLease *lease = pool->leases[i];

		fprintf(out, "  %-30s %-8s '%s'\n",
			format_address(lease->address, addr, sizeof(addr)),
			lease->online ? "online" : "offline", lease->identity);
	}
}

static int parse_args(struct ctl *ctl, Cygnet__ListPoolsRequest *req)
{
	for (int i = 0; i < ctl->argc; i++) {
		const char *arg = ctl->argv[i];

		if (strcmp(arg, "--leases") == 0 || strcmp(arg, "-l") == 0) {
			req->leases = true;
		} else if ((strcmp(arg, "--name") == 0 ||
			    strcmp(arg, "-n") == 0) && i + 1 < ctl->argc) {
			req->name = ctl->argv[++i];
		} else {
			fprintf(stderr, "cygnetctl: invalid --list-pools option "
				"'%s' (use [--leases] [--name NAME])\n", arg);
			return -1;
		}
	}
	return 0;
}

int ctl_cmd_list_pools(struct ctl *ctl)
{
	Cygnet__ListPoolsRequest req = CYGNET__LIST_POOLS_REQUEST__INIT;
	const Cygnet__PoolList *list;
	struct rpc_client *client;
	struct rpc_result result;

	if (parse_args(ctl, &req) < 0)
		return 1;
	client = ctl_connect(ctl, "pool");
	if (!client)
		return 1;
	rpc_call(client, CYGNET__POOL_METHOD__POOL_LIST, &req.base,
		 &cygnet__pool_list__descriptor, ctl->timeout_ms, &result);
	rpc_client_close(client);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		fprintf(stderr, "cygnetctl: list-pools request failed: %s\n",
			result.error);
		return 1;
	}
	list = (const Cygnet__PoolList *)result.reply;
	for (size_t i = 0; i < list->n_pools; i++)
		print_pool(ctl->out, list->pools[i]);
	protobuf_c_message_free_unpacked(result.reply, NULL);
	return 0;
}
