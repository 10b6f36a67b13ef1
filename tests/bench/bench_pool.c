/* Lease throughput: acquire + release pairs per second, in-process on the
 * leases core (store in WAL mode, synchronous=FULL, on the build's file
 * system) and through cygnet-pool's RPC with 1 and 16 clients.
 *
 * No strongSwan ratio: charon's pools (mem_pool) live inside charon and
 * persist nothing; vici has no acquire call, so there is no per-call
 * figure of charon to measure against in the same run. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "pool.pb-c.h"
#include "pool/leases.h"
#include "rpc.h"

#define INPROC_PAIRS 3000
#define RPC_PAIRS 3000
#define RPC_CLIENTS 16
#define CALL_MS 10000

static char dir[64];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *what, const char *why)
{
	fprintf(stderr, "bench_pool: %s: %s\n", what, why);
	exit(1);
}

static void bench_in_process(void)
{
	const char *pools_text = "pools { v6 { addrs = 2001:db8::/64 } }";
	const char *const names[] = { "v6" };
	struct ipaddr any = { .len = 16 };
	struct conf_error cerr;
	struct store_stats stats;
	struct pool_defs defs;
	struct lease_grant grant;
	struct leases *leases;
	struct conf *conf;
	char path[128], id[32], err[256];
	bool offline;
	double start, secs;

	snprintf(path, sizeof(path), "%s/inproc.db", dir);
	leases = leases_open(path, err, sizeof(err));
	conf = conf_load_string(pools_text, "bench.conf", &cerr);
	if (!leases || !conf ||
	    pool_conf_parse(conf_section_find(conf_root(conf), "pools"), &defs,
			    err, sizeof(err)) != 0 ||
	    leases_set_pools(leases, &defs, err, sizeof(err)) != 0)
		fail("in-process setup", err);
	conf_free(conf);
	start = now_s();
	for (int i = 0; i < INPROC_PAIRS; i++) {
		/* 500 identities: new leases first, then offline ones again */
		snprintf(id, sizeof(id), "user-%d", i % 500);
		if (leases_acquire(leases, names, 1, id, &any, &grant, err,
				   sizeof(err)) != ACQUIRE_OK)
			fail("acquire", err);
		if (leases_release(leases, id, &grant.addr, &offline) != 1)
			fail("release", "lease not released");
		lease_grant_clear(&grant);
	}
	secs = now_s() - start;
	leases_store_stats(leases, &stats);
	printf("pool in-process: %d acquire+release pairs in %.2f s = %.0f "
	       "pairs/s (%.0f ops/s); transaction avg %.0f us, fdatasync avg "
	       "%.0f us, max %llu us\n",
	       INPROC_PAIRS, secs, INPROC_PAIRS / secs, 2 * INPROC_PAIRS / secs,
	       (double)stats.commit.total_us / (double)stats.commit.count,
	       (double)stats.flush.total_us / (double)stats.flush.count,
	       (unsigned long long)stats.flush.max_us);
	leases_close(leases);
}

static char pool_url[256];

/* A free TCP port on loopback for the status endpoint. */
static int free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int port = 0;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	if (!port)
		fail("status port", "none free");
	return port;
}

static pid_t start_daemon(void)
{
	const char *bin = getenv("CYGNET_BIN");
	char conf[128], binary[512], log[128];
	FILE *f;
	pid_t pid;

	snprintf(conf, sizeof(conf), "%s/cygnet.conf", dir);
	snprintf(log, sizeof(log), "%s/pool.log", dir);
	snprintf(pool_url, sizeof(pool_url), "ipc://%s/pool.rpc", dir);
	snprintf(binary, sizeof(binary), "%s/cygnet-pool",
		 bin && *bin ? bin : "build/bin");
	f = fopen(conf, "w");
	if (!f)
		fail("config", "cannot write");
	fprintf(f, "pools { v6 { addrs = 2001:db8::/64 } }\n"
		"cygnet { runtime_dir = %s\n"
		"  pool { rpc = %s\n events = ipc://%s/pool.events\n"
		"    status = 127.0.0.1:%d\n workers = 8\n state_dir = %s }\n"
		"  ike { rpc = ipc://%s/ike.rpc } }\n",
		dir, pool_url, dir, free_port(), dir, dir);
	fclose(f);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0640);

		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execl(binary, binary, "--config", conf, (char *)NULL);
		_exit(127);
	}
	return pid;
}

struct rpc_worker {
	int index;
	int pairs;
	int failures;
};

