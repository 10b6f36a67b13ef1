#include "ike/socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

uint16_t sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

void sockaddr_host(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	snprintf(buf, len, "%%any");
	if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr,
			  buf, (socklen_t)len);
	else if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
			  buf, (socklen_t)len);
}

size_t sockaddr_addr(const struct sockaddr_storage *ss, uint8_t *out)
{
	if (ss->ss_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		return 16;
	}
	memcpy(out, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	return 4;
}

void sockaddr_format(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	sockaddr_host(ss, host, sizeof(host));
	snprintf(buf, len, "%s[%u]", host, sockaddr_port(ss));
}

int sockaddr_parse(const char *text, uint16_t port,
		   struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		return 0;
	}
	return -1;
}

/* The kernel takes ESP-in-UDP (RFC 3948) off our NAT-T port and hands
 * us the rest (IKE with its non-ESP marker, keepalives).  Without it the
 * CHILD_SAs of peers behind NAT receive nothing, but IKE still works,
 * so a kernel refusing it costs a log line only. */
static void set_esp_in_udp(int fd, const char *where)
{
	int type = UDP_ENCAP_ESPINUDP;

	if (setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) < 0)
		DBG1(LOG_NET, "enabling UDP_ENCAP on %s failed: %s", where,
		     strerror(errno));
}

static int open_one(struct ike_sockets *s, const struct sockaddr_storage *ss,
		    bool natt, char *err, size_t errlen)
{
	int family = ss->ss_family, on = 1;
	socklen_t len = family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					     sizeof(struct sockaddr_in);
	char where[64];
	int fd;

	sockaddr_format(ss, where, sizeof(where));
	if (s->count == IKE_SOCKETS_MAX) {
		snprintf(err, errlen, "too many IKE sockets");
		return -1;
	}
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    (family == AF_INET6 &&
	     (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0 ||
	      setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) < 0)) ||
	    (family == AF_INET &&
	     setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) < 0) ||
	    bind(fd, (const struct sockaddr *)ss, len) < 0) {
		snprintf(err, errlen, "could not open socket on %s: %s", where,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (natt)
		set_esp_in_udp(fd, where);
	s->fds[s->count] = fd;
	s->bound[s->count] = *ss;
	s->natt[s->count++] = natt;
	DBG2(LOG_NET, "listening on %s", where);
	return 0;
}

static int open_ports(struct ike_sockets *s, const char *addr, uint16_t port,
		      uint16_t natt_port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;

	if (sockaddr_parse(addr, port, &ss) < 0) {
		snprintf(err, errlen, "invalid listen address '%s'", addr);
		return -1;
	}
	if (open_one(s, &ss, false, err, errlen) < 0)
		return -1;
	if (sockaddr_parse(addr, natt_port, &ss) < 0 ||
	    open_one(s, &ss, true, err, errlen) < 0)
		return -1;
	return 0;
}

int ike_sockets_open(struct ike_sockets *s, char *const *addrs, size_t n_addrs,
		     uint16_t port, uint16_t natt_port, char *err,
		     size_t errlen)
{
	static const char *const any[] = { "0.0.0.0", "::" };
	int rc = 0;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < (n_addrs ? n_addrs : 2) && rc == 0; i++)
		rc = open_ports(s, n_addrs ? addrs[i] : any[i], port, natt_port,
				err, errlen);
	if (rc < 0)
		ike_sockets_close(s);
	return rc;
}

void ike_sockets_close(struct ike_sockets *s)
{
	for (size_t i = 0; i < s->count; i++)
		close(s->fds[i]);
	s->count = 0;
}

/* The local address from the IP_PKTINFO/IPV6_PKTINFO control message. */
static void local_from_cmsg(struct msghdr *mh, uint16_t port,
			    struct sockaddr_storage *local)
{
	memset(local, 0, sizeof(*local));
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo info;
			struct sockaddr_in *in = (struct sockaddr_in *)local;

			memcpy(&info, CMSG_DATA(c), sizeof(info));
			in->sin_family = AF_INET;
			in->sin_addr = info.ipi_addr;
			in->sin_port = htons(port);
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo info;
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)local;

			memcpy(&info, CMSG_DATA(c), sizeof(info));
			in6->sin6_family = AF_INET6;
			in6->sin6_addr = info.ipi6_addr;
			in6->sin6_port = htons(port);
		}
	}
}

static const uint8_t non_esp_marker[NON_ESP_MARKER_LEN];

