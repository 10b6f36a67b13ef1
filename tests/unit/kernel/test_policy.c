/* Policies installed for real in a private network namespace and read
 * back with `ip -o xfrm policy`: selectors, direction, priority and the
 * template, field by field; ownership, adoption and reconciliation. */
#include <netinet/in.h>
#include <stdlib.h>

#include "kernel/adopt.h"
#include "kernel/netlink.h"
#include "kernel/policy.h"
#include "kernel/state.h"
#include "knl_test_util.h"

static struct nl_sock *nl;
static struct nl_error err;
static const struct owner owner = {
	.reqid_min = 1, .reqid_max = 100,
	.bypass_ports = { 500, 4500 }, .n_bypass = 2,
};

/* The seed's CHILD_SA: 0.0.0.0/0 ::/0 === <vip4>/32 <vip6>/128, with
 * documentation addresses in place of the seed's. */
static struct knl_ts local_ts[2], remote_ts[2];

static struct policy_set seed_set(uint32_t reqid)
{
	struct policy_set set = {
		.local_ts = local_ts, .n_local = 2,
		.remote_ts = remote_ts, .n_remote = 2,
		.reqid = reqid, .mode = XFRM_MODE_TUNNEL,
		.proto = IPPROTO_ESP,
	};

	addr_of(&set.local, "192.0.2.1");
	addr_of(&set.remote, "198.51.100.7");
	ts_prefix(&local_ts[0], "0.0.0.0", 0);
	ts_prefix(&local_ts[1], "::", 0);
	ts_prefix(&remote_ts[0], "203.0.113.66", 32);
	ts_prefix(&remote_ts[1], "2001:db8:4407:1::2", 128);
	return set;
}

static size_t install_set(const struct policy_set *set,
			  struct knl_policy *out)
{
	size_t n = policy_expand(set, out);

	for (size_t i = 0; i < n; i++)
		ck_assert_msg(policy_install(nl, &out[i], &err) == 0,
			      "install %zu: %s", i, err.text);
	return n;
}

/* The seed's policies (reqid 1) in a new network namespace. */
static size_t install_seed(struct knl_policy *out)
{
	struct policy_set set = seed_set(1);

	nl = nl_open_in_netns(&err);
	return install_set(&set, out);
}

static void check_ip(const struct ip_policy *v, size_t n, const char *src,
		     const char *dst, const char *dir, unsigned long prio,
		     const char *tsrc, const char *tdst, unsigned long reqid)
{
	const struct ip_policy *p = find_ip_policy(v, n, src, dst, dir);

	ck_assert_msg(p != NULL, "ip xfrm policy lacks %s === %s %s", src,
		      dst, dir);
	ck_assert_uint_eq(p->priority, prio);
	ck_assert_int_eq(p->has_tmpl, 1);
	ck_assert_str_eq(p->tmpl_src, tsrc);
	ck_assert_str_eq(p->tmpl_dst, tdst);
	ck_assert_str_eq(p->tmpl_proto, "esp");
	ck_assert_uint_eq(p->reqid, reqid);
	ck_assert_str_eq(p->mode, "tunnel");
}

START_TEST(seed_policies_as_ip_sees_them)
{
	struct knl_policy pol[12];
	struct ip_policy ip[IP_POLICIES_MAX];
	size_t n;

	/* four TS pairs, two of them of one family: 2 x (out, in, fwd) */
	ck_assert_uint_eq(install_seed(pol), 6);
	n = ip_policies(ip, IP_POLICIES_MAX);
	ck_assert_uint_eq(n, 6);
	/* strongSwan: 2 * 200000 - (0 + 32) * 512 - 1 */
	check_ip(ip, n, "0.0.0.0/0", "203.0.113.66/32", "out", 383615,
		 "192.0.2.1", "198.51.100.7", 1);
	check_ip(ip, n, "203.0.113.66/32", "0.0.0.0/0", "in", 383615,
		 "198.51.100.7", "192.0.2.1", 1);
	check_ip(ip, n, "203.0.113.66/32", "0.0.0.0/0", "fwd", 383615,
		 "198.51.100.7", "192.0.2.1", 1);
	/* IPv6 inside the IPv4 tunnel: 400000 - 128 * 512 - 1 */
	check_ip(ip, n, "::/0", "2001:db8:4407:1::2/128", "out", 334463,
		 "192.0.2.1", "198.51.100.7", 1);
	check_ip(ip, n, "2001:db8:4407:1::2/128", "::/0", "in", 334463,
		 "198.51.100.7", "192.0.2.1", 1);
	check_ip(ip, n, "2001:db8:4407:1::2/128", "::/0", "fwd", 334463,
		 "198.51.100.7", "192.0.2.1", 1);
	nl_close(nl);
}
END_TEST

