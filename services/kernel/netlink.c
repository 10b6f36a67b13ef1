/* NETLINK_XFRM requests and acks with libmnl. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/xfrm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "netlink.h"

struct nl_sock {
	struct mnl_socket *mnl;
	unsigned int portid;
	uint32_t seq;
	pthread_mutex_t lock;
	char buf[NL_BUFSIZE];
};

/* Errors by errno (the kernel never returns more than ~140 values). */
#define NL_ERRNO_SLOTS 160
static _Atomic uint64_t errno_counts[NL_ERRNO_SLOTS];

static void count_error(int errnum)
{
	if (errnum > 0 && errnum < NL_ERRNO_SLOTS)
		atomic_fetch_add(&errno_counts[errnum], 1);
	else
		atomic_fetch_add(&errno_counts[0], 1);
}

void nl_errors_foreach(nl_errno_fn fn, void *arg)
{
	for (int i = 0; i < NL_ERRNO_SLOTS; i++) {
		uint64_t n = atomic_load(&errno_counts[i]);
		if (n)
			fn(arg, i, n);
	}
}

uint64_t nl_errors_total(void)
{
	uint64_t total = 0;

	for (int i = 0; i < NL_ERRNO_SLOTS; i++)
		total += atomic_load(&errno_counts[i]);
	return total;
}

static bool is_sa_message(uint16_t msg_type)
{
	return msg_type == XFRM_MSG_NEWSA || msg_type == XFRM_MSG_UPDSA ||
	       msg_type == XFRM_MSG_ALLOCSPI;
}

static bool is_policy_message(uint16_t msg_type)
{
	return msg_type == XFRM_MSG_NEWPOLICY ||
	       msg_type == XFRM_MSG_UPDPOLICY ||
	       msg_type == XFRM_MSG_DELPOLICY ||
	       msg_type == XFRM_MSG_GETPOLICY;
}

const char *nl_error_meaning(uint16_t msg_type, uint16_t family, int err)
{
	bool v6 = family == AF_INET6;

	switch (err) {
	case EPERM:
	case EACCES:
		return "not permitted (CAP_NET_ADMIN required)";
	case EPROTONOSUPPORT:
		if (is_sa_message(msg_type))
			return v6 ? "ESP not supported by this kernel "
				    "(CONFIG_INET6_ESP)"
				  : "ESP not supported by this kernel "
				    "(CONFIG_INET_ESP)";
		return "protocol not supported by this kernel";
	case ENOSYS:
		if (is_sa_message(msg_type))
			return "algorithm not available in the kernel's crypto "
			       "API (CONFIG_CRYPTO_*)";
		return "not supported by this kernel";
	case EAFNOSUPPORT:
		return v6 ? "IPv6 IPsec not supported by this kernel "
			    "(CONFIG_XFRM_USER, CONFIG_IPV6)"
			  : "address family not supported by this kernel";
	case EEXIST:
		return is_policy_message(msg_type) ? "policy already exists"
						   : "SA already exists";
	case ESRCH:
	case ENOENT:
		return is_policy_message(msg_type) ? "no such policy"
						   : "no such SA";
	case EINVAL:
		return "rejected by the kernel as invalid";
	case ENOMEM:
	case ENOBUFS:
		return "out of kernel memory";
	case EBADMSG:
		return "malformed reply from the kernel";
	case ETIMEDOUT:
		return "no reply from the kernel";
	default:
		return strerror(err);
	}
}

void nl_error_set(struct nl_error *err, uint16_t msg_type, uint16_t family,
		  int errnum, const char *extack)
{
	const char *name = strerrorname_np(errnum);

	err->err = errnum;
	snprintf(err->text, sizeof(err->text), "%s%s%s (errno %d %s)",
		 nl_error_meaning(msg_type, family, errnum),
		 extack ? ": " : "", extack ? extack : "", errnum,
		 name ? name : "?");
	count_error(errnum);
}

struct nl_sock *nl_open(unsigned int groups, struct nl_error *err)
{
	struct nl_sock *nl = calloc(1, sizeof(*nl));
	int on = 1;
	struct timeval timeout = { .tv_sec = 5 };

	if (!nl) {
		nl_error_set(err, 0, 0, ENOMEM, NULL);
		return NULL;
	}
	nl->mnl = mnl_socket_open(NETLINK_XFRM);
	if (!nl->mnl || mnl_socket_bind(nl->mnl, groups, MNL_SOCKET_AUTOPID)) {
		nl_error_set(err, 0, 0, errno, "opening NETLINK_XFRM socket");
		if (nl->mnl)
			mnl_socket_close(nl->mnl);
		free(nl);
		return NULL;
	}
	/* Kernel error messages, and acks that do not echo the request
	 * back (it may carry keys). */
	mnl_socket_setsockopt(nl->mnl, NETLINK_EXT_ACK, &on, sizeof(on));
	mnl_socket_setsockopt(nl->mnl, NETLINK_CAP_ACK, &on, sizeof(on));
	setsockopt(mnl_socket_get_fd(nl->mnl), SOL_SOCKET, SO_RCVTIMEO,
		   &timeout, sizeof(timeout));
	nl->portid = mnl_socket_get_portid(nl->mnl);
	nl->seq = (uint32_t)time(NULL);
	pthread_mutex_init(&nl->lock, NULL);
	return nl;
}

void nl_close(struct nl_sock *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->mnl);
	pthread_mutex_destroy(&nl->lock);
	explicit_bzero(nl->buf, sizeof(nl->buf));
	free(nl);
}

int nl_fd(const struct nl_sock *nl)
{
	return mnl_socket_get_fd(nl->mnl);
}

