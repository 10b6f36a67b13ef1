/* cygnet-pool as built, over its RPC: 64 concurrent clients, kill -9
 * during a burst of acquires (nothing acknowledged lost, no address
 * given twice), restarts, reconciliation with a stand-in IKE service,
 * exhaustion, reload refusal, a bad config at start and cygnetctl
 * --list-pools output.
 *
 * Binaries come from $CYGNET_BIN; CYGNET_VALGRIND=1 runs the daemon
 * under valgrind (errors fail the test through its exit status). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ike.pb-c.h"
#include "pool.pb-c.h"
#include "rpc.h"
#include "testmain.h"

#define PATH_LEN 512
#define CALL_MS 5000

struct env {
	char dir[128];
	char conf[PATH_LEN];
	char pool_url[PATH_LEN];
	char ike_url[PATH_LEN];
	char log[PATH_LEN];
	pid_t pid;
};

static struct env env;

static bool log_has(const char *needle)
{
	char *text = read_file(env.log);
	bool found = strstr(text, needle) != NULL;

	free(text);
	return found;
}

/* pools is the text of the pools { } section. */
static void write_config(const char *pools)
{
	FILE *f = fopen(env.conf, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"pools {\n%s}\n"
		"cygnet {\n"
		"  runtime_dir = %s/run\n"
		"  pool {\n"
		"    rpc = %s\n"
		"    events = ipc://%s/run/pool.events\n"
		"    status = 127.0.0.1:%d\n"
		"    workers = 8\n"
		"    state_dir = %s/state\n"
		"  }\n"
		"  ike {\n"
		"    rpc = %s\n"
		"  }\n"
		"}\n",
		pools, env.dir, env.pool_url, env.dir, free_port(), env.dir,
		env.ike_url);
	ck_assert_int_eq(fclose(f), 0);
}

#define DEFAULT_POOLS \
	"  ipv4 {\n" \
	"    addrs = 198.51.100.64/26\n" \
	"    dns = 198.51.100.1\n" \
	"  }\n" \
	"  big {\n" \
	"    addrs = 203.0.113.0/24\n" \
	"  }\n" \
	"  ipv6 {\n" \
	"    addrs = 2001:db8:1:2::/64\n" \
	"  }\n"

