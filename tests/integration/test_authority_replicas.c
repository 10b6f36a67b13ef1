/* Two cygnet-authority processes serving one client (an ike service's
 * view of a scaled authority: rpc = tcp://a, tcp://b): both answer
 * calls, and when one is killed the other answers them all. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "rpc.h"
#include "testmain.h"
#include "types.pb-c.h"

#define REPLICAS 2
#define CALLS 40
#define CALL_TIMEOUT_MS 5000
#define START_TIMEOUT_MS 20000

static char dir[64];
static pid_t pids[REPLICAS];
static int rpc_ports[REPLICAS];

static void write_replica_config(int i)
{
	char path[128], text[1024];

	snprintf(path, sizeof(path), "%s/authority-%d.conf", dir, i);
	snprintf(text, sizeof(text),
		 "cygnet {\n"
		 "  runtime_dir = %s/run-%d\n"
		 "  authority {\n"
		 "    rpc = tcp://127.0.0.1:%d\n"
		 "    events = ipc://%s/run-%d/authority.events\n"
		 "    status = 127.0.0.1:%d\n"
		 "    swanctl_dir = %s/swanctl\n"
		 "    crl_cache_dir = %s/crls-%d\n"
		 "  }\n"
		 "}\n", dir, i, rpc_ports[i], dir, i, free_port(), dir, dir, i);
	write_file(path, text);
}

static void start_replica(int i)
{
	char bin[512], conf[128], log[128];
	char *argv[] = { bin, "--config", conf, NULL };

	snprintf(bin, sizeof(bin), "%s/cygnet-authority", bin_dir());
	snprintf(conf, sizeof(conf), "%s/authority-%d.conf", dir, i);
	snprintf(log, sizeof(log), "%s/authority-%d.log", dir, i);
	pids[i] = spawn_in(dir, argv, NULL, log, log);
}

static void setup(void)
{
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/cygnet-replicas-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/swanctl", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	for (int i = 0; i < REPLICAS; i++) {
		rpc_ports[i] = free_port();
		write_replica_config(i);
		start_replica(i);
	}
}

static void teardown(void)
{
	char cmd[128];

	for (int i = 0; i < REPLICAS; i++) {
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The pid of the replica that answered, 0 when the call failed. */
static pid_t status_pid(struct rpc_client *c)
{
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;
	struct rpc_result res;
	pid_t pid;

	rpc_call(c, CYGNET__COMMON_METHOD__METHOD_STATUS, &empty.base,
		 &cygnet__status__descriptor, CALL_TIMEOUT_MS, &res);
	if (res.status != CYGNET__RPC_STATUS__RPC_OK)
		return 0;
	pid = (pid_t)((Cygnet__Status *)res.reply)->pid;
	protobuf_c_message_free_unpacked(res.reply, NULL);
	return pid;
}

static int replica_of(pid_t pid)
{
	for (int i = 0; i < REPLICAS; i++)
		if (pids[i] == pid)
			return i;
	return -1;
}

START_TEST(both_replicas_answer)
{
	char urls[128], err[256] = "";
	struct rpc_client *c;
	int answered[REPLICAS] = { 0 };
	long until = now_ms() + START_TIMEOUT_MS;

	snprintf(urls, sizeof(urls), "tcp://127.0.0.1:%d, tcp://127.0.0.1:%d",
		 rpc_ports[0], rpc_ports[1]);
	c = rpc_client_open(urls, NULL, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	/* Until both have started and are connected. */
	while ((answered[0] == 0 || answered[1] == 0) && now_ms() < until) {
		int i = replica_of(status_pid(c));

		if (i >= 0)
			answered[i]++;
		else
			sleep_ms(100);
	}
	ck_assert_msg(answered[0] && answered[1], "answered %d and %d",
		      answered[0], answered[1]);
	memset(answered, 0, sizeof(answered));
	for (int n = 0; n < CALLS; n++) {
		int i = replica_of(status_pid(c));

		ck_assert_int_ge(i, 0);
		answered[i]++;
	}
	ck_assert_int_gt(answered[0], 0);
	ck_assert_int_gt(answered[1], 0);

	/* One replica killed: the calls go to the other. */
	kill(pids[0], SIGKILL);
	waitpid(pids[0], NULL, 0);
	pids[0] = 0;
	sleep_ms(300);
	for (int n = 0; n < 10; n++)
		ck_assert_int_eq(replica_of(status_pid(c)), 1);
	rpc_client_close(c);
}
END_TEST

static Suite *replicas_suite(void)
{
	Suite *s = suite_create("authority_replicas");
	TCase *tc = tcase_create("replicas");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, both_replicas_answer);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(replicas_suite)
