/* Shared by the authority tests: a PKI generated at run time by
 * mkpki.sh, a busybox httpd serving its CRLs on loopback, credential
 * stores loaded from it and a log capture. */
#ifndef TEST_AUTHORITY_PKI_H
#define TEST_AUTHORITY_PKI_H

#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <libgen.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "authority/crl.h"
#include "authority/store.h"
#include "conf.h"
#include "log.h"

struct pki {
	char dir[256];
	int crl_port;
	int ocsp_port;
	pid_t httpd;
};

static struct pki pki;

static inline int pki_free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		abort();
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static inline void pki_path(char *out, size_t len, const char *rel)
{
	snprintf(out, len, "%s/%s", pki.dir, rel);
}

/* A CRL fetcher with WORKERS fetch threads, caching in crlcache-TAG: a
 * directory per test, as tests share the PKI fixture. */
static inline struct crl_fetcher *pki_fetcher(int workers, const char *tag)
{
	char name[128], dir[400], err[256];
	struct crl_fetcher *f;

	snprintf(name, sizeof(name), "crlcache-%s", tag);
	pki_path(dir, sizeof(dir), name);
	f = crl_fetcher_new(dir, 5, workers, err, sizeof(err));
	ck_assert_msg(f != NULL, "%s", err);
	return f;
}

/* The directory of this header, from the test file's __FILE__. */
static inline void pki_generate(const char *test_file)
{
	char script[512];
	char cmd[1024];
	char *copy = strdup(test_file);

	snprintf(script, sizeof(script), "%s/mkpki.sh", dirname(copy));
	free(copy);
	snprintf(pki.dir, sizeof(pki.dir), "/tmp/cygnet-authority-XXXXXX");
	if (!mkdtemp(pki.dir))
		abort();
	pki.crl_port = pki_free_port();
	pki.ocsp_port = pki_free_port();
	snprintf(cmd, sizeof(cmd), "sh %s %s %d %d", script, pki.dir,
		 pki.crl_port, pki.ocsp_port);
	if (system(cmd) != 0) {
		fprintf(stderr, "mkpki.sh failed\n");
		abort();
	}
}

/* A socket listens on port (from /proc, so a server that serves one
 * connection at a time is not tied up by a probe). */
static inline int pki_listening(int port)
{
	static const char *const tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	char line[512], want[16];
	int found = 0;

	snprintf(want, sizeof(want), ":%04X ", port);
	for (size_t i = 0; i < 2 && !found; i++) {
		FILE *f = fopen(tables[i], "r");
		while (f && !found && fgets(line, sizeof(line), f)) {
			char *local = strchr(line, ':');
			/* local_address rem_address st: state 0A is LISTEN */
			if (local && strstr(local + 1, want) && strstr(line, " 0A "))
				found = 1;
		}
		if (f)
			fclose(f);
	}
	return found;
}

static inline pid_t pki_spawn(char *const argv[], int port)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	for (int i = 0; i < 500 && !pki_listening(port); i++)
		usleep(10000);
	return pid;
}

static inline void pki_httpd_start(void)
{
	char addr[64], root[300];

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", pki.crl_port);
	pki_path(root, sizeof(root), "www");
	char *argv[] = { "/bin/busybox", "httpd", "-f", "-p", addr, "-h", root, NULL };
	pki.httpd = pki_spawn(argv, pki.crl_port);
}

static inline void pki_kill(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

static inline void pki_remove(void)
{
	char cmd[300];

	pki_kill(&pki.httpd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pki.dir);
	if (pki.dir[0] && system(cmd) != 0)
		fprintf(stderr, "removing %s failed\n", pki.dir);
}

static inline FILE *pki_open(const char *rel)
{
	char path[512];
	FILE *f;

	pki_path(path, sizeof(path), rel);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s", path);
	return f;
}

static inline X509 *pki_cert(const char *rel)
{
	FILE *f = pki_open(rel);
	X509 *x509 = PEM_read_X509(f, NULL, NULL, NULL);

	fclose(f);
	ck_assert_msg(x509 != NULL, "%s", rel);
	return x509;
}

static inline EVP_PKEY *pki_key(const char *rel)
{
	FILE *f = pki_open(rel);
	EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);

	fclose(f);
	ck_assert_msg(key != NULL, "%s", rel);
	return key;
}

/* The store from DIR/swanctl plus a config text (authorities, secrets). */
static inline struct cred_store *pki_store(const char *conf_text)
{
	char dir[300], err[256];
	struct conf_error cerr;
	struct conf *conf = conf_load_string(conf_text ? conf_text : "", "test", &cerr);
	struct cred_store *store;

	ck_assert_msg(conf != NULL, "%s", cerr.text);
	pki_path(dir, sizeof(dir), "swanctl");
	store = store_load(dir, conf, err, sizeof(err));
	conf_free(conf);
	ck_assert_msg(store != NULL, "%s", err);
	return store;
}

static inline unsigned char *pki_der(X509 *x509, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x509, &der);

	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
	return der;
}

/* Log capture: every line since pki_log_start(). */
static char pki_log_buf[65536];
static size_t pki_log_len;
static pthread_mutex_t pki_log_lock = PTHREAD_MUTEX_INITIALIZER;

static inline void pki_log_sink(void *arg, enum log_subsys subsys, int level,
				const char *line)
{
	size_t n = strlen(line);

	(void)arg;
	(void)subsys;
	(void)level;
	pthread_mutex_lock(&pki_log_lock);
	if (pki_log_len + n + 2 < sizeof(pki_log_buf)) {
		memcpy(pki_log_buf + pki_log_len, line, n);
		pki_log_len += n;
		pki_log_buf[pki_log_len++] = '\n';
		pki_log_buf[pki_log_len] = '\0';
	}
	pthread_mutex_unlock(&pki_log_lock);
}

static inline void pki_log_start(void)
{
	pki_log_len = 0;
	pki_log_buf[0] = '\0';
	log_set_sink(pki_log_sink, NULL);
}

/* Where TEXT first stands in the captured log, -1 if it does not. */
static inline long pki_log_pos(const char *text)
{
	const char *at;
	long pos;

	pthread_mutex_lock(&pki_log_lock);
	at = strstr(pki_log_buf, text);
	pos = at ? at - pki_log_buf : -1;
	pthread_mutex_unlock(&pki_log_lock);
	return pos;
}

static inline int pki_logged(const char *text)
{
	return pki_log_pos(text) >= 0;
}

/* Each of the N LINES was logged, one after the other. */
static inline void pki_assert_log_order(const char *const *lines, size_t n)
{
	long last = -1;

	for (size_t i = 0; i < n; i++) {
		long pos = pki_log_pos(lines[i]);
		ck_assert_msg(pos > last, "'%s' missing or out of order", lines[i]);
		last = pos;
	}
}

#endif
