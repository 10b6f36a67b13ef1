/* IKE_SA_INIT load generator: sends requests from fresh initiator SPIs
 * over several source sockets to one responder, keeps at most a window of
 * them outstanding and counts the valid responses (SA, KE of our group,
 * Nonce, our SPI echoed, a responder SPI) per second, with latency
 * percentiles.  tests/bench/ike-init.sh runs it against cygnet-ike and
 * charon in network namespaces and prints the ratios; run alone (no
 * arguments, as run-all would) it only says so.
 *
 * The KE values come from a small pool of key pairs made before the
 * clock starts and are reused across requests: a responder does the same
 * work for a reused public value (its own keygen and the derivation), and
 * the generator, which shares the machine's cores with the responder,
 * stays cheap.  Nonces and SPIs are fresh per request.
 *
 * It stops by itself (--count and --duration bound it) and sends only to
 * loopback, or to documentation addresses from inside a network namespace
 * named bench-* (the script's). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ike/dh.h"
#include "ike/message.h"
#include "ike/natd.h"
#include "ike/payload.h"
#include "ike/proposal.h"
#include "ike/socket.h"
#include "log.h"

#define MAX_SOCKETS 64
#define MAX_SOURCES 16
#define MAX_WINDOW 256
#define KEY_POOL 8
#define NONCE_LEN 32
#define WARMUP_TRIES 50
#define WARMUP_WAIT_MS 200

struct options {
	struct sockaddr_storage target;
	socklen_t target_len;
	size_t n_sources;
	struct sockaddr_storage sources[MAX_SOURCES];
	uint16_t group;
	const char *keyword;	/* swanctl DH keyword of the group */
	unsigned count;
	double duration;
	unsigned window;
	unsigned n_sockets;
	unsigned timeout_ms;
};

struct key {
	uint8_t pub[DH_MAX_PUBLIC];
	size_t len;
};

struct slot {
	bool used;
	uint8_t spi[8];
	unsigned sock;
	double sent;
};

struct tally {
	unsigned sent, valid, invalid, lost, certreq;
	double first_send, last_valid;
	double *latency;	/* seconds, one per valid response */
};

struct generator {
	struct options opt;
	struct proposal proposal;
	struct key keys[KEY_POOL];
	int fds[MAX_SOCKETS];
	struct sockaddr_storage local[MAX_SOCKETS];
	struct slot slots[MAX_WINDOW];
	unsigned outstanding;
	struct tally t;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *what, const char *why)
{
	fprintf(stderr, "bench_ike_init: %s: %s\n", what, why);
	exit(1);
}

static const struct {
	const char *name;
	uint16_t group;
	const char *keyword;
} groups[] = {
	{ "ecp256", DH_ECP_256, "ecp256" },
	{ "modp2048", DH_MODP_2048, "modp2048" },
	{ "x25519", DH_CURVE_25519, "x25519" },
	{ "curve25519", DH_CURVE_25519, "x25519" },
	{ "ecp384", DH_ECP_384, "ecp384" },
	{ "modp3072", DH_MODP_3072, "modp3072" },
};

static void set_group(struct options *o, const char *name)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (strcmp(groups[i].name, name) == 0) {
			o->group = groups[i].group;
			o->keyword = groups[i].keyword;
			return;
		}
	}
	fail("--group", "one of ecp256 modp2048 x25519 ecp384 modp3072");
}

static int parse_addr(const char *text, uint16_t port,
		      struct sockaddr_storage *ss, socklen_t *len)
{
	if (sockaddr_parse(text, port, ss) < 0)
		return -1;
	*len = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
	return 0;
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >>
			24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32. */
static bool is_documentation(const struct sockaddr_storage *ss)
{
	const uint8_t *a6 = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
	uint32_t net = ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 8;

	if (ss->ss_family == AF_INET)
		return net == 0xc00002 || net == 0xc63364 || net == 0xcb0071;
	return a6[0] == 0x20 && a6[1] == 0x01 && a6[2] == 0x0d && a6[3] == 0xb8;
}

/* Documentation addresses exist only in the namespaces the bench script
 * creates (ip netns names "bench-..."): outside one, a route to them would
 * leave the machine. */
static bool in_bench_netns(void)
{
	struct stat self, named;
	struct dirent *e;
	DIR *dir = opendir("/run/netns");
	char path[300];
	bool found = false;

	if (!dir || stat("/proc/self/ns/net", &self) < 0) {
		if (dir)
			closedir(dir);
		return false;
	}
	while (!found && (e = readdir(dir))) {
		if (strncmp(e->d_name, "bench-", 6) != 0)
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", e->d_name);
		found = stat(path, &named) == 0 && named.st_dev == self.st_dev &&
			named.st_ino == self.st_ino;
	}
	closedir(dir);
	return found;
}

static void check_target(const struct sockaddr_storage *ss)
{
	if (is_loopback(ss))
		return;
	if (!is_documentation(ss))
		fail("--target", "only loopback or documentation addresses");
	if (!in_bench_netns())
		fail("--target", "documentation addresses only inside a network "
		     "namespace (run from tests/bench/ike-init.sh)");
}

static void usage(void)
{
	printf("usage: bench_ike_init --target ADDR [--port N] [--group ecp256|"
	       "modp2048|x25519]\n"
	       "  [--source ADDR]... [--count N] [--duration S] [--window N]\n"
	       "  [--sockets N] [--timeout-ms N]\n"
	       "Prints one 'result ...' line.  tests/bench/ike-init.sh runs it "
	       "against cygnet-ike and charon.\n");
}

static const char *arg_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		fail(argv[*i], "needs a value");
	return argv[++*i];
}

