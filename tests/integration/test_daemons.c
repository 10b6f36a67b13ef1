/* The four daemons together, as built: start with a temporary config,
 * GET /status and /metrics over real HTTP (libcurl), cygnetctl --status
 * and --reload, METHOD_STATUS over RPC, SIGHUP reloads (good and broken
 * config), a killed service, clean SIGTERM, a syntax error at start.
 *
 * Binaries come from $CYGNET_BIN.  CYGNET_VALGRIND=1 runs every daemon
 * under valgrind; any error or leak then fails the test through the
 * daemon's exit status.  As root the test runs in its own network
 * namespace, so the kernel service and UDP 500/4500 stay off the host. */
#include <curl/curl.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "rpc.h"
#include "testmain.h"
#include "types.pb-c.h"

#define N_SVC 4
#define PATH_LEN 512

/* Start order of make run: pool, kernel, authority, ike. */
static const char *const services[N_SVC] = { "pool", "kernel", "authority",
					     "ike" };

/* Made by the parent process before Check forks the tests, removed after
 * all of them: what a failed test leaves behind goes with it. */
static char base_dir[64];

struct env {
	char dir[128];
	char conf[PATH_LEN];		/* what the daemons read */
	char ctl_conf[PATH_LEN];	/* a good copy for cygnetctl */
	int ports[N_SVC];
	pid_t pids[N_SVC];
};

static int ready_timeout_ms(void)
{
	return under_valgrind() ? 60000 : 10000;
}

static int svc_index(const char *name)
{
	int i;

	for (i = 0; i < N_SVC; i++)
		if (strcmp(services[i], name) == 0)
			return i;
	ck_abort_msg("unknown service %s", name);
	return -1;
}

static void path_in(const struct env *env, char *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void path_in(const struct env *env, char *out, const char *fmt, ...)
{
	char name[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	snprintf(out, PATH_LEN, "%s/%s", env->dir, name);
}

/* Everything a service writes goes below env->dir. */
static void write_config(const struct env *env, const char *path)
{
	FILE *f = fopen(path, "w");
	int i;

	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"# written by tests/integration/test_daemons.c\n"
		"pools {\n"
		"  ipv4 {\n"
		"    addrs = 198.51.100.64/26\n"
		"    dns = 198.51.100.1\n"
		"  }\n"
		"}\n"
		"cygnet {\n"
		"  runtime_dir = %s/run\n", env->dir);
	for (i = 0; i < N_SVC; i++)
		fprintf(f,
			"  %s {\n"
			"    rpc = ipc://%s/run/%s.rpc\n"
			"    events = ipc://%s/run/%s.events\n"
			"    status = 127.0.0.1:%d\n"
			"    workers = 2\n"
			"  }\n",
			services[i], env->dir, services[i], env->dir,
			services[i], env->ports[i]);
	fprintf(f,
		"  authority {\n"
		"    swanctl_dir = %s/swanctl\n"
		"    crl_cache_dir = %s/crls\n"
		"  }\n"
		"  pool {\n"
		"    state_dir = %s/pool\n"
		"  }\n"
		"  ike {\n"
		"    state_dir = %s/ike\n"
		"  }\n"
		"}\n", env->dir, env->dir, env->dir, env->dir);
	ck_assert_int_eq(fclose(f), 0);
}

static void env_init(struct env *env)
{
	static const char *const subdirs[] = {
		"run", "swanctl", "swanctl/x509", "swanctl/x509ca",
		"swanctl/private", "swanctl/ecdsa", "swanctl/rsa", "crls",
		"pool",
	};
	char path[PATH_LEN];
	size_t i;
	int s;

	memset(env, 0, sizeof(*env));
	snprintf(env->dir, sizeof(env->dir), "%s/XXXXXX", base_dir);
	ck_assert_ptr_nonnull(mkdtemp(env->dir));
	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		path_in(env, path, "%s", subdirs[i]);
		ck_assert_int_eq(mkdir(path, 0750), 0);
	}
	for (s = 0; s < N_SVC; s++)
		env->ports[s] = free_port();
	path_in(env, env->conf, "cygnet.conf");
	path_in(env, env->ctl_conf, "ctl.conf");
	write_config(env, env->conf);
	write_config(env, env->ctl_conf);
}

