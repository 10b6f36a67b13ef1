/* Events over real PUB/SUB sockets: topic filtering, ipc permissions,
 * subscribers that start before their publisher. */
#include <errno.h>
#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "endpoint_test_util.h"
#include "log.h"
#include "testmain.h"
#include "tls_test_util.h"
#include "types.pb-c.h"

#define MAX_SEEN 64

static char tmpdir[64];
static char url[128];

struct seen {
	pthread_mutex_t lock;
	uint32_t synced;	/* round of the last "*.sync" event */
	int count;		/* other events, recorded below */
	char topics[MAX_SEEN][32];
	uint32_t ports[MAX_SEEN];
};

static void on_event(void *arg, const char *topic, const uint8_t *body,
		     size_t len)
{
	struct seen *seen = arg;
	Cygnet__Address *addr = cygnet__address__unpack(NULL, len, body);
	size_t topic_len = strlen(topic);

	pthread_mutex_lock(&seen->lock);
	if (topic_len > 5 && strcmp(topic + topic_len - 5, ".sync") == 0)
		seen->synced = addr != NULL ? addr->port : 0;
	else if (seen->count < MAX_SEEN) {
		snprintf(seen->topics[seen->count], sizeof(seen->topics[0]),
			 "%s", topic);
		seen->ports[seen->count] = addr != NULL ? addr->port : 0;
		seen->count++;
	}
	pthread_mutex_unlock(&seen->lock);
	if (addr != NULL)
		cygnet__address__free_unpacked(addr, NULL);
}

static int seen_count(struct seen *seen)
{
	int n;

	pthread_mutex_lock(&seen->lock);
	n = seen->count;
	pthread_mutex_unlock(&seen->lock);
	return n;
}

static int publish(struct events_pub *pub, const char *topic, uint32_t port)
{
	Cygnet__Address addr = CYGNET__ADDRESS__INIT;
	uint8_t ip[4] = { 192, 0, 2, 1 };

	addr.ip.data = ip;
	addr.ip.len = sizeof(ip);
	addr.port = port;
	return events_publish(pub, topic, &addr.base);
}

static uint32_t seen_synced(struct seen *seen)
{
	uint32_t round;

	pthread_mutex_lock(&seen->lock);
	round = seen->synced;
	pthread_mutex_unlock(&seen->lock);
	return round;
}

/* PUB drops what it sends before a subscriber is connected, so announce
 * round on topic until every subscriber has seen it. */
static void sync_subscribers(struct events_pub *pub, const char *topic,
			     uint32_t round, struct seen **seen, int n)
{
	int ready = 0;

	for (int tries = 0; tries < 500 && ready < n; tries++) {
		ck_assert_int_eq(publish(pub, topic, round), 0);
		usleep(20 * 1000);
		ready = 0;
		for (int i = 0; i < n; i++)
			ready += seen_synced(seen[i]) == round;
	}
	ck_assert_int_eq(ready, n);
}

static void wait_for(struct seen *seen, int count)
{
	for (int i = 0; i < 300 && seen_count(seen) < count; i++)
		usleep(10 * 1000);
}

static struct events_sub *subscribe_at(const char *at,
				       const struct rpc_tls *tls,
				       const char *topic, struct seen *seen)
{
	char err[256] = "";
	struct events_sub *sub = events_sub_open(at, tls, topic, on_event,
						 seen, err, sizeof(err));

	ck_assert_msg(sub != NULL, "%s", err);
	return sub;
}

static struct events_sub *subscribe(const char *topic, struct seen *seen)
{
	return subscribe_at(url, NULL, topic, seen);
}

static struct events_pub *open_pub_at(const char *at,
				      const struct rpc_tls *tls)
{
	char err[256] = "";
	struct events_pub *pub = events_pub_open(at, tls, err, sizeof(err));

	ck_assert_msg(pub != NULL, "%s", err);
	return pub;
}

static struct events_pub *open_pub(void)
{
	return open_pub_at(url, NULL);
}

static void setup(void)
{
	endpoint_setup(tmpdir, sizeof(tmpdir), "events", url, sizeof(url), "test.events");
}

static void teardown(void)
{
	endpoint_teardown(tmpdir);
}

START_TEST(test_topic_filter)
{
	struct seen pool = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct seen all = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct seen *both[] = { &pool, &all };
	struct events_pub *pub = open_pub();
	struct events_sub *pool_sub = subscribe("pool.", &pool);
	struct events_sub *all_sub = subscribe("", &all);

	sync_subscribers(pub, "pool.sync", 1, both, 2);

	ck_assert_int_eq(publish(pub, "kernel.sa_expired", 1), 0);
	ck_assert_int_eq(publish(pub, "pool.lease", 2), 0);
	ck_assert_int_eq(publish(pub, "poolx.other", 3), 0);
	ck_assert_int_eq(publish(pub, "pool.release", 4), 0);
	wait_for(&all, 4);
	wait_for(&pool, 2);
	usleep(100 * 1000);	/* time for a wrongly delivered event */

	ck_assert_int_eq(seen_count(&all), 4);
	ck_assert_str_eq(all.topics[0], "kernel.sa_expired");
	ck_assert_uint_eq(all.ports[0], 1);
	ck_assert_int_eq(seen_count(&pool), 2);
	ck_assert_str_eq(pool.topics[0], "pool.lease");
	ck_assert_uint_eq(pool.ports[0], 2);
	ck_assert_str_eq(pool.topics[1], "pool.release");
	ck_assert_uint_eq(pool.ports[1], 4);

	events_sub_close(pool_sub);
	events_sub_close(all_sub);
	events_pub_close(pub);
}
END_TEST