static unsigned arg_uint(int argc, char **argv, int *i, unsigned lo,
			 unsigned hi)
{
	const char *name = argv[*i], *text = arg_value(argc, argv, i);
	char *end;
	unsigned long v = strtoul(text, &end, 10);

	if (*end || v < lo || v > hi)
		fail(name, "out of range");
	return (unsigned)v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	const char *target = NULL, *sources[MAX_SOURCES];
	unsigned port = 500;

	*o = (struct options){ .count = 950, .duration = 10, .window = 16,
			       .n_sockets = 16, .timeout_ms = 1000 };
	set_group(o, "ecp256");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--target") == 0)
			target = arg_value(argc, argv, &i);
		else if (strcmp(a, "--port") == 0)
			port = arg_uint(argc, argv, &i, 1, 65535);
		else if (strcmp(a, "--group") == 0)
			set_group(o, arg_value(argc, argv, &i));
		else if (strcmp(a, "--source") == 0 && o->n_sources < MAX_SOURCES)
			sources[o->n_sources++] = arg_value(argc, argv, &i);
		else if (strcmp(a, "--count") == 0)
			o->count = arg_uint(argc, argv, &i, 1, 10000000);
		else if (strcmp(a, "--duration") == 0)
			o->duration = arg_uint(argc, argv, &i, 1, 600);
		else if (strcmp(a, "--window") == 0)
			o->window = arg_uint(argc, argv, &i, 1, MAX_WINDOW);
		else if (strcmp(a, "--sockets") == 0)
			o->n_sockets = arg_uint(argc, argv, &i, 1, MAX_SOCKETS);
		else if (strcmp(a, "--timeout-ms") == 0)
			o->timeout_ms = arg_uint(argc, argv, &i, 10, 60000);
		else
			fail(a, "unknown option (or too many --source)");
	}
	if (!target) {
		usage();
		exit(0);
	}
	if (parse_addr(target, (uint16_t)port, &o->target, &o->target_len) < 0)
		fail("--target", "not an IP address");
	check_target(&o->target);
	for (size_t i = 0; i < o->n_sources; i++) {
		socklen_t len;

		if (parse_addr(sources[i], 0, &o->sources[i], &len) < 0 ||
		    o->sources[i].ss_family != o->target.ss_family)
			fail("--source", "not an address of the target's family");
	}
}

/* Each socket is bound to its own port (and one of the sources) and
 * connected to the target: the kernel then passes up only its answers. */
static void open_sockets(struct generator *g)
{
	const struct options *o = &g->opt;

	for (unsigned i = 0; i < o->n_sockets; i++) {
		socklen_t len = sizeof(g->local[i]);
		int fd = socket(o->target.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);

		if (fd < 0)
			fail("socket", strerror(errno));
		if (o->n_sources &&
		    bind(fd, (const struct sockaddr *)&o->sources[i % o->n_sources],
			 o->target_len) < 0)
			fail("bind", strerror(errno));
		if (connect(fd, (const struct sockaddr *)&o->target, o->target_len) < 0 ||
		    getsockname(fd, (struct sockaddr *)&g->local[i], &len) < 0)
			fail("connect", strerror(errno));
		g->fds[i] = fd;
	}
}

static void make_keys(struct generator *g)
{
	for (size_t i = 0; i < KEY_POOL; i++) {
		struct dh *dh = dh_create(g->opt.group);

		g->keys[i].len = dh_public_len(g->opt.group);
		if (!dh || dh_public(dh, g->keys[i].pub, g->keys[i].len) < 0)
			fail("DH key pool", "keygen failed");
		dh_free(dh);
	}
}