static int rpc_pair(struct rpc_client *client, const char *identity)
{
	Cygnet__AcquireRequest acq = CYGNET__ACQUIRE_REQUEST__INIT;
	Cygnet__ReleaseRequest rel = CYGNET__RELEASE_REQUEST__INIT;
	Cygnet__Identity id = CYGNET__IDENTITY__INIT;
	Cygnet__Address any = CYGNET__ADDRESS__INIT;
	uint8_t zero[16] = { 0 };
	char *pools[1] = { "v6" };
	struct rpc_result res;
	int rc;

	id.text = (char *)identity;
	any.ip.data = zero;
	any.ip.len = 16;
	acq.n_pools = 1;
	acq.pools = pools;
	acq.identity = &id;
	acq.requested = &any;
	rpc_call(client, CYGNET__POOL_METHOD__POOL_ACQUIRE, &acq.base,
		 &cygnet__lease__descriptor, CALL_MS, &res);
	if (res.status != CYGNET__RPC_STATUS__RPC_OK)
		return -1;
	rel.identity = &id;
	rel.address = ((Cygnet__Lease *)res.reply)->address;
	rpc_call(client, CYGNET__POOL_METHOD__POOL_RELEASE, &rel.base,
		 &cygnet__release_reply__descriptor, CALL_MS, &res);
	protobuf_c_message_free_unpacked((ProtobufCMessage *)res.reply, NULL);
	rc = res.status == CYGNET__RPC_STATUS__RPC_OK ? 0 : -1;
	return rc;
}

static void *rpc_worker_main(void *arg)
{
	struct rpc_worker *w = arg;
	char err[256], id[32];
	struct rpc_client *client = rpc_client_open(pool_url, NULL, err,
						    sizeof(err));

	if (!client)
		fail("rpc client", err);
	for (int i = 0; i < w->pairs; i++) {
		snprintf(id, sizeof(id), "c%d-%d", w->index, i % 50);
		if (rpc_pair(client, id) != 0)
			w->failures++;
	}
	rpc_client_close(client);
	return NULL;
}

static void bench_rpc_clients(int clients)
{
	struct rpc_worker workers[RPC_CLIENTS];
	pthread_t threads[RPC_CLIENTS];
	int failures = 0;
	double start, secs;

	start = now_s();
	for (int i = 0; i < clients; i++) {
		workers[i] = (struct rpc_worker){ i + clients * 100,
						  RPC_PAIRS / clients, 0 };
		pthread_create(&threads[i], NULL, rpc_worker_main, &workers[i]);
	}
	for (int i = 0; i < clients; i++) {
		pthread_join(threads[i], NULL);
		failures += workers[i].failures;
	}
	secs = now_s() - start;
	if (failures)
		fail("rpc", "calls failed");
	printf("pool over RPC, %2d client%s: %d pairs in %.2f s = %.0f pairs/s "
	       "(%.0f calls/s)\n", clients, clients > 1 ? "s" : " ", RPC_PAIRS,
	       secs, RPC_PAIRS / secs, 2 * RPC_PAIRS / secs);
}

/* Waits until the daemon lists its pools. */
static void wait_ready(pid_t pid)
{
	Cygnet__ListPoolsRequest req = CYGNET__LIST_POOLS_REQUEST__INIT;
	struct rpc_result res;
	char err[256];
	struct rpc_client *client = rpc_client_open(pool_url, NULL, err,
						    sizeof(err));

	if (!client)
		fail("rpc client", err);
	for (int i = 0; i < 100; i++) {
		rpc_call(client, CYGNET__POOL_METHOD__POOL_LIST, &req.base,
			 &cygnet__pool_list__descriptor, 100, &res);
		if (res.status == CYGNET__RPC_STATUS__RPC_OK) {
			protobuf_c_message_free_unpacked(res.reply, NULL);
			rpc_client_close(client);
			return;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid)
			fail("cygnet-pool", "exited at start, see its log");
	}
	fail("cygnet-pool", "not ready");
}

int main(void)
{
	char cmd[128];
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	log_set_all_levels(LOG_LEVEL_SILENT);
	snprintf(dir, sizeof(dir), "/tmp/cygnet-bench-pool-XXXXXX");
	if (!mkdtemp(dir))
		fail("mkdtemp", "failed");
	bench_in_process();
	pid = start_daemon();
	wait_ready(pid);
	bench_rpc_clients(1);
	bench_rpc_clients(RPC_CLIENTS);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
