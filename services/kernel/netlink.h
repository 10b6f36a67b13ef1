/* A NETLINK_XFRM socket: requests with sequence numbers, acks read back,
 * and kernel errors turned into an errno plus a message that says what
 * the error means ("ESP not supported by this kernel (CONFIG_INET_ESP)").
 * Requests are serialised by a mutex, so RPC workers share one socket. */
#ifndef CYGNET_KERNEL_NETLINK_H
#define CYGNET_KERNEL_NETLINK_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for any request we build and a batch of dump replies. */
#define NL_BUFSIZE 32768

struct nl_sock;

/* Whether a whole message starts at nlh within left bytes.  libmnl's
 * mnl_nlmsg_ok compares the length as a signed int, so a length above
 * 2 GiB passes it; this one does not. */
static inline bool nl_msg_ok(const struct nlmsghdr *nlh, int left)
{
	return left >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned int)left;
}

struct nl_error {
	int err;		/* positive errno, 0 for none */
	char text[320];		/* meaning, kernel's extack, errno name */
};

/* Called for every data message of a reply (dumps, GETSA, ALLOCSPI);
 * returns 0 to go on, -1 to record a parse failure (the request then
 * fails with EBADMSG after the reply has been drained). */
typedef int (*nl_msg_fn)(const struct nlmsghdr *nlh, void *arg);

/* groups: XFRMNLGRP_* bit mask for an event socket, 0 for requests. */
struct nl_sock *nl_open(unsigned int groups, struct nl_error *err);
void nl_close(struct nl_sock *nl);
int nl_fd(const struct nl_sock *nl);

/* Sends req (flags NLM_F_REQUEST|NLM_F_ACK are added, seq is set) and
 * reads until its ack or NLMSG_DONE.  Returns 0, or -1 with err set. */
int nl_request(struct nl_sock *nl, struct nlmsghdr *req, nl_msg_fn fn,
	       void *arg, struct nl_error *err);

/* A request answered by one message of type reply_type (GETSA, GETPOLICY,
 * ALLOCSPI), decoded by parse into out; without such a reply it fails
 * with missing_errno (ESRCH for SAs, ENOENT for policies). */
typedef int (*nl_parse_fn)(const struct nlmsghdr *nlh, void *out);
int nl_get(struct nl_sock *nl, struct nlmsghdr *req, uint16_t reply_type,
	   nl_parse_fn parse, void *out, int missing_errno,
	   struct nl_error *err);

/* The meaning of errno err for a request of type msg_type (XFRM_MSG_*)
 * on address family family, e.g. EPROTONOSUPPORT on XFRM_MSG_NEWSA. */
const char *nl_error_meaning(uint16_t msg_type, uint16_t family, int err);

/* Fills err from an errno, the request type and an optional kernel
 * extack message. */
void nl_error_set(struct nl_error *err, uint16_t msg_type, uint16_t family,
		  int errnum, const char *extack);

/* Counters by errno for the status page: calls fn for every errno seen. */
typedef void (*nl_errno_fn)(void *arg, int errnum, uint64_t count);
void nl_errors_foreach(nl_errno_fn fn, void *arg);
uint64_t nl_errors_total(void);

#endif
