#include "kernel/rtnl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static int read_answer(struct mnl_socket *s, uint32_t seq,
		       unsigned int portid, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n = mnl_socket_recvfrom(s, buf, sizeof(buf));

	if (n < 0)
		return errno == EAGAIN ? ETIMEDOUT : errno;
	if (mnl_cb_run(buf, (size_t)n, seq, portid, cb, data) < 0)
		return errno ? errno : EPROTO;
	return 0;
}

int rtnl_request(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	struct timeval timeout = { .tv_sec = 2 };
	struct mnl_socket *s = mnl_socket_open(NETLINK_ROUTE);
	unsigned int portid;
	int rc;

	if (!s)
		return errno;
	if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVTIMEO,
		       &timeout, sizeof(timeout)) < 0) {
		rc = errno;
		mnl_socket_close(s);
		return rc;
	}
	portid = mnl_socket_get_portid(s);
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	if (mnl_socket_sendto(s, nlh, nlh->nlmsg_len) < 0)
		rc = errno;
	else
		rc = read_answer(s, nlh->nlmsg_seq, portid, cb, data);
	mnl_socket_close(s);
	return rc;
}

void rtnl_describe(int rc, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s (errno %d %s)",
		 rc == EPERM ? "not permitted (CAP_NET_ADMIN required)"
			     : strerror(rc), rc, strerrorname_np(rc));
}
