/* Helpers of the kernel service tests: a private network namespace per
 * test (Check forks one process per test) and `ip xfrm` output parsed
 * field by field, so encodings are checked against iproute2's reading
 * of the kernel's tables rather than against our own decoder. */
#ifndef CYGNET_TEST_KNL_UTIL_H
#define CYGNET_TEST_KNL_UTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel.pb-c.h"
#include "kernel/netlink.h"
#include "testmain.h"

static inline void enter_netns(void)
{
	ck_assert_msg(geteuid() == 0, "these tests need root: they create "
		      "a network namespace and need CAP_NET_ADMIN");
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare(CLONE_NEWNET): %s",
		      strerror(errno));
}

/* One policy as `ip -o xfrm policy` prints it. */
struct ip_policy {
	char src[64];
	char dst[64];
	char proto[16];
	int sport;		/* -1 when not printed */
	int dport;
	char dir[8];
	unsigned long priority;
	int has_tmpl;
	char tmpl_src[64];
	char tmpl_dst[64];
	char tmpl_proto[16];
	unsigned long reqid;
	char mode[16];
};

#define IP_POLICIES_MAX 64

static inline void copy_word(char *dst, size_t len, const char *word)
{
	snprintf(dst, len, "%s", word ? word : "");
}

/* Parses one line: "src A dst B [proto P] [sport N] [dport N] dir D
 * priority N ptype main [tmpl src A dst B proto esp reqid R mode M]". */
static inline void parse_ip_policy(char *line, struct ip_policy *p)
{
	char *save = NULL;
	int in_tmpl = 0;

	memset(p, 0, sizeof(*p));
	p->sport = p->dport = -1;
	for (char *w = strtok_r(line, " \t\\\n", &save); w;
	     w = strtok_r(NULL, " \t\\\n", &save)) {
		char *v;

		if (!strcmp(w, "tmpl")) {
			in_tmpl = p->has_tmpl = 1;
			continue;
		}
		v = strtok_r(NULL, " \t\\\n", &save);
		if (!v)
			break;
		if (!strcmp(w, "src"))
			copy_word(in_tmpl ? p->tmpl_src : p->src, 64, v);
		else if (!strcmp(w, "dst"))
			copy_word(in_tmpl ? p->tmpl_dst : p->dst, 64, v);
		else if (!strcmp(w, "proto"))
			copy_word(in_tmpl ? p->tmpl_proto : p->proto, 16, v);
		else if (!strcmp(w, "sport"))
			p->sport = atoi(v);
		else if (!strcmp(w, "dport"))
			p->dport = atoi(v);
		else if (!strcmp(w, "dir"))
			copy_word(p->dir, sizeof(p->dir), v);
		else if (!strcmp(w, "priority"))
			p->priority = strtoul(v, NULL, 10);
		else if (!strcmp(w, "reqid"))
			p->reqid = strtoul(v, NULL, 10);
		else if (!strcmp(w, "mode"))
			copy_word(p->mode, sizeof(p->mode), v);
	}
}

/* Runs `ip -o xfrm policy` in the current namespace. */
static inline size_t ip_policies(struct ip_policy *out, size_t max)
{
	FILE *ip = popen("ip -o xfrm policy", "r");
	char line[1024];
	size_t n = 0;

	ck_assert_msg(ip != NULL, "popen ip: %s", strerror(errno));
	while (fgets(line, sizeof(line), ip) && n < max)
		parse_ip_policy(line, &out[n++]);
	ck_assert_int_eq(pclose(ip), 0);
	return n;
}

static inline const struct ip_policy *find_ip_policy(
	const struct ip_policy *v, size_t n, const char *src, const char *dst,
	const char *dir)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].src, src) && !strcmp(v[i].dst, dst) &&
		    !strcmp(v[i].dir, dir))
			return &v[i];
	return NULL;
}

/* Output of a shell command, for `ip xfrm state` checks. */
static inline void run_output(const char *cmd, char *buf, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	ck_assert_msg(p != NULL, "popen %s: %s", cmd, strerror(errno));
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	pclose(p);
}

static inline void ts_prefix(struct knl_ts *ts, const char *addr,
			     unsigned prefix)
{
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	size_t bytes = family == AF_INET6 ? 16 : 4;

	memset(ts, 0, sizeof(*ts));
	ts->family = (uint16_t)family;
	ts->to_port = 0xffff;
	ck_assert_int_eq(inet_pton(family, addr, ts->from), 1);
	memcpy(ts->to, ts->from, bytes);
	for (size_t i = 0; i < bytes; i++) {
		int keep = (int)prefix - (int)i * 8;
		uint8_t mask = keep >= 8 ? 0xff
			       : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
		ts->from[i] &= mask;
		ts->to[i] |= (uint8_t)~mask;
	}
}

static inline void addr_of(struct knl_addr *a, const char *text)
{
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;

	memset(a, 0, sizeof(*a));
	a->family = (uint16_t)family;
	ck_assert_int_eq(inet_pton(family, text, a->ip), 1);
}

static inline struct nl_sock *nl_open_in_netns(struct nl_error *err)
{
	struct nl_sock *s;

	enter_netns();
	s = nl_open(0, err);
	ck_assert_msg(s != NULL, "nl_open: %s", err->text);
	return s;
}

static inline void v4_address(Cygnet__Address *a, uint8_t ip[4])
{
	cygnet__address__init(a);
	a->ip = (ProtobufCBinaryData){ 4, ip };
}

/* A valid tunnel mode SA request: AES-CBC-256 (32 bytes of key) with
 * HMAC-SHA1-96 (the first 20 of them), reqid 1. */
static inline void cbc_sha1_config(Cygnet__SaConfig *sa, Cygnet__Address *src,
				   Cygnet__Address *dst, uint32_t spi,
				   uint8_t *key)
{
	cygnet__sa_config__init(sa);
	sa->src = src;
	sa->dst = dst;
	sa->spi = spi;
	sa->reqid = 1;
	sa->mode = CYGNET__IPSEC_MODE__IPSEC_MODE_TUNNEL;
	sa->encr_id = 12;
	sa->encr_key_length = 256;
	sa->encr_key = (ProtobufCBinaryData){ 32, key };
	sa->integ_id = 2;
	sa->integ_key = (ProtobufCBinaryData){ 20, key };
}

#endif
