#include <errno.h>
#include <libmnl/libmnl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "monitor.h"
#include "netlink.h"

struct monitor {
	struct nl_sock *nl;
	struct monitor_ops ops;
	int stop_pipe[2];
	pthread_t thread;
	uint8_t buf[NL_BUFSIZE];
};

static void dispatch_one(const struct monitor_ops *ops,
			 const struct nlmsghdr *nlh, unsigned *bad)
{
	struct knl_expire exp;
	struct knl_acquire acq;

	switch (nlh->nlmsg_type) {
	case XFRM_MSG_EXPIRE:
		if (parse_expire(nlh, &exp) < 0) {
			(*bad)++;
			return;
		}
		ops->expire(ops->arg, &exp);
		return;
	case XFRM_MSG_ACQUIRE:
		if (parse_acquire(nlh, &acq) < 0) {
			(*bad)++;
			return;
		}
		ops->acquire(ops->arg, &acq);
		return;
	}
}

unsigned monitor_dispatch(const struct monitor_ops *ops, const void *buf,
			  size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = len > NL_BUFSIZE ? NL_BUFSIZE : (int)len;
	unsigned bad = 0;

	while (nl_msg_ok(nlh, left)) {
		dispatch_one(ops, nlh, &bad);
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return bad;
}

static void *monitor_run(void *arg)
{
	struct monitor *m = arg;
	struct pollfd fds[2] = {
		{ .fd = nl_fd(m->nl), .events = POLLIN },
		{ .fd = m->stop_pipe[0], .events = POLLIN },
	};

	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			DBG1(LOG_KNL, "polling XFRM event socket failed: %s",
			     strerror(errno));
			return NULL;
		}
		if (fds[1].revents)
			return NULL;
		ssize_t len = recv(fds[0].fd, m->buf, sizeof(m->buf),
				   MSG_DONTWAIT);
		if (len < 0) {
			/* ENOBUFS: events were lost while we were busy */
			if (errno != EAGAIN && errno != EINTR)
				DBG1(LOG_KNL, "unable to receive from XFRM "
				     "event socket: %s (%d)", strerror(errno),
				     errno);
			continue;
		}
		unsigned bad = monitor_dispatch(&m->ops, m->buf,
						(size_t)len);
		if (bad)
			DBG1(LOG_KNL, "ignored %u malformed XFRM events", bad);
	}
}

struct monitor *monitor_start(const struct monitor_ops *ops,
			      struct nl_error *err)
{
	struct monitor *m = calloc(1, sizeof(*m));
	unsigned int groups = 1u << (XFRMNLGRP_ACQUIRE - 1) |
			      1u << (XFRMNLGRP_EXPIRE - 1);

	if (!m) {
		nl_error_set(err, 0, 0, ENOMEM, NULL);
		return NULL;
	}
	m->ops = *ops;
	m->nl = nl_open(groups, err);
	if (!m->nl) {
		free(m);
		return NULL;
	}
	if (pipe(m->stop_pipe) < 0) {
		nl_error_set(err, 0, 0, errno, "monitor pipe");
		nl_close(m->nl);
		free(m);
		return NULL;
	}
	if (pthread_create(&m->thread, NULL, monitor_run, m)) {
		nl_error_set(err, 0, 0, EAGAIN, "monitor thread");
		close(m->stop_pipe[0]);
		close(m->stop_pipe[1]);
		nl_close(m->nl);
		free(m);
		return NULL;
	}
	return m;
}

void monitor_stop(struct monitor *m)
{
	if (!m)
		return;
	if (write(m->stop_pipe[1], "x", 1) < 0)
		DBG1(LOG_KNL, "stopping XFRM event thread: %s", strerror(errno));
	pthread_join(m->thread, NULL);
	close(m->stop_pipe[0]);
	close(m->stop_pipe[1]);
	nl_close(m->nl);
	free(m);
}