static void setup(void)
{
	memset(&env, 0, sizeof(env));
	snprintf(env.dir, sizeof(env.dir), "/tmp/cygnet-pool-int-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(env.dir));
	snprintf(env.conf, sizeof(env.conf), "%s/cygnet.conf", env.dir);
	snprintf(env.log, sizeof(env.log), "%s/pool.log", env.dir);
	snprintf(env.pool_url, sizeof(env.pool_url), "ipc://%s/run/pool.rpc",
		 env.dir);
	snprintf(env.ike_url, sizeof(env.ike_url), "ipc://%s/run/ike.rpc",
		 env.dir);
	write_config(DEFAULT_POOLS);
}

static pid_t start_pool_process(void)
{
	char binary[PATH_LEN], vglog[PATH_LEN], vgopt[PATH_LEN + 16];
	char *argv[12];
	int n;

	snprintf(binary, sizeof(binary), "%s/cygnet-pool", bin_dir());
	ck_assert_msg(access(binary, X_OK) == 0, "%s not built", binary);
	/* %p: a file per process, the daemon is started more than once */
	snprintf(vglog, sizeof(vglog), "%s/valgrind.%%p", env.dir);
	n = valgrind_argv(argv, vgopt, sizeof(vgopt), vglog);
	argv[n++] = binary;
	argv[n++] = "--config";
	argv[n++] = env.conf;
	argv[n] = NULL;
	return spawn_in(env.dir, argv, NULL, env.log, env.log);
}

static struct rpc_client *client_open(void)
{
	char err[256] = "";
	struct rpc_client *client = rpc_client_open(env.pool_url, NULL, err,
						    sizeof(err));

	ck_assert_msg(client != NULL, "%s", err);
	return client;
}

static Cygnet__PoolList *list_pools(struct rpc_client *client, bool leases,
				    struct rpc_result *res)
{
	Cygnet__ListPoolsRequest req = CYGNET__LIST_POOLS_REQUEST__INIT;

	req.leases = leases;
	rpc_call(client, CYGNET__POOL_METHOD__POOL_LIST, &req.base,
		 &cygnet__pool_list__descriptor, CALL_MS, res);
	return res->status == CYGNET__RPC_STATUS__RPC_OK
		       ? (Cygnet__PoolList *)res->reply
		       : NULL;
}

static void start_pool(void)
{
	long deadline = now_ms() + (under_valgrind() ? 60000 : 10000);
	struct rpc_client *client;
	struct rpc_result res;
	int status;

	env.pid = start_pool_process();
	client = client_open();
	for (;;) {
		if (list_pools(client, false, &res)) {
			protobuf_c_message_free_unpacked(res.reply, NULL);
			break;
		}
		if (waitpid(env.pid, &status, WNOHANG) == env.pid) {
			env.pid = 0;
			fprintf(stderr, "%s", read_file(env.log));
			ck_abort_msg("cygnet-pool exited during start");
		}
		ck_assert_msg(now_ms() < deadline, "cygnet-pool not ready");
		sleep_ms(50);
	}
	rpc_client_close(client);
}

static void kill9_pool(void)
{
	ck_assert_int_gt(env.pid, 0);
	kill(env.pid, SIGKILL);
	ck_assert_int_eq(waitpid(env.pid, NULL, 0), env.pid);
	env.pid = 0;
}

/* SIGTERM; returns the exit status (non-zero also for valgrind errors). */
static int stop_pool(void)
{
	long deadline = now_ms() + (under_valgrind() ? 60000 : 10000);
	int status;

	if (env.pid <= 0)
		return 0;
	kill(env.pid, SIGTERM);
	while (waitpid(env.pid, &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			kill(env.pid, SIGKILL);
			waitpid(env.pid, &status, 0);
			env.pid = 0;
			return -1;
		}
		sleep_ms(20);
	}
	env.pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void teardown(void)
{
	char cmd[256];
	int rc = stop_pool();

	if (rc != 0)
		fprintf(stderr, "%s", read_file(env.log));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", env.dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_msg(rc == 0, "cygnet-pool exit status %d", rc);
}

/* One acquire; returns the RPC status and the address in *addr. */
static int acquire(struct rpc_client *client, const char *pool,
		   const char *identity, int family, char *addr, size_t size,
		   char *error, size_t errlen)
{
	Cygnet__AcquireRequest req = CYGNET__ACQUIRE_REQUEST__INIT;
	Cygnet__Identity id = CYGNET__IDENTITY__INIT;
	Cygnet__Address any = CYGNET__ADDRESS__INIT;
	uint8_t zero[16] = { 0 };
	char *pools[1] = { (char *)pool };
	struct rpc_result res;
	const Cygnet__Lease *lease;
	int status;

	id.text = (char *)identity;
	any.ip.data = zero;
	any.ip.len = family == AF_INET ? 4 : 16;
	req.n_pools = 1;
	req.pools = pools;
	req.identity = &id;
	req.requested = &any;
	rpc_call(client, CYGNET__POOL_METHOD__POOL_ACQUIRE, &req.base,
		 &cygnet__lease__descriptor, CALL_MS, &res);
	status = res.status;
	if (status != CYGNET__RPC_STATUS__RPC_OK) {
		if (error)
			snprintf(error, errlen, "%s", res.error);
		return status;
	}
	lease = (const Cygnet__Lease *)res.reply;
	inet_ntop(family, lease->address->ip.data, addr, (socklen_t)size);
	protobuf_c_message_free_unpacked(res.reply, NULL);
	return status;
}

static void acquire_ok(struct rpc_client *client, const char *pool,
		       const char *identity, int family, char *addr)
{
	char err[256] = "";

	ck_assert_msg(acquire(client, pool, identity, family, addr,
			      INET6_ADDRSTRLEN, err, sizeof(err)) ==
			      CYGNET__RPC_STATUS__RPC_OK,
		      "%s: %s", identity, err);
}

static bool release(struct rpc_client *client, const char *identity,
		    const char *addr)
{
	Cygnet__ReleaseRequest req = CYGNET__RELEASE_REQUEST__INIT;
	Cygnet__Identity id = CYGNET__IDENTITY__INIT;
	Cygnet__Address address = CYGNET__ADDRESS__INIT;
	uint8_t bytes[16];
	struct rpc_result res;
	bool released;

	if (inet_pton(AF_INET, addr, bytes) == 1) {
		address.ip.len = 4;
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, addr, bytes), 1);
		address.ip.len = 16;
	}
	address.ip.data = bytes;
	id.text = (char *)identity;
	req.identity = &id;
	req.address = &address;
	rpc_call(client, CYGNET__POOL_METHOD__POOL_RELEASE, &req.base,
		 &cygnet__release_reply__descriptor, CALL_MS, &res);
	ck_assert_msg(res.status == CYGNET__RPC_STATUS__RPC_OK, "%s",
		      res.error);
	released = ((Cygnet__ReleaseReply *)res.reply)->released;
	protobuf_c_message_free_unpacked(res.reply, NULL);
	return released;
}