static int valgrind_args(const struct env *env, const char *name,
			 char **argv, char *logopt)
{
	char path[PATH_LEN];

	path_in(env, path, "%s.valgrind", name);
	return valgrind_argv(argv, logopt, PATH_LEN + 16, path);
}

static pid_t start_daemon_env(struct env *env, const char *svc,
			      const char *conf, char *const extra_env[])
{
	char binary[PATH_LEN], log[PATH_LEN];
	char vgopt[PATH_LEN + 16];
	char *argv[16];
	int n;

	snprintf(binary, sizeof(binary), "%s/cygnet-%s", bin_dir(), svc);
	ck_assert_msg(access(binary, X_OK) == 0, "%s not built", binary);
	path_in(env, log, "%s.log", svc);
	n = valgrind_args(env, svc, argv, vgopt);
	argv[n++] = binary;
	argv[n++] = "--config";
	argv[n++] = (char *)conf;
	argv[n] = NULL;
	return spawn_in(env->dir, argv, extra_env, log, log);
}

static pid_t start_daemon_with(struct env *env, const char *svc,
			       const char *conf)
{
	return start_daemon_env(env, svc, conf, NULL);
}

/* libcurl: GET url; returns the HTTP status (0 when unreachable). */
struct http_reply {
	long code;
	char *body;
	size_t len;
	char content_type[128];
};

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	struct http_reply *r = arg;
	char *grown = realloc(r->body, r->len + size * n + 1);

	if (!grown)
		return 0;
	r->body = grown;
	memcpy(r->body + r->len, data, size * n);
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

static long http_get(const char *url, struct http_reply *r)
{
	CURL *curl = curl_easy_init();
	char *ctype = NULL;

	memset(r, 0, sizeof(*r));
	ck_assert_ptr_nonnull(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	if (curl_easy_perform(curl) == CURLE_OK) {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->code);
		curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ctype);
		if (ctype)
			snprintf(r->content_type, sizeof(r->content_type),
				 "%s", ctype);
	}
	curl_easy_cleanup(curl);
	if (!r->body)
		r->body = strdup("");
	return r->code;
}

static long get_page(const struct env *env, const char *svc,
		     const char *page, struct http_reply *r)
{
	char url[128];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/%s",
		 env->ports[svc_index(svc)], page);
	return http_get(url, r);
}

static void dump_log(const struct env *env, const char *svc)
{
	char path[PATH_LEN];
	char *text;

	path_in(env, path, "%s.log", svc);
	text = read_file(path);
	fprintf(stderr, "---- %s log ----\n%s", svc, text);
	free(text);
}

/* Ready means /status answers; a daemon that exits instead fails. */
static void wait_ready(struct env *env, int i)
{
	long deadline = now_ms() + ready_timeout_ms();
	struct http_reply r;
	int status;

	for (;;) {
		long code = get_page(env, services[i], "status", &r);

		free(r.body);
		if (code == 200)
			return;
		if (waitpid(env->pids[i], &status, WNOHANG) == env->pids[i]) {
			env->pids[i] = 0;
			dump_log(env, services[i]);
			ck_abort_msg("cygnet-%s exited during start (status "
				     "0x%x)", services[i], status);
		}
		if (now_ms() > deadline) {
			dump_log(env, services[i]);
			ck_abort_msg("cygnet-%s not ready", services[i]);
		}
		sleep_ms(50);
	}
}

static void start_all(struct env *env)
{
	int i;

	for (i = 0; i < N_SVC; i++)
		env->pids[i] = start_daemon_with(env, services[i], env->conf);
	for (i = 0; i < N_SVC; i++)
		wait_ready(env, i);
}