static void make_proposal(struct generator *g)
{
	char text[64], err[128];

	snprintf(text, sizeof(text), "aes256-sha256-%s", g->opt.keyword);
	if (proposal_parse(text, PROTO_IKE, &g->proposal, 1, err, sizeof(err)) != 1)
		fail("proposal", err);
	g->proposal.number = 1;
}

static void write_natd(struct msg_builder *b, const struct ike_header *h,
		       uint16_t type, const struct sockaddr_storage *addr)
{
	uint8_t hash[NATD_HASH_LEN];
	struct notify_payload n = { .type = type, .data = hash,
				    .len = NATD_HASH_LEN };

	natd_hash(h->spi_i, h->spi_r, addr, hash);
	payload_notify_write(b, &n);
}

/* SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP), as charon initiates. */
static size_t build_request(struct generator *g, unsigned sock,
			    const uint8_t spi[8], const struct key *key,
			    uint8_t *buf, size_t cap)
{
	struct ike_header h = { .version = IKE_MAJOR_VERSION << 4,
				.exchange = IKE_SA_INIT, .flags = FLAG_INITIATOR };
	struct notify_payload frag = { .type = N_IKEV2_FRAGMENTATION_SUPPORTED };
	uint8_t nonce[NONCE_LEN];
	struct msg_builder b;

	memcpy(h.spi_i, spi, 8);
	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		fail("nonce", "RAND_bytes failed");
	builder_init(&b, buf, cap, &h);
	payload_sa_write(&b, &g->proposal, 1);
	payload_ke_write(&b, g->opt.group, key->pub, key->len);
	payload_nonce_write(&b, nonce, sizeof(nonce));
	write_natd(&b, &h, N_NAT_DETECTION_SOURCE_IP, &g->local[sock]);
	write_natd(&b, &h, N_NAT_DETECTION_DESTINATION_IP, &g->opt.target);
	payload_notify_write(&b, &frag);
	return builder_finish(&b);
}

static void send_request(struct generator *g, struct slot *s)
{
	static unsigned next_sock, next_key;
	uint8_t buf[2048];
	size_t len;

	if (RAND_bytes(s->spi, 8) != 1)
		fail("SPI", "RAND_bytes failed");
	s->sock = next_sock++ % g->opt.n_sockets;
	len = build_request(g, s->sock, s->spi, &g->keys[next_key++ % KEY_POOL],
			    buf, sizeof(buf));
	if (len == 0)
		fail("request", "does not fit");
	s->sent = now_s();
	if (send(g->fds[s->sock], buf, len, 0) != (ssize_t)len) {
		/* A full socket buffer is the generator's limit, not the
		 * responder's: stop rather than count it as lost. */
		fail("send", strerror(errno));
	}
	s->used = true;
	g->outstanding++;
}

/* The response's proposal must carry our group and its KE must be one. */
static bool valid_response(const struct generator *g, const struct ike_message *msg)
{
	const struct payload *sa = message_find(msg, PL_SA);
	const struct payload *ke = message_find(msg, PL_KE);
	const struct payload *nonce = message_find(msg, PL_NONCE);
	static const uint8_t zero[8];
	struct proposal chosen;
	struct ke_payload kp;

	if (!sa || !ke || !nonce || msg->hdr.exchange != IKE_SA_INIT ||
	    !(msg->hdr.flags & FLAG_RESPONSE) ||
	    memcmp(msg->hdr.spi_r, zero, 8) == 0)
		return false;
	if (payload_sa_parse(sa->body, sa->len, &chosen, 1) != 1 ||
	    !proposal_has(&chosen, TRANS_DH, g->opt.group, 0))
		return false;
	payload_ke_parse(ke->body, ke->len, &kp);
	return kp.group == g->opt.group && kp.len == dh_public_len(g->opt.group);
}

static struct slot *find_slot(struct generator *g, unsigned sock,
			      const uint8_t spi[8])
{
	for (unsigned i = 0; i < g->opt.window; i++) {
		struct slot *s = &g->slots[i];

		if (s->used && s->sock == sock && memcmp(s->spi, spi, 8) == 0)
			return s;
	}
	return NULL;
}

static void handle_datagram(struct generator *g, unsigned sock,
			    const uint8_t *data, size_t len, double now)
{
	static struct ike_message msg;
	struct slot *s;

	if (message_parse(data, len, &msg) != PARSE_OK)
		return;
	s = find_slot(g, sock, msg.hdr.spi_i);
	if (!s)
		return;		/* late answer to a request counted lost */
	s->used = false;
	g->outstanding--;
	if (!valid_response(g, &msg)) {
		g->t.invalid++;
		return;
	}
	if (message_find(&msg, PL_CERTREQ))
		g->t.certreq++;
	g->t.latency[g->t.valid++] = now - s->sent;
	g->t.last_valid = now;
}