/* A lease as listed, for comparisons. */
struct listed {
	char pool[32];
	char addr[INET6_ADDRSTRLEN];
	char identity[64];
	bool online;
};

/* Every lease of every pool; returns the count. */
static size_t list_leases(struct rpc_client *client, struct listed *out,
			  size_t max)
{
	struct rpc_result res;
	Cygnet__PoolList *list = list_pools(client, true, &res);
	size_t n = 0;

	ck_assert_msg(list != NULL, "%s", res.error);
	for (size_t p = 0; p < list->n_pools; p++) {
		const Cygnet__PoolInfo *pool = list->pools[p];

		for (size_t i = 0; i < pool->n_leases && n < max; i++, n++) {
			const Cygnet__PoolLease *l = pool->leases[i];

			snprintf(out[n].pool, sizeof(out[n].pool), "%s",
				 pool->name);
			inet_ntop(l->address->ip.len == 4 ? AF_INET : AF_INET6,
				  l->address->ip.data, out[n].addr,
				  sizeof(out[n].addr));
			snprintf(out[n].identity, sizeof(out[n].identity), "%s",
				 l->identity);
			out[n].online = l->online;
		}
	}
	protobuf_c_message_free_unpacked(res.reply, NULL);
	return n;
}

static const struct listed *find_listed(const struct listed *all, size_t n,
					const char *identity)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(all[i].identity, identity) == 0)
			return &all[i];
	}
	return NULL;
}

/* ---- 64 concurrent clients ------------------------------------------ */

#define CLIENTS 64
#define PER_CLIENT 3

struct client_run {
	int index;
	char addr[PER_CLIENT][INET6_ADDRSTRLEN];
	int failures;
};

static void *client_main(void *arg)
{
	struct client_run *run = arg;
	struct rpc_client *client = client_open();
	char id[32], err[256];

	for (int i = 0; i < PER_CLIENT; i++) {
		snprintf(id, sizeof(id), "client-%d-%d", run->index, i);
		if (acquire(client, "big", id, AF_INET, run->addr[i],
			    sizeof(run->addr[i]), err, sizeof(err)) != 0)
			run->failures++;
	}
	/* each client lets its first lease go offline */
	snprintf(id, sizeof(id), "client-%d-0", run->index);
	if (!release(client, id, run->addr[0]))
		run->failures++;
	rpc_client_close(client);
	return NULL;
}

static void assert_big_counts(uint64_t online, uint64_t offline)
{
	struct rpc_client *client = client_open();
	struct rpc_result res;
	Cygnet__PoolList *list = list_pools(client, false, &res);
	bool seen = false;

	ck_assert_ptr_nonnull(list);
	for (size_t i = 0; i < list->n_pools; i++) {
		if (strcmp(list->pools[i]->name, "big") != 0)
			continue;
		seen = true;
		ck_assert_uint_eq(list->pools[i]->online, online);
		ck_assert_uint_eq(list->pools[i]->offline, offline);
		ck_assert_uint_eq(list->pools[i]->size, 254);
	}
	ck_assert(seen);
	protobuf_c_message_free_unpacked(res.reply, NULL);
	rpc_client_close(client);
}