/* One selector pair, installed in the three directions in a new network
 * namespace; what ip sees. */
static size_t install_pair(struct policy_set *set, struct knl_ts *l,
			   struct knl_ts *r, struct ip_policy *ip)
{
	struct knl_policy pol[3];

	nl = nl_open_in_netns(&err);
	set->local_ts = l;
	set->n_local = 1;
	set->remote_ts = r;
	set->n_remote = 1;
	set->proto = IPPROTO_ESP;
	ck_assert_uint_eq(install_set(set, pol), 3);
	return ip_policies(ip, IP_POLICIES_MAX);
}

START_TEST(ports_and_protocol_in_selector)
{
	struct knl_ts l, r;
	struct policy_set set = { .reqid = 9, .mode = XFRM_MODE_TUNNEL };
	struct ip_policy ip[IP_POLICIES_MAX];
	const struct ip_policy *p;
	size_t n;

	addr_of(&set.local, "192.0.2.1");
	addr_of(&set.remote, "198.51.100.7");
	ts_prefix(&l, "192.0.2.0", 24);
	ts_prefix(&r, "198.51.100.0", 24);
	r.proto = l.proto = IPPROTO_TCP;
	r.from_port = r.to_port = 443;
	/* 1024-2047 is one port mask (6 bits) */
	l.from_port = 1024;
	l.to_port = 2047;
	n = install_pair(&set, &l, &r, ip);
	p = find_ip_policy(ip, n, "192.0.2.0/24", "198.51.100.0/24", "out");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->proto, "tcp");
	ck_assert_int_eq(p->dport, 443);
	ck_assert_int_eq(p->sport, 1024);
	/* 400000 - 48 * 512 - 256 - (6 + 16) * 4 - 1 */
	ck_assert_uint_eq(p->priority, 400000 - 48 * 512 - 256 - 22 * 4 - 1);
	p = find_ip_policy(ip, n, "198.51.100.0/24", "192.0.2.0/24", "in");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->sport, 443);
	ck_assert_int_eq(p->dport, 1024);
	nl_close(nl);
}
END_TEST

START_TEST(transport_mode_template)
{
	struct knl_ts l, r;
	struct policy_set set = { .reqid = 4, .mode = XFRM_MODE_TRANSPORT };
	struct ip_policy ip[IP_POLICIES_MAX];
	const struct ip_policy *p;
	size_t n;

	ts_prefix(&l, "192.0.2.1", 32);
	ts_prefix(&r, "192.0.2.2", 32);
	n = install_pair(&set, &l, &r, ip);
	p = find_ip_policy(ip, n, "192.0.2.1/32", "192.0.2.2/32", "out");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->mode, "transport");
	ck_assert_str_eq(p->tmpl_src, "0.0.0.0");
	ck_assert_str_eq(p->tmpl_dst, "0.0.0.0");
	ck_assert_uint_eq(p->reqid, 4);
	nl_close(nl);
}
END_TEST

START_TEST(bypass_policies)
{
	struct knl_policy pass[4];
	struct ip_policy ip[IP_POLICIES_MAX];
	const struct ip_policy *p;
	struct policy_table t = { 0 };
	size_t n;

	nl = nl_open_in_netns(&err);
	policy_bypass(4500, pass);
	for (int i = 0; i < 4; i++)
		ck_assert_msg(policy_install(nl, &pass[i], &err) == 0, "%s",
			      err.text);
	n = ip_policies(ip, IP_POLICIES_MAX);
	ck_assert_uint_eq(n, 4);
	p = find_ip_policy(ip, n, "0.0.0.0/0", "0.0.0.0/0", "out");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->proto, "udp");
	ck_assert_int_eq(p->sport, 4500);
	ck_assert_int_eq(p->dport, -1);
	ck_assert_int_eq(p->has_tmpl, 0);
	/* pass base 200000 - 256 (protocol) - 16 * 4 (port) - 1 */
	ck_assert_uint_eq(p->priority, 199679);
	p = find_ip_policy(ip, n, "::/0", "::/0", "in");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->dport, 4500);
	/* a pass policy of another shape is not ours */
	ck_assert_int_eq(system("ip xfrm policy add src 0.0.0.0/0 dst "
				"0.0.0.0/0 proto udp sport 4500 dir fwd "
				"priority 5"), 0);
	ck_assert_int_eq(adopt_policies(nl, &owner, &t, &err), 0);
	ck_assert_uint_eq(t.n, 4);
	policy_table_free(&t);
	nl_close(nl);
}
END_TEST