static int recv_one(int fd, uint16_t port, bool natt, struct packet *pkt)
{
	uint8_t buf[NON_ESP_MARKER_LEN + MESSAGE_MAX_LEN];
	uint8_t control[256];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = {
		.msg_name = &pkt->remote, .msg_namelen = sizeof(pkt->remote),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	ssize_t n = recvmsg(fd, &mh, 0);
	size_t skip = 0;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	local_from_cmsg(&mh, port, &pkt->local);
	if (natt) {
		/* A single 0xff is a NAT-T keepalive; without the marker it
		 * is ESP, which the kernel handles. */
		if (n < NON_ESP_MARKER_LEN ||
		    memcmp(buf, non_esp_marker, NON_ESP_MARKER_LEN) != 0)
			return 0;
		skip = NON_ESP_MARKER_LEN;
	}
	pkt->len = (size_t)n - skip;
	memcpy(pkt->data, buf + skip, pkt->len);
	return 1;
}

int ike_sockets_recv(struct ike_sockets *s, struct packet *pkt, int timeout_ms)
{
	struct pollfd pfd[IKE_SOCKETS_MAX];
	int ready;

	for (size_t i = 0; i < s->count; i++)
		pfd[i] = (struct pollfd){ .fd = s->fds[i], .events = POLLIN };
	ready = poll(pfd, s->count, timeout_ms);
	if (ready <= 0)
		return ready < 0 && errno != EINTR ? -1 : 0;
	for (size_t i = 0; i < s->count; i++) {
		if (!(pfd[i].revents & POLLIN))
			continue;
		return recv_one(s->fds[i], sockaddr_port(&s->bound[i]), s->natt[i],
				pkt);
	}
	return 0;
}

static bool is_any(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
	return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == INADDR_ANY;
}

static bool same_addr(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
	       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
}

/* The socket bound to the local address (or to any) and port. */
static int socket_index(const struct ike_sockets *s,
			const struct sockaddr_storage *local)
{
	for (size_t i = 0; i < s->count; i++) {
		const struct sockaddr_storage *b = &s->bound[i];

		if (b->ss_family == local->ss_family &&
		    sockaddr_port(b) == sockaddr_port(local) &&
		    (is_any(b) || same_addr(b, local)))
			return (int)i;
	}
	return -1;
}

static size_t set_source(struct msghdr *mh, const struct sockaddr_storage *local,
			 uint8_t *control, size_t cap)
{
	struct cmsghdr *c;

	mh->msg_control = control;
	mh->msg_controllen = cap;
	c = CMSG_FIRSTHDR(mh);
	if (local->ss_family == AF_INET6) {
		struct in6_pktinfo info = {
			.ipi6_addr = ((const struct sockaddr_in6 *)local)->sin6_addr,
		};

		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(info));
		memcpy(CMSG_DATA(c), &info, sizeof(info));
		return CMSG_SPACE(sizeof(info));
	} else {
		struct in_pktinfo info = {
			.ipi_spec_dst = ((const struct sockaddr_in *)local)->sin_addr,
		};

		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(info));
		memcpy(CMSG_DATA(c), &info, sizeof(info));
		return CMSG_SPACE(sizeof(info));
	}
}

static int send_from(struct ike_sockets *s,
		     const struct sockaddr_storage *local,
		     const struct sockaddr_storage *remote, struct iovec *iov,
		     size_t n_iov)
{
	uint8_t control[CMSG_SPACE(sizeof(struct in6_pktinfo))] = { 0 };
	int idx = socket_index(s, local);
	struct msghdr mh = {
		.msg_name = (void *)remote,
		.msg_namelen = remote->ss_family == AF_INET6 ?
			       sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
		.msg_iov = iov,
		.msg_iovlen = n_iov,
	};

	if (idx < 0) {
		DBG1(LOG_NET, "no socket for port %u", sockaddr_port(local));
		return -1;
	}
	/* The marker goes on the NAT-T port only (RFC 3948 2.2). */
	if (!s->natt[idx] && iov[0].iov_base == (void *)non_esp_marker) {
		mh.msg_iov = iov + 1;
		mh.msg_iovlen = n_iov - 1;
	}
	mh.msg_controllen = set_source(&mh, local, control, sizeof(control));
	if (sendmsg(s->fds[idx], &mh, 0) < 0) {
		DBG1(LOG_NET, "error writing to socket: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int ike_sockets_send(struct ike_sockets *s, const struct packet *pkt)
{
	struct iovec iov[2] = {
		{ (void *)non_esp_marker, NON_ESP_MARKER_LEN },
		{ (void *)pkt->data, pkt->len },
	};

	return send_from(s, &pkt->local, &pkt->remote, iov, 2);
}

int ike_sockets_keepalive(struct ike_sockets *s,
			  const struct sockaddr_storage *local,
			  const struct sockaddr_storage *remote)
{
	static const uint8_t keepalive = 0xff;
	struct iovec iov = { (void *)&keepalive, 1 };

	return send_from(s, local, remote, &iov, 1);
}