START_TEST(concurrent_clients)
{
	static struct client_run runs[CLIENTS];
	pthread_t threads[CLIENTS];
	static struct listed before[CLIENTS * PER_CLIENT + 8];
	static struct listed after[CLIENTS * PER_CLIENT + 8];
	struct rpc_client *client;
	size_t n_before, n_after;

	start_pool();
	for (int i = 0; i < CLIENTS; i++) {
		runs[i] = (struct client_run){ .index = i };
		ck_assert_int_eq(pthread_create(&threads[i], NULL, client_main,
						&runs[i]), 0);
	}
	for (int i = 0; i < CLIENTS; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < CLIENTS * PER_CLIENT; i++) {
		const char *a = runs[i / PER_CLIENT].addr[i % PER_CLIENT];

		ck_assert_int_eq(runs[i / PER_CLIENT].failures, 0);
		for (int j = i + 1; j < CLIENTS * PER_CLIENT; j++)
			ck_assert_str_ne(a, runs[j / PER_CLIENT].addr[j % PER_CLIENT]);
	}
	assert_big_counts(CLIENTS * (PER_CLIENT - 1), CLIENTS);

	client = client_open();
	n_before = list_leases(client, before, CLIENTS * PER_CLIENT + 8);
	rpc_client_close(client);
	ck_assert_int_eq(stop_pool(), 0);
	start_pool();
	client = client_open();
	n_after = list_leases(client, after, CLIENTS * PER_CLIENT + 8);
	rpc_client_close(client);
	ck_assert_uint_eq(n_before, CLIENTS * PER_CLIENT);
	ck_assert_uint_eq(n_after, n_before);
	ck_assert_mem_eq(before, after, n_before * sizeof(before[0]));
}
END_TEST

/* ---- kill -9 during a burst ------------------------------------------ */

#define BURST_THREADS 16
#define BURST_MAX 28		/* 8 IPv4 threads: 224 of "big"'s 254 */
#define BURST_KILL_AT 60	/* acknowledged acquires before the kill */

struct burst {
	int index;
	int acked;
	char id[BURST_MAX][32];
	char addr[BURST_MAX][INET6_ADDRSTRLEN];
};

static atomic_bool burst_stop;
static atomic_int burst_acked;

static void *burst_main(void *arg)
{
	struct burst *b = arg;
	struct rpc_client *client = client_open();
	int family = b->index % 2 ? AF_INET6 : AF_INET;
	const char *pool = family == AF_INET ? "big" : "ipv6";

	for (int i = 0; i < BURST_MAX && !atomic_load(&burst_stop); i++) {
		snprintf(b->id[b->acked], sizeof(b->id[0]), "burst-%d-%d",
			 b->index, i);
		if (acquire(client, pool, b->id[b->acked], family,
			    b->addr[b->acked], sizeof(b->addr[0]), NULL, 0) != 0)
			break;
		b->acked++;
		atomic_fetch_add(&burst_acked, 1);
	}
	rpc_client_close(client);
	return NULL;
}

START_TEST(kill9_during_burst)
{
	static struct burst bursts[BURST_THREADS];
	static struct listed all[BURST_THREADS * BURST_MAX + 8];
	pthread_t threads[BURST_THREADS];
	struct rpc_client *client;
	char fresh[INET6_ADDRSTRLEN];
	int acked = 0;
	size_t n;

	start_pool();
	atomic_store(&burst_stop, false);
	atomic_store(&burst_acked, 0);
	for (int i = 0; i < BURST_THREADS; i++) {
		bursts[i] = (struct burst){ .index = i };
		pthread_create(&threads[i], NULL, burst_main, &bursts[i]);
	}
	while (atomic_load(&burst_acked) < BURST_KILL_AT)
		sleep_ms(1);
	kill9_pool();
	atomic_store(&burst_stop, true);
	for (int i = 0; i < BURST_THREADS; i++) {
		pthread_join(threads[i], NULL);
		acked += bursts[i].acked;
	}
	ck_assert_msg(acked > 0 && acked < BURST_THREADS * BURST_MAX,
		      "the kill should land inside the burst (%d acked)",
		      acked);

	start_pool();
	client = client_open();
	n = list_leases(client, all, BURST_THREADS * BURST_MAX + 8);
	for (int i = 0; i < BURST_THREADS; i++) {
		for (int j = 0; j < bursts[i].acked; j++) {
			const struct listed *l = find_listed(all, n,
							     bursts[i].id[j]);

			ck_assert_msg(l != NULL, "acknowledged lease of %s lost",
				      bursts[i].id[j]);
			ck_assert_str_eq(l->addr, bursts[i].addr[j]);
			ck_assert(l->online);
		}
	}
	/* no address twice: not in the store, not to a newcomer */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			ck_assert_str_ne(all[i].addr, all[j].addr);
	acquire_ok(client, "big", "newcomer", AF_INET, fresh);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_ne(all[i].addr, fresh);
	rpc_client_close(client);
	fprintf(stderr, "kill -9 after %d acknowledged acquires, %zu leases "
		"stored, none lost\n", acked, n);
}
END_TEST

