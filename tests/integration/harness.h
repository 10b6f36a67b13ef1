/* Helpers every integration test needs to run the built daemons: where
 * the binaries are, whether to run them under valgrind, free ports,
 * time, files.  static inline so that a test may use only some. */
#ifndef CYGNET_TEST_HARNESS_H
#define CYGNET_TEST_HARNESS_H

#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* CYGNET_VALGRIND=1 in the environment: run the daemons under valgrind. */
static inline bool under_valgrind(void)
{
	const char *v = getenv("CYGNET_VALGRIND");

	return v && *v && strcmp(v, "0") != 0;
}

/* Under valgrind, puts valgrind and its options (errors and definite
 * leaks fail the exit status, report in log_file) at the start of argv
 * and returns how many; otherwise 0.  opt holds the --log-file option. */
static inline int valgrind_argv(char **argv, char *opt, size_t opt_len,
				const char *log_file)
{
	int n = 0;

	if (!under_valgrind())
		return 0;
	snprintf(opt, opt_len, "--log-file=%s", log_file);
	argv[n++] = "/usr/bin/valgrind";
	argv[n++] = "--quiet";
	argv[n++] = "--leak-check=full";
	argv[n++] = "--errors-for-leak-kinds=definite";
	argv[n++] = "--error-exitcode=99";
	argv[n++] = opt;
	return n;
}

/* $CYGNET_BIN, exported by make. */
static inline const char *bin_dir(void)
{
	const char *dir = getenv("CYGNET_BIN");

	return dir && *dir ? dir : "build/bin";
}

static inline long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A TCP port on 127.0.0.1 that nobody listens on right now. */
static inline int free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

/* The whole file as a string ("" when it does not exist); free it. */
static inline char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (!f)
		return strdup("");
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static inline void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* Starts argv[0] in dir, its stdout and stderr appended to out_path and
 * err_path; extra_env: NULL or "NAME=value" strings ending with NULL. */
static inline pid_t spawn_in(const char *dir, char *const argv[],
			     char *const extra_env[], const char *out_path,
			     const char *err_path)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int out = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0640);
		int err = open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0640);

		/* A failed check ends the test process without teardown;
		 * its daemons must not outlive it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (out < 0 || err < 0 || chdir(dir) != 0)
			_exit(126);
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		for (; extra_env && *extra_env; extra_env++)
			putenv(*extra_env);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

#endif