/* Exit status of the daemon after SIGTERM, -1 when it did not exit. */
static int stop_daemon(struct env *env, int i)
{
	long deadline = now_ms() + ready_timeout_ms();
	int status;

	if (env->pids[i] <= 0)
		return -1;
	kill(env->pids[i], SIGTERM);
	while (waitpid(env->pids[i], &status, WNOHANG) == 0) {
		if (now_ms() > deadline) {
			kill(env->pids[i], SIGKILL);
			waitpid(env->pids[i], &status, 0);
			env->pids[i] = 0;
			return -1;
		}
		sleep_ms(20);
	}
	env->pids[i] = 0;
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void check_valgrind_log(const struct env *env, const char *svc)
{
	char path[PATH_LEN];
	char *text;

	if (!under_valgrind())
		return;
	path_in(env, path, "%s.valgrind", svc);
	text = read_file(path);
	ck_assert_msg(text[0] == '\0', "valgrind on %s:\n%s", svc, text);
	free(text);
}

/* Every daemon still running must stop cleanly: exit 0 (under valgrind
 * that also means no memory error or leak). */
static void stop_all(struct env *env)
{
	int i, rc;

	for (i = N_SVC - 1; i >= 0; i--) {
		if (env->pids[i] <= 0)
			continue;
		rc = stop_daemon(env, i);
		if (rc != 0)
			dump_log(env, services[i]);
		ck_assert_msg(rc == 0, "cygnet-%s exit status %d", services[i],
			      rc);
		check_valgrind_log(env, services[i]);
	}
}

/* Runs cygnetctl with the given arguments; output collected in *out. */
static int run_ctl(struct env *env, char **out, const char *first, ...)
{
	char binary[PATH_LEN], path[PATH_LEN];
	char vgopt[PATH_LEN + 16];
	char *argv[24];
	const char *arg;
	va_list ap;
	int n, status;
	pid_t pid;

	snprintf(binary, sizeof(binary), "%s/cygnetctl", bin_dir());
	n = valgrind_args(env, "cygnetctl", argv, vgopt);
	argv[n++] = binary;
	argv[n++] = "--config";
	argv[n++] = env->ctl_conf;
	va_start(ap, first);
	for (arg = first; arg && n < 23; arg = va_arg(ap, const char *))
		argv[n++] = (char *)arg;
	va_end(ap);
	argv[n] = NULL;
	path_in(env, path, "ctl.out");
	unlink(path);
	pid = spawn_in(env->dir, argv, NULL, path, path);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	*out = read_file(path);
	ck_assert(WIFEXITED(status));
	check_valgrind_log(env, "cygnetctl");
	return WEXITSTATUS(status);
}

static double metric_value(const char *text, const char *sample)
{
	size_t len = strlen(sample);
	const char *line = text;

	while (line && *line) {
		if (strncmp(line, sample, len) == 0 && line[len] == ' ')
			return strtod(line + len + 1, NULL);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

/* Polls /metrics until sample reaches want. */
static bool wait_metric(struct env *env, const char *svc, const char *sample,
			double want)
{
	long deadline = now_ms() + ready_timeout_ms();
	struct http_reply r;
	double v;

	do {
		get_page(env, svc, "metrics", &r);
		v = metric_value(r.body, sample);
		free(r.body);
		if (v == want)
			return true;
		sleep_ms(50);
	} while (now_ms() < deadline);
	return false;
}

static bool log_contains(const struct env *env, const char *svc,
			 const char *needle)
{
	char path[PATH_LEN];
	char *text;
	bool found;

	path_in(env, path, "%s.log", svc);
	text = read_file(path);
	found = strstr(text, needle) != NULL;
	free(text);
	return found;
}

static void rm_tree(const char *dir)
{
	char cmd[PATH_LEN + 16];

	if (strncmp(dir, "/tmp/cygnet-daemons-", 20) != 0)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static void make_base_dir(void)
{
	snprintf(base_dir, sizeof(base_dir), "/tmp/cygnet-daemons-XXXXXX");
	if (!mkdtemp(base_dir))
		abort();
}

static void remove_base_dir(void)
{
	rm_tree(base_dir);
}

static struct env env;

static void setup(void)
{
	env_init(&env);
}

static void teardown(void)
{
	int i;

	for (i = 0; i < N_SVC; i++)
		if (env.pids[i] > 0) {
			kill(env.pids[i], SIGKILL);
			waitpid(env.pids[i], NULL, 0);
		}
	rm_tree(env.dir);
}

START_TEST(status_json)
{
	struct http_reply r;
	char want[128];
	int i;

	start_all(&env);
	for (i = 0; i < N_SVC; i++) {
		ck_assert_int_eq(get_page(&env, services[i], "status", &r),
				 200);
		ck_assert_str_eq(r.content_type, "application/json");
		snprintf(want, sizeof(want), "{\"service\":\"%s\","
			 "\"version\":\"%s\",\"pid\":%d,\"uptime\":",
			 services[i], CYGNET_VERSION, (int)env.pids[i]);
		ck_assert_msg(strncmp(r.body, want, strlen(want)) == 0,
			      "%s /status: %s", services[i], r.body);
		ck_assert_ptr_nonnull(strstr(r.body,
					     ",\"state\":\"running\","
					     "\"metrics\":[{"));
		ck_assert_ptr_nonnull(strstr(r.body,
			"{\"name\":\"rpc_requests_total\",\"type\":\"counter\""));
		ck_assert_ptr_nonnull(strstr(r.body,
			"\"name\":\"config_reloads_total\""));
		ck_assert_str_eq(r.body + r.len - 3, "]}\n");
		free(r.body);
		ck_assert_int_eq(get_page(&env, services[i], "nothing", &r),
				 404);
		free(r.body);
	}
	stop_all(&env);
}
END_TEST

/* Every line is a comment or "name{labels} value" with a valid name. */
static void check_exposition(const char *svc, const char *text)
{
	const char *line = text;
	const char *p;

	while (*line) {
		const char *end = strchr(line, '\n');

		ck_assert_msg(end, "%s: unterminated line", svc);
		if (strncmp(line, "# HELP cygnet_", 14) != 0 &&
		    strncmp(line, "# TYPE cygnet_", 14) != 0) {
			ck_assert_msg(strncmp(line, "cygnet_", 7) == 0,
				      "%s: bad line %.*s", svc,
				      (int)(end - line), line);
			for (p = line; p < end && *p != '{' && *p != ' '; p++)
				ck_assert_msg(strchr("abcdefghijklmnopqrstuvwxyz"
						     "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
						     "0123456789_:", *p),
					      "%s: bad name in %.*s", svc,
					      (int)(end - line), line);
			p = memchr(line, ' ', (size_t)(end - line));
			ck_assert_ptr_nonnull(p);
		}
		line = end + 1;
	}
}

START_TEST(metrics_prometheus)
{
	struct http_reply r;
	int i;

	start_all(&env);
	for (i = 0; i < N_SVC; i++) {
		ck_assert_int_eq(get_page(&env, services[i], "metrics", &r),
				 200);
		ck_assert_str_eq(r.content_type,
				 "text/plain; version=0.0.4; charset=utf-8");
		check_exposition(services[i], r.body);
		ck_assert_ptr_nonnull(strstr(r.body,
			"# TYPE cygnet_rpc_requests_total counter\n"));
		ck_assert_ptr_nonnull(strstr(r.body,
			"# HELP cygnet_uptime_seconds "));
		ck_assert_ptr_nonnull(strstr(r.body,
			"# TYPE cygnet_uptime_seconds gauge\n"));
		ck_assert(metric_value(r.body,
			"cygnet_config_reloads_total{result=\"ok\"}") == 0);
		ck_assert(metric_value(r.body,
			"cygnet_config_reloads_total{result=\"failed\"}") == 0);
		free(r.body);
	}
	stop_all(&env);
}
END_TEST

START_TEST(rpc_status)
{
	char url[PATH_LEN + 16], err[256];
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;
	struct rpc_result res;
	struct rpc_client *client;
	const Cygnet__Status *st;
	int i;

	start_all(&env);
	for (i = 0; i < N_SVC; i++) {
		snprintf(url, sizeof(url), "ipc://%s/run/%s.rpc", env.dir,
			 services[i]);
		client = rpc_client_open(url, NULL, err, sizeof(err));
		ck_assert_msg(client != NULL, "%s", err);
		rpc_call(client, CYGNET__COMMON_METHOD__METHOD_STATUS,
			 &empty.base, &cygnet__status__descriptor,
			 ready_timeout_ms(), &res);
		ck_assert_msg(res.status == CYGNET__RPC_STATUS__RPC_OK, "%s",
			      res.error);
		st = (const Cygnet__Status *)res.reply;
		ck_assert_str_eq(st->service, services[i]);
		ck_assert_str_eq(st->version, CYGNET_VERSION);
		ck_assert_uint_eq(st->pid, (uint32_t)env.pids[i]);
		ck_assert_str_eq(st->state, "running");
		ck_assert_uint_ge(st->n_metrics, 6);
		protobuf_c_message_free_unpacked(res.reply, NULL);
		rpc_client_close(client);
	}
	stop_all(&env);
}
END_TEST

START_TEST(ctl_status_and_reload)
{
	char *out;
	int i;

	start_all(&env);
	ck_assert_msg(run_ctl(&env, &out, "--status", NULL) == 0, "%s", out);
	for (i = 0; i < N_SVC; i++) {
		char want[64];

		snprintf(want, sizeof(want), "\n%-10s running ", services[i]);
		ck_assert_msg(strstr(out, want), "no '%s' in:\n%s", want, out);
	}
	free(out);

	ck_assert_msg(run_ctl(&env, &out, "--reload", NULL) == 0, "%s", out);
	ck_assert_msg(strstr(out, "reloaded"), "%s", out);
	free(out);
	for (i = 0; i < N_SVC; i++)
		ck_assert(wait_metric(&env, services[i],
			"cygnet_config_reloads_total{result=\"ok\"}", 1));
	stop_all(&env);
}
END_TEST

START_TEST(sighup_reload)
{
	int pool = svc_index("pool");

	start_all(&env);
	kill(env.pids[pool], SIGHUP);
	ck_assert(wait_metric(&env, "pool",
			      "cygnet_config_reloads_total{result=\"ok\"}", 1));
	ck_assert(log_contains(&env, "pool", "[DMN] signal of type SIGHUP "
			       "received. Reloading configuration"));
	stop_all(&env);
}
END_TEST

/* A broken file on reload: the services keep running on the old config
 * and say why, by SIGHUP and through cygnetctl --reload. */
START_TEST(broken_reload_keeps_old_config)
{
	struct http_reply r;
	char *out;
	int i;

	start_all(&env);
	write_file(env.conf, "cygnet {\n  pool {\n    status = \n  }\n  {\n");
	kill(env.pids[svc_index("pool")], SIGHUP);
	ck_assert(wait_metric(&env, "pool",
		"cygnet_config_reloads_total{result=\"failed\"}", 1));
	ck_assert(log_contains(&env, "pool",
			       "[CFG] reload failed, keeping old config: "));
	ck_assert(log_contains(&env, "pool", "cygnet.conf:5:3"));

	ck_assert_int_eq(run_ctl(&env, &out, "--reload", NULL), 1);
	ck_assert_msg(strstr(out, "reload failed, keeping old config"), "%s",
		      out);
	free(out);
	for (i = 0; i < N_SVC; i++) {
		ck_assert_int_eq(get_page(&env, services[i], "status", &r),
				 200);
		free(r.body);
		ck_assert(wait_metric(&env, services[i],
			"cygnet_config_reloads_total{result=\"ok\"}", 0));
	}
	ck_assert_int_eq(run_ctl(&env, &out, "--status", NULL), 0);
	free(out);
	stop_all(&env);
}
END_TEST

START_TEST(killed_service_is_down)
{
	int kernel = svc_index("kernel");
	char *out;

	start_all(&env);
	kill(env.pids[kernel], SIGKILL);
	waitpid(env.pids[kernel], NULL, 0);
	env.pids[kernel] = 0;
	ck_assert_int_ne(run_ctl(&env, &out, "--timeout",
				 under_valgrind() ? "10000" : "1000", "--status",
				 NULL), 0);
	ck_assert_msg(strstr(out, "\nkernel     down "), "%s", out);
	ck_assert_msg(strstr(out, "\npool       running "), "%s", out);
	free(out);
	stop_all(&env);
}
END_TEST

START_TEST(sigterm_cleans_up)
{
	char path[PATH_LEN];
	int i;

	start_all(&env);
	for (i = N_SVC - 1; i >= 0; i--) {
		ck_assert_int_eq(stop_daemon(&env, i), 0);
		check_valgrind_log(&env, services[i]);
		ck_assert(log_contains(&env, services[i], "[DMN] signal of "
				       "type SIGTERM received. Shutting down"));
		path_in(&env, path, "run/%s.rpc", services[i]);
		ck_assert_msg(access(path, F_OK) != 0, "%s left behind", path);
		path_in(&env, path, "run/%s.events", services[i]);
		ck_assert_msg(access(path, F_OK) != 0, "%s left behind", path);
	}
}
END_TEST

START_TEST(syntax_error_at_start)
{
	char bad[PATH_LEN], log[PATH_LEN];
	int i, status;
	char *text;

	path_in(&env, bad, "broken.conf");
	write_file(bad, "cygnet {\n  pool {\n    rpc = ipc:///x\n  }}\n}\n");
	for (i = 0; i < N_SVC; i++) {
		pid_t pid = start_daemon_with(&env, services[i], bad);

		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status));
		ck_assert_int_ne(WEXITSTATUS(status), 0);
		ck_assert_int_ne(WEXITSTATUS(status), 99);
		path_in(&env, log, "%s.log", services[i]);
		text = read_file(log);
		ck_assert_msg(strstr(text, "broken.conf:5:1"),
			      "no file:line:col in:\n%s", text);
		free(text);
	}
}
END_TEST

/* Waits for a datagram on the notify socket that holds the line want. */
static bool wait_notify(int fd, const char *want)
{
	long deadline = now_ms() + ready_timeout_ms();
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char msg[512], *line, *save;
	ssize_t n;

	while (now_ms() < deadline) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recv(fd, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			continue;
		msg[n] = '\0';
		for (line = strtok_r(msg, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			if (strcmp(line, want) == 0)
				return true;
	}
	return false;
}

/* Drains the notify socket; returns how many lines were want. */
static int count_notify(int fd, const char *want)
{
	char msg[512], *line, *save;
	int count = 0;
	ssize_t n;

	while ((n = recv(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT)) > 0) {
		msg[n] = '\0';
		for (line = strtok_r(msg, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			count += strcmp(line, want) == 0;
	}
	return count;
}

static int notify_socket(const struct env *env, char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	path_in(env, path, "notify");
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_lt(strlen(path), sizeof(sun.sun_path));
	strcpy(sun.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* systemd's side: READY=1 only once /status answers, WATCHDOG=1 at half
 * the interval, RELOADING=1 and READY=1 around a reload, STOPPING=1. */
START_TEST(sd_notify_and_watchdog)
{
	char path[PATH_LEN], notify[PATH_LEN + 16];
	char watchdog[] = "WATCHDOG_USEC=400000";
	char *extra[] = { notify, watchdog, NULL };
	int pool = svc_index("pool");
	struct http_reply r;
	int feeds;
	int fd = notify_socket(&env, path);

	snprintf(notify, sizeof(notify), "NOTIFY_SOCKET=%s", path);
	env.pids[pool] = start_daemon_env(&env, "pool", env.conf, extra);
	ck_assert(wait_notify(fd, "READY=1"));
	ck_assert_int_eq(get_page(&env, "pool", "status", &r), 200);
	free(r.body);
	/* 200 ms apart: about five feeds a second, not a busy loop. */
	count_notify(fd, "WATCHDOG=1");
	sleep_ms(1000);
	feeds = count_notify(fd, "WATCHDOG=1");
	ck_assert_msg(feeds >= 3 && feeds <= 7, "%d feeds in 1 s", feeds);

	kill(env.pids[pool], SIGHUP);
	ck_assert(wait_notify(fd, "RELOADING=1"));
	ck_assert(wait_notify(fd, "READY=1"));
	kill(env.pids[pool], SIGTERM);
	ck_assert(wait_notify(fd, "STOPPING=1"));
	stop_all(&env);
	close(fd);
}
END_TEST

/* --help and --version answer on stdout and exit 0; bad usage exits 1. */
START_TEST(command_line)
{
	char binary[PATH_LEN], out[PATH_LEN], want[64];
	char *argv[4];
	char *text;
	int i, status;

	path_in(&env, out, "cli.out");
	for (i = 0; i < N_SVC; i++) {
		snprintf(binary, sizeof(binary), "%s/cygnet-%s", bin_dir(),
			 services[i]);
		argv[0] = binary;
		argv[1] = "--version";
		argv[2] = NULL;
		unlink(out);
		waitpid(spawn_in(env.dir, argv, NULL, out, out), &status, 0);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		text = read_file(out);
		snprintf(want, sizeof(want), "cygnet-%s %s\n", services[i],
			 CYGNET_VERSION);
		ck_assert_str_eq(text, want);
		free(text);

		argv[1] = "--help";
		unlink(out);
		waitpid(spawn_in(env.dir, argv, NULL, out, out), &status, 0);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		text = read_file(out);
		ck_assert_ptr_nonnull(strstr(text, "--config FILE"));
		free(text);

		argv[1] = "--no-such-option";
		waitpid(spawn_in(env.dir, argv, NULL, out, out), &status, 0);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	}
	ck_assert_int_eq(run_ctl(&env, &text, "--help", NULL), 0);
	ck_assert_ptr_nonnull(strstr(text, "--status"));
	free(text);
	ck_assert_int_eq(run_ctl(&env, &text, "--bogus", NULL), 1);
	free(text);
	ck_assert_int_eq(run_ctl(&env, &text, "--status", "extra", NULL), 1);
	free(text);
}
END_TEST

/* As root: a network namespace of our own with loopback up, inherited by
 * every daemon and test (an unchecked fixture runs before Check forks). */
static void private_network(void)
{
	struct ifreq ifr = { 0 };
	int fd;

	if (geteuid() != 0)
		return;
	if (unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		abort();
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		abort();
	close(fd);
}

static void suite_setup(void)
{
	make_base_dir();
	private_network();
}

static Suite *daemons_suite(void)
{
	Suite *s = suite_create("daemons");
	TCase *tc = tcase_create("daemons");

	curl_global_init(CURL_GLOBAL_DEFAULT);
	tcase_add_unchecked_fixture(tc, suite_setup, remove_base_dir);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, under_valgrind() ? 600 : 60);
	tcase_add_test(tc, status_json);
	tcase_add_test(tc, metrics_prometheus);
	tcase_add_test(tc, rpc_status);
	tcase_add_test(tc, ctl_status_and_reload);
	tcase_add_test(tc, sighup_reload);
	tcase_add_test(tc, broken_reload_keeps_old_config);
	tcase_add_test(tc, killed_service_is_down);
	tcase_add_test(tc, sigterm_cleans_up);
	tcase_add_test(tc, syntax_error_at_start);
	tcase_add_test(tc, sd_notify_and_watchdog);
	tcase_add_test(tc, command_line);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(daemons_suite)