/* ---- reconciliation with a stand-in IKE service ---------------------- */

static const char *live_identity = "live";
static uint8_t live_addr[4];

static void ike_list_vips(void *ctx, const ProtobufCMessage *request,
			  struct rpc_reply *reply)
{
	Cygnet__VirtualIpList list = CYGNET__VIRTUAL_IP_LIST__INIT;
	Cygnet__VirtualIp vip = CYGNET__VIRTUAL_IP__INIT;
	Cygnet__Address addr = CYGNET__ADDRESS__INIT;
	Cygnet__VirtualIp *vips[1] = { &vip };

	(void)ctx;
	(void)request;
	addr.ip.data = live_addr;
	addr.ip.len = 4;
	vip.pool = "ipv4";
	vip.address = &addr;
	vip.identity = (char *)live_identity;
	list.n_ips = 1;
	list.ips = vips;
	rpc_reply_message(reply, &list.base);
}

static const struct rpc_method ike_methods[] = {
	{ CYGNET__IKE_METHOD__IKE_LIST_VIRTUAL_IPS, "ike.list_vips",
	  &cygnet__empty__descriptor, ike_list_vips },
};

START_TEST(reconcile_on_start)
{
	struct rpc_client *client;
	struct rpc_server *ike;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN];
	char err[256] = "", line[256];
	struct listed all[8];
	long deadline;
	size_t n;

	start_pool();
	client = client_open();
	acquire_ok(client, "ipv4", "gone-1", AF_INET, a);
	acquire_ok(client, "ipv4", "live", AF_INET, b);
	acquire_ok(client, "ipv4", "gone-2", AF_INET, c);
	rpc_client_close(client);
	kill9_pool();

	ck_assert_int_eq(inet_pton(AF_INET, b, live_addr), 1);
	ike = rpc_server_start(env.ike_url, NULL, ike_methods, 1, NULL, 1, err,
			       sizeof(err));
	ck_assert_msg(ike != NULL, "%s", err);
	start_pool();
	deadline = now_ms() + (under_valgrind() ? 30000 : 5000);
	while (!log_has("reconciled leases") && now_ms() < deadline)
		sleep_ms(50);
	rpc_server_stop(ike);
	snprintf(line, sizeof(line), "lease %s by 'gone-2' went offline", c);
	ck_assert(log_has(line));

	client = client_open();
	n = list_leases(client, all, 8);
	rpc_client_close(client);
	ck_assert_uint_eq(n, 3);
	ck_assert(!find_listed(all, n, "gone-1")->online);
	ck_assert(find_listed(all, n, "live")->online);
	ck_assert(!find_listed(all, n, "gone-2")->online);
	ck_assert(log_has("reconciled leases with 1 virtual IPs of live "
			  "IKE_SAs, 2 changed"));
}
END_TEST

/* ---- exhaustion, reload, bad config, cygnetctl ----------------------- */

START_TEST(exhaustion_over_rpc)
{
	struct rpc_client *client;
	char addr[INET6_ADDRSTRLEN], err[256] = "";

	write_config("  tiny { addrs = 192.0.2.8/30 }\n");
	start_pool();
	client = client_open();
	acquire_ok(client, "tiny", "a", AF_INET, addr);
	ck_assert_str_eq(addr, "192.0.2.9");
	acquire_ok(client, "tiny", "b", AF_INET, addr);
	ck_assert_int_eq(acquire(client, "tiny", "c", AF_INET, addr,
				 sizeof(addr), err, sizeof(err)),
			 CYGNET__RPC_STATUS__RPC_FAILED);
	ck_assert_str_eq(err, "pool 'tiny' is full");
	ck_assert_int_eq(acquire(client, "nope", "c", AF_INET, addr,
				 sizeof(addr), err, sizeof(err)),
			 CYGNET__RPC_STATUS__RPC_FAILED);
	ck_assert_str_eq(err, "no pool named nope");
	rpc_client_close(client);
	ck_assert(log_has("pool 'tiny' is full, unable to assign address"));
}
END_TEST

