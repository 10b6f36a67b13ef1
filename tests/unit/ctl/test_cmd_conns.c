#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ctl/cmd_conns.h"
#include "testmain.h"

/* swanctl --list-conns of the seed's eap-tls connection. */
static const char seed_output[] =
	"eap-tls: IKEv2, reauthentication every 10800s, no rekeying\n"
	"  local:  %any\n"
	"  remote: %any\n"
	"  local public key authentication:\n"
	"    id: vpn.strongswan.org\n"
	"    certs: C=CH, O=strongSec GmbH, CN=vpn.strongswan.org\n"
	"  remote EAP_TLS authentication:\n"
	"    eap_id: %any\n"
	"    cacerts: C=CH, O=strongSec GmbH, CN=strongSec 2016 Root CA\n"
	"  eap-tls: TUNNEL, rekeying every 3600s\n"
	"    local:  0.0.0.0/0 ::/0\n"
	"    remote: dynamic\n";

static char *print(const Cygnet__ConnList *list)
{
	struct capture c;

	ctl_print_conns(capture_begin(&c), list);
	return capture_end(&c);
}

START_TEST(seed_format)
{
	char *certs[] = { "C=CH, O=strongSec GmbH, CN=vpn.strongswan.org" };
	char *cacerts[] = { "C=CH, O=strongSec GmbH, CN=strongSec 2016 Root CA" };
	char *local_ts[] = { "0.0.0.0/0", "::/0" };
	char *remote_ts[] = { "dynamic" };
	Cygnet__AuthRound local = CYGNET__AUTH_ROUND__INIT;
	Cygnet__AuthRound remote = CYGNET__AUTH_ROUND__INIT;
	Cygnet__AuthRound *locals[] = { &local }, *remotes[] = { &remote };
	Cygnet__ChildConn child = CYGNET__CHILD_CONN__INIT;
	Cygnet__ChildConn *children[] = { &child };
	Cygnet__Conn conn = CYGNET__CONN__INIT;
	Cygnet__Conn *conns[] = { &conn };
	Cygnet__ConnList list = CYGNET__CONN_LIST__INIT;
	char *text;

	local.auth_class = "public key";
	local.id = "vpn.strongswan.org";
	local.certs = certs;
	local.n_certs = 1;
	remote.auth_class = "EAP";
	remote.eap_type = "EAP_TLS";
	remote.eap_id = "%any";
	remote.cacerts = cacerts;
	remote.n_cacerts = 1;
	child.name = "eap-tls";
	child.mode = "TUNNEL";
	child.rekey_time = 3600;
	child.dpd_action = "clear";
	child.local_ts = local_ts;
	child.n_local_ts = 2;
	child.remote_ts = remote_ts;
	child.n_remote_ts = 1;
	conn.name = "eap-tls";
	conn.version = 2;
	conn.reauth_time = 10800;
	conn.local_auth = locals;
	conn.n_local_auth = 1;
	conn.remote_auth = remotes;
	conn.n_remote_auth = 1;
	conn.children = children;
	conn.n_children = 1;
	list.conns = conns;
	list.n_conns = 1;

	text = print(&list);
	ck_assert_str_eq(text, seed_output);
	free(text);

	/* Rekeying, DPD and explicit addresses as swanctl prints them. */
	char *addrs[] = { "192.0.2.1", "2001:db8::1" };
	conn.version = 0;
	conn.reauth_time = 0;
	conn.rekey_time = 14400;
	conn.dpd_delay = 30;
	conn.local_addrs = addrs;
	conn.n_local_addrs = 2;
	text = print(&list);
	ck_assert_ptr_nonnull(strstr(text, "eap-tls: IKEv1/2, no reauthentication, "
				     "rekeying every 14400s, dpd delay 30s\n"
				     "  local:  192.0.2.1\n  local:  2001:db8::1\n"
				     "  remote: %any\n"));
	ck_assert_ptr_nonnull(strstr(text, "  eap-tls: TUNNEL, rekeying every 3600s, "
				     "dpd action is clear\n"));
	free(text);
}
END_TEST

static Suite *cmd_conns_suite(void)
{
	Suite *s = suite_create("ctl_list_conns");
	TCase *tc = tcase_create("print");

	tcase_add_test(tc, seed_format);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(cmd_conns_suite)