START_TEST(test_ipc_perms_and_removal)
{
	struct events_pub *pub = open_pub();

	assert_ipc_perms(tmpdir, "test.events");
	events_pub_close(pub);
	assert_ipc_removed(tmpdir, "test.events");
}
END_TEST

START_TEST(test_subscriber_before_publisher)
{
	struct seen seen = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct seen *one[] = { &seen };
	struct events_sub *sub = subscribe("kernel.", &seen);
	struct events_pub *pub;

	usleep(300 * 1000);	/* a few failed reconnects */
	pub = open_pub();
	sync_subscribers(pub, "kernel.sync", 1, one, 1);

	/* and the subscriber follows a publisher restart */
	events_pub_close(pub);
	pub = open_pub();
	sync_subscribers(pub, "kernel.sync", 2, one, 1);
	ck_assert_int_eq(publish(pub, "kernel.sa_expired", 5), 0);
	wait_for(&seen, 1);
	ck_assert_int_eq(seen_count(&seen), 1);
	ck_assert_str_eq(seen.topics[0], "kernel.sa_expired");
	ck_assert_uint_eq(seen.ports[0], 5);
	events_sub_close(sub);
	events_pub_close(pub);
}
END_TEST

START_TEST(test_event_without_topic_dropped)
{
	struct seen seen = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct events_sub *sub = subscribe("", &seen);
	char path[128];
	nng_socket raw;

	/* a raw publisher sending bytes with no NUL: dropped, not delivered */
	snprintf(path, sizeof(path), "%s/run", tmpdir);
	ck_assert_int_eq(mkdir(path, 0750), 0);
	ck_assert_int_eq(nng_pub0_open(&raw), 0);
	ck_assert_int_eq(nng_listen(raw, url, NULL, 0), 0);
	for (int tries = 0; tries < 200 && seen_count(&seen) == 0; tries++) {
		ck_assert_int_eq(nng_send(raw, "garbage", 7, 0), 0);
		ck_assert_int_eq(nng_send(raw, "ok\0", 3, 0), 0);
		usleep(20 * 1000);
	}
	ck_assert_int_gt(seen_count(&seen), 0);
	for (int i = 0; i < seen_count(&seen); i++)
		ck_assert_str_eq(seen.topics[i], "ok");
	events_sub_close(sub);
	nng_close(raw);
}
END_TEST

/* Over mutual TLS: a subscriber with a certificate from the services' CA
 * gets events, one with a certificate from another CA gets none. */
START_TEST(test_tls_events)
{
	struct seen good = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct seen rogue = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct seen *one[] = { &good };
	struct rpc_tls pub_tls, good_tls, rogue_tls;
	struct events_sub *good_sub, *rogue_sub;
	struct events_pub *pub;
	char tls_url[64];

	make_ca(tmpdir, "ca");
	make_ca(tmpdir, "rogue");
	make_cert(tmpdir, "pub", "ca");
	make_cert(tmpdir, "sub", "ca");
	make_cert(tmpdir, "intruder", "rogue");
	tls_files(&pub_tls, tmpdir, "ca", "pub");
	tls_files(&good_tls, tmpdir, "ca", "sub");
	tls_files(&rogue_tls, tmpdir, "ca", "intruder");
	snprintf(tls_url, sizeof(tls_url), "tls+tcp://127.0.0.1:%d",
		 free_tcp_port());

	pub = open_pub_at(tls_url, &pub_tls);
	good_sub = subscribe_at(tls_url, &good_tls, "pool.", &good);
	rogue_sub = subscribe_at(tls_url, &rogue_tls, "", &rogue);
	sync_subscribers(pub, "pool.sync", 1, one, 1);
	ck_assert_int_eq(publish(pub, "pool.lease", 7), 0);
	wait_for(&good, 1);
	ck_assert_int_eq(seen_count(&good), 1);
	ck_assert_uint_eq(good.ports[0], 7);
	ck_assert_int_eq(seen_count(&rogue), 0);
	ck_assert_uint_eq(seen_synced(&rogue), 0);

	events_sub_close(rogue_sub);
	events_sub_close(good_sub);
	events_pub_close(pub);
}
END_TEST

START_TEST(test_bad_url)
{
	char err[256] = "";

	ck_assert_ptr_null(events_pub_open("nope://x", NULL, err, sizeof(err)));
	ck_assert_msg(strstr(err, "nope://x") != NULL, "%s", err);
	ck_assert_ptr_null(events_sub_open("tls+tcp://127.0.0.1:1", NULL, "",
					   on_event, NULL, err, sizeof(err)));
	ck_assert_str_eq(err, "tls+tcp://127.0.0.1:1 needs tls { ca cert key }");
}
END_TEST

static Suite *events_suite(void)
{
	const TTest *tests[] = {
		test_topic_filter,
		test_ipc_perms_and_removal,
		test_subscriber_before_publisher,
		test_event_without_topic_dropped,
		test_tls_events,
		test_bad_url,
	};

	return endpoint_suite("events", 60, setup, teardown, tests,
			      sizeof(tests) / sizeof(tests[0]));
}

TEST_MAIN(events_suite)