START_TEST(adoption_by_reqid_range)
{
	struct knl_policy pol[12];
	struct policy_table t = { 0 };
	const struct owner narrow = { .reqid_min = 2, .reqid_max = 100 };

	install_seed(pol);
	ck_assert_int_eq(adopt_policies(nl, &owner, &t, &err), 0);
	ck_assert_uint_eq(t.n, 6);
	for (size_t i = 0; i < t.n; i++) {
		ck_assert_uint_eq(t.v[i].reqid, 1);
		ck_assert_int_eq(t.v[i].has_tmpl, 1);
	}
	ck_assert_int_eq(adopt_policies(nl, &narrow, &t, &err), 0);
	ck_assert_uint_eq(t.n, 0);
	policy_table_free(&t);
	nl_close(nl);
}
END_TEST

START_TEST(delete_and_delete_again)
{
	struct knl_policy pol[12];
	struct ip_policy ip[IP_POLICIES_MAX];
	size_t n;

	n = install_seed(pol);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(policy_delete(nl, &pol[i], &err) == 0, "%s",
			      err.text);
	ck_assert_uint_eq(ip_policies(ip, IP_POLICIES_MAX), 0);
	ck_assert_int_eq(policy_delete(nl, &pol[0], &err), -1);
	ck_assert_int_eq(err.err, ENOENT);
	ck_assert_msg(strstr(err.text, "no such policy") &&
		      strstr(err.text, "ENOENT"), "%s", err.text);
	nl_close(nl);
}
END_TEST

START_TEST(reconcile_keeps_foreign_removes_stale)
{
	struct policy_set set, stale;
	struct knl_policy want[12], old[12];
	struct ip_policy ip[IP_POLICIES_MAX];
	struct state_result *res = calloc(1, sizeof(*res));
	struct knl_ts stale_ts;
	struct state_desired d;
	size_t n, n_want;

	nl = nl_open_in_netns(&err);
	/* someone else's policy (reqid 0 is outside our range) */
	ck_assert_int_eq(system("ip xfrm policy add src 198.51.100.0/24 dst "
				"192.0.2.0/24 dir in tmpl src 198.51.100.1 "
				"dst 192.0.2.1 proto esp reqid 0 mode tunnel"),
			 0);
	/* ours, but no SA wants it any more */
	stale = seed_set(3);
	ts_prefix(&stale_ts, "203.0.113.99", 32);
	stale.remote_ts = &stale_ts;
	stale.n_remote = 1;
	stale.n_local = 1;
	install_set(&stale, old);

	set = seed_set(1);
	n_want = policy_expand(&set, want);
	d = (struct state_desired){ .policies = want, .n_policies = n_want };
	ck_assert_int_eq(state_reconcile(nl, &owner, &d, res, &err), 0);
	ck_assert_uint_eq(res->policies_added, 6);
	ck_assert_uint_eq(res->policies_removed, 3);
	ck_assert_uint_eq(res->n_errors, 0);
	n = ip_policies(ip, IP_POLICIES_MAX);
	ck_assert_uint_eq(n, 7);
	ck_assert_ptr_nonnull(find_ip_policy(ip, n, "198.51.100.0/24",
					     "192.0.2.0/24", "in"));
	ck_assert_ptr_null(find_ip_policy(ip, n, "0.0.0.0/0",
					  "203.0.113.99/32", "out"));
	/* a second pass changes nothing */
	ck_assert_int_eq(state_reconcile(nl, &owner, &d, res, &err), 0);
	ck_assert_uint_eq(res->policies_added, 0);
	ck_assert_uint_eq(res->policies_kept, 6);
	ck_assert_uint_eq(res->policies_removed, 0);
	free(res);
	nl_close(nl);
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("kernel policies (netns, ip xfrm)");
	TCase *tc = tcase_create("policy");

	tcase_add_test(tc, seed_policies_as_ip_sees_them);
	tcase_add_test(tc, ports_and_protocol_in_selector);
	tcase_add_test(tc, transport_mode_template);
	tcase_add_test(tc, bypass_policies);
	tcase_add_test(tc, adoption_by_reqid_range);
	tcase_add_test(tc, delete_and_delete_again);
	tcase_add_test(tc, reconcile_keeps_foreign_removes_stale);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(policy_suite)