START_TEST(reload_refused_keeps_pools)
{
	struct rpc_client *client;
	char addr[INET6_ADDRSTRLEN];
	long deadline;

	start_pool();
	client = client_open();
	acquire_ok(client, "ipv4", "Andreas Steffen", AF_INET, addr);
	ck_assert_str_eq(addr, "198.51.100.65");
	write_config("  big { addrs = 203.0.113.0/24 }\n");
	kill(env.pid, SIGHUP);
	deadline = now_ms() + (under_valgrind() ? 30000 : 5000);
	while (!log_has("reload failed") && now_ms() < deadline)
		sleep_ms(50);
	ck_assert(log_has("reload failed, keeping old config: pool ipv4 has 1 "
			  "online leases, unable to unload"));
	ck_assert(release(client, "Andreas Steffen", addr));
	acquire_ok(client, "ipv4", "Andreas Steffen", AF_INET, addr);
	ck_assert_str_eq(addr, "198.51.100.65");
	ck_assert(log_has("reassigning offline lease to 'Andreas Steffen'"));
	rpc_client_close(client);
}
END_TEST

START_TEST(bad_config_at_start)
{
	int status;
	pid_t pid;

	write_config("  a { addrs = 192.0.2.0/25 }\n"
		     "  b {\n"
		     "    addrs = 192.0.2.100-192.0.2.200\n"
		     "  }\n");
	pid = start_pool_process();
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	ck_assert(log_has("cygnet.conf:4: pool 'b': addrs overlap those of "
			  "pool 'a' ("));
}
END_TEST

static char *run_ctl(const char *arg1, const char *arg2)
{
	char binary[PATH_LEN], out[PATH_LEN];
	char *argv[] = { binary, "--config", env.conf, (char *)arg1,
			 (char *)arg2, NULL };
	int status;
	pid_t pid;

	snprintf(binary, sizeof(binary), "%s/cygnetctl", bin_dir());
	snprintf(out, sizeof(out), "%s/ctl.out", env.dir);
	unlink(out);
	pid = spawn_in(env.dir, argv, NULL, out, out);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return read_file(out);
}

START_TEST(ctl_list_pools_format)
{
	const char *want =
		"ipv4                 198.51.100.64                        1 / 1 / 62\n"
		"  198.51.100.65                  offline  'C=CH, O=strongSec GmbH, CN=mijas.strongsec.com'\n"
		"  198.51.100.66                  online   'Andreas Steffen'\n"
		"big                  203.0.113.0                         0 / 0 / 254\n"
		"ipv6                 2001:db8:1:2::                 0 / 0 / 4294967294\n";
	const char *mijas = "C=CH, O=strongSec GmbH, CN=mijas.strongsec.com";
	struct rpc_client *client;
	char addr[INET6_ADDRSTRLEN];
	char *out;

	start_pool();
	client = client_open();
	acquire_ok(client, "ipv4", mijas, AF_INET, addr);
	ck_assert(release(client, mijas, addr));
	acquire_ok(client, "ipv4", "Andreas Steffen", AF_INET, addr);
	rpc_client_close(client);
	out = run_ctl("--list-pools", "--leases");
	ck_assert_str_eq(out, want);
	free(out);
}
END_TEST

static Suite *pool_daemon_suite(void)
{
	Suite *s = suite_create("cygnet-pool");
	TCase *tc = tcase_create("daemon");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, under_valgrind() ? 600 : 60);
	tcase_add_test(tc, concurrent_clients);
	tcase_add_test(tc, kill9_during_burst);
	tcase_add_test(tc, reconcile_on_start);
	tcase_add_test(tc, exhaustion_over_rpc);
	tcase_add_test(tc, reload_refused_keeps_pools);
	tcase_add_test(tc, bad_config_at_start);
	tcase_add_test(tc, ctl_list_pools_format);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(pool_daemon_suite)