static void receive_all(struct generator *g, struct pollfd *pfd)
{
	static uint8_t buf[MESSAGE_MAX_LEN];

	for (unsigned i = 0; i < g->opt.n_sockets; i++) {
		ssize_t n;

		if (!(pfd[i].revents & POLLIN))
			continue;
		while ((n = recv(g->fds[i], buf, sizeof(buf), 0)) > 0)
			handle_datagram(g, i, buf, (size_t)n, now_s());
	}
}

static void expire_slots(struct generator *g, double now)
{
	for (unsigned i = 0; i < g->opt.window; i++) {
		struct slot *s = &g->slots[i];

		if (s->used && now - s->sent > g->opt.timeout_ms / 1000.0) {
			s->used = false;
			g->outstanding--;
			g->t.lost++;
		}
	}
}

static void fill_window(struct generator *g, double send_until)
{
	for (unsigned i = 0; i < g->opt.window; i++) {
		if (g->slots[i].used || g->t.sent >= g->opt.count ||
		    now_s() >= send_until)
			return;
		send_request(g, &g->slots[i]);
		g->t.sent++;
	}
}

static void wait_and_receive(struct generator *g, int timeout_ms)
{
	struct pollfd pfd[MAX_SOCKETS];

	for (unsigned i = 0; i < g->opt.n_sockets; i++)
		pfd[i] = (struct pollfd){ .fd = g->fds[i], .events = POLLIN };
	if (poll(pfd, g->opt.n_sockets, timeout_ms) > 0)
		receive_all(g, pfd);
}

/* One request until an answer (of any kind) arrives: the responder is up
 * and has made its one-time preparations (CERTREQ key ids, threads)
 * before the clock starts.  Not counted. */
static void warm_up(struct generator *g)
{
	for (int i = 0; i < WARMUP_TRIES; i++) {
		unsigned answered = g->t.valid + g->t.invalid;
		double until = now_s() + WARMUP_WAIT_MS / 1000.0;

		send_request(g, &g->slots[0]);
		while (g->slots[0].used && now_s() < until)
			wait_and_receive(g, 20);
		if (g->t.valid + g->t.invalid > answered) {
			if (g->t.invalid)
				fail("warm-up", "the responder's answer is not a "
				     "valid IKE_SA_INIT response");
			g->t = (struct tally){ .latency = g->t.latency };
			return;
		}
		g->slots[0].used = false;
		g->outstanding--;
	}
	fail("warm-up", "no answer from the responder");
}

static void run(struct generator *g)
{
	double start, send_until, give_up;

	warm_up(g);
	start = now_s();
	send_until = start + g->opt.duration;
	give_up = send_until + g->opt.timeout_ms / 1000.0 + 1;
	g->t.first_send = start;
	g->t.last_valid = start;
	while (now_s() < give_up) {
		fill_window(g, send_until);
		if (g->outstanding == 0)
			break;
		wait_and_receive(g, 10);
		expire_slots(g, now_s());
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double percentile(const double *sorted, unsigned n, double p)
{
	if (n == 0)
		return 0;
	return sorted[(unsigned)(p * (n - 1) + 0.5)];
}

static void report(const struct generator *g)
{
	const struct tally *t = &g->t;
	struct transform dh = { TRANS_DH, g->opt.group, 0 };
	double secs = t->last_valid - t->first_send;
	char name[32];

	struct rusage ru;
	double cpu;

	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	qsort(t->latency, t->valid, sizeof(double), cmp_double);
	transform_format(&dh, name, sizeof(name));
	/* gen_cpu_us: the generator's own CPU per request (key pool included),
	 * to show it is not what limits the rate. */
	printf("result group=%s sent=%u valid=%u invalid=%u lost=%u certreq=%u "
	       "secs=%.3f rate=%.1f p50_ms=%.2f p99_ms=%.2f window=%u sockets=%u "
	       "gen_cpu_us=%.0f\n",
	       name, t->sent, t->valid, t->invalid, t->lost, t->certreq, secs,
	       secs > 0 ? t->valid / secs : 0, percentile(t->latency, t->valid, 0.5) * 1e3,
	       percentile(t->latency, t->valid, 0.99) * 1e3, g->opt.window,
	       g->opt.n_sockets, t->sent ? cpu * 1e6 / t->sent : 0);
}

int main(int argc, char **argv)
{
	static struct generator g;

	log_set_all_levels(LOG_LEVEL_SILENT);
	parse_options(argc, argv, &g.opt);
	g.t.latency = calloc(g.opt.count + 1, sizeof(double));
	if (!g.t.latency)
		fail("latency table", "out of memory");
	make_keys(&g);
	make_proposal(&g);
	open_sockets(&g);
	run(&g);
	report(&g);
	free(g.t.latency);
	return 0;
}
