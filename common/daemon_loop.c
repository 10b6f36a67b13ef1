/* The main loop: signals, requests from other threads (reload, stop) and
 * the systemd watchdog. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "daemon_internal.h"
#include "log.h"

void daemon_wake(struct daemon *d, enum daemon_wake what)
{
	char c = (char)what;

	/* A full pipe already holds a wake-up; nothing is lost. */
	if (write(d->wake_pipe[1], &c, 1) < 0 && errno != EAGAIN)
		DBG1(LOG_DMN, "waking the main loop failed: %s",
		     strerror(errno));
}

void daemon_request_stop(struct daemon *d)
{
	daemon_wake(d, DAEMON_WAKE_STOP);
}

/* Returns false when the loop should end. */
static bool handle_signal(struct daemon *d, int sig)
{
	struct daemon_reload_result result;

	switch (sig) {
	case SIGHUP:
		DBG1(LOG_DMN, "signal of type SIGHUP received. Reloading "
		     "configuration");
		daemon_reload(d, &result);
		return true;
	case SIGINT:
	case SIGTERM:
		DBG1(LOG_DMN, "signal of type %s received. Shutting down",
		     sig == SIGINT ? "SIGINT" : "SIGTERM");
		return false;
	}
	return true;
}

static bool handle_wake(struct daemon *d)
{
	char buf[64];
	bool stop = false;
	bool reload = false;
	ssize_t n, i;

	while ((n = read(d->wake_pipe[0], buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			stop |= buf[i] == DAEMON_WAKE_STOP;
			reload |= buf[i] == DAEMON_WAKE_RELOAD;
		}
	}
	if (stop) {
		DBG1(LOG_DMN, "stop requested. Shutting down");
		return false;
	}
	if (reload)
		daemon_reload_pending(d);
	return true;
}

/* Half the interval systemd expects a WATCHDOG=1 in, -1 without one. */
static int watchdog_timeout_ms(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return -1;
	return (int)(usec / 2000);
}

void daemon_loop(struct daemon *d)
{
	struct pollfd fds[2] = {
		{ .fd = d->signal_fd, .events = POLLIN },
		{ .fd = d->wake_pipe[0], .events = POLLIN },
	};
	int timeout = watchdog_timeout_ms();
	bool running = true;
	int sig;

	if (timeout >= 0)
		DBG2(LOG_DMN, "feeding the systemd watchdog every %d ms",
		     timeout);
	while (running) {
		if (timeout >= 0)
			sd_notify(0, "WATCHDOG=1");
		if (poll(fds, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			DBG1(LOG_DMN, "poll failed: %s", strerror(errno));
			return;
		}
		while (running && (sig = daemon_signals_read(d->signal_fd)))
			running = handle_signal(d, sig);
		if (running && (fds[1].revents & POLLIN))
			running = handle_wake(d);
	}
}