/* The kernel's error message (NLMSGERR_ATTR_MSG) of an ack, if any. */
static const char *ack_extack(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *ack = mnl_nlmsg_get_payload(nlh);
	size_t offset = sizeof(*ack);
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += ack->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (offset > mnl_nlmsg_get_payload_len(nlh))
		return NULL;
	mnl_attr_for_each(attr, nlh, offset) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

enum reply_state { REPLY_MORE, REPLY_DONE, REPLY_ERROR };

/* Handles one message of the reply to request seq. */
static enum reply_state reply_message(struct nl_sock *nl,
				      const struct nlmsghdr *nlh,
				      const struct nlmsghdr *req, nl_msg_fn fn,
				      void *arg, uint16_t family,
				      bool *parse_failed, struct nl_error *err)
{
	if (nlh->nlmsg_seq != req->nlmsg_seq || nlh->nlmsg_pid != nl->portid)
		return REPLY_MORE;	/* stale reply to an earlier request */
	if (nlh->nlmsg_type == NLMSG_DONE)
		return REPLY_DONE;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *ack = mnl_nlmsg_get_payload(nlh);

		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ack)) {
			nl_error_set(err, req->nlmsg_type, family, EBADMSG,
				     NULL);
			return REPLY_ERROR;
		}
		if (ack->error == 0)
			return REPLY_DONE;
		nl_error_set(err, req->nlmsg_type, family, -ack->error,
			     ack_extack(nlh));
		return REPLY_ERROR;
	}
	if (fn && fn(nlh, arg) < 0)
		*parse_failed = true;
	/* A plain request with a data reply (GETSA, ALLOCSPI) has no ack
	 * after it unless asked; we always ask, so keep reading. */
	return REPLY_MORE;
}

static int request_locked(struct nl_sock *nl, struct nlmsghdr *req,
			  nl_msg_fn fn, void *arg, uint16_t family,
			  struct nl_error *err)
{
	bool parse_failed = false;

	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->mnl, req, req->nlmsg_len) < 0) {
		nl_error_set(err, req->nlmsg_type, family, errno, NULL);
		return -1;
	}
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(nl->mnl, nl->buf,
						  sizeof(nl->buf));
		if (len < 0) {
			int e = errno == EAGAIN ? ETIMEDOUT : errno;
			nl_error_set(err, req->nlmsg_type, family, e, NULL);
			return -1;
		}
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->buf;
		int left = (int)len;
		while (nl_msg_ok(nlh, left)) {
			enum reply_state st = reply_message(nl, nlh, req, fn,
							    arg, family,
							    &parse_failed,
							    err);
			if (st == REPLY_ERROR)
				return -1;
			if (st == REPLY_DONE) {
				if (!parse_failed)
					return 0;
				nl_error_set(err, req->nlmsg_type, family,
					     EBADMSG, NULL);
				return -1;
			}
			nlh = mnl_nlmsg_next(nlh, &left);
		}
	}
}

/* The address family a request is about, for error messages. */
static uint16_t request_family(const struct nlmsghdr *req)
{
	const void *body = mnl_nlmsg_get_payload(req);
	size_t len = mnl_nlmsg_get_payload_len(req);

	switch (req->nlmsg_type) {
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA:
		if (len >= sizeof(struct xfrm_usersa_info))
			return ((const struct xfrm_usersa_info *)body)->family;
		break;
	case XFRM_MSG_ALLOCSPI:
		if (len >= sizeof(struct xfrm_userspi_info))
			return ((const struct xfrm_userspi_info *)body)
				->info.family;
		break;
	case XFRM_MSG_DELSA:
	case XFRM_MSG_GETSA:
		if (len >= sizeof(struct xfrm_usersa_id))
			return ((const struct xfrm_usersa_id *)body)->family;
		break;
	case XFRM_MSG_NEWPOLICY:
	case XFRM_MSG_UPDPOLICY:
		if (len >= sizeof(struct xfrm_userpolicy_info))
			return ((const struct xfrm_userpolicy_info *)body)
				->sel.family;
		break;
	case XFRM_MSG_DELPOLICY:
	case XFRM_MSG_GETPOLICY:
		if (len >= sizeof(struct xfrm_userpolicy_id))
			return ((const struct xfrm_userpolicy_id *)body)
				->sel.family;
		break;
	}
	return 0;
}

int nl_request(struct nl_sock *nl, struct nlmsghdr *req, nl_msg_fn fn,
	       void *arg, struct nl_error *err)
{
	int rc;

	err->err = 0;
	err->text[0] = '\0';
	pthread_mutex_lock(&nl->lock);
	rc = request_locked(nl, req, fn, arg, request_family(req), err);
	/* Replies to GETSA carry keys: do not leave them in the buffer. */
	explicit_bzero(nl->buf, sizeof(nl->buf));
	pthread_mutex_unlock(&nl->lock);
	return rc;
}

struct get {
	uint16_t type;
	nl_parse_fn parse;
	void *out;
	bool found;
};

static int get_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct get *g = arg;

	if (nlh->nlmsg_type != g->type)
		return 0;
	if (g->parse(nlh, g->out) < 0)
		return -1;
	g->found = true;
	return 0;
}

int nl_get(struct nl_sock *nl, struct nlmsghdr *req, uint16_t reply_type,
	   nl_parse_fn parse, void *out, int missing_errno,
	   struct nl_error *err)
{
	struct get g = { .type = reply_type, .parse = parse, .out = out };

	if (nl_request(nl, req, get_reply, &g, err) < 0)
		return -1;
	if (!g.found) {
		nl_error_set(err, req->nlmsg_type, request_family(req),
			     missing_errno, NULL);
		return -1;
	}
	return 0;
}
