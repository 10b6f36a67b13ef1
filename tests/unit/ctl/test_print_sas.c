#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ctl/print_sas.h"
#include "testmain.h"

/* swanctl --list-sas of the seed's EAP-TLS tunnel (its addresses replaced
 * by documentation ones). */
static const char seed_output[] =
	"eap-tls: #2, ESTABLISHED, IKEv2, 8ab17b513b1c1514_i 80fd1986e5c0e179_r*\n"
	"  local  'vpn.strongswan.org' @ 192.0.2.1[4500]\n"
	"  remote '198.51.100.52' @ 203.0.113.80[63720] EAP: 'Andreas Steffen' "
	"[198.51.100.66 2001:db8:64::2]\n"
	"  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048\n"
	"  established 57s ago, reauth in 10319s\n"
	"  eap-tls: #2, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-256/HMAC_SHA1_96\n"
	"    installed 57s ago, rekeying in 3216s, expires in 3903s\n"
	"    in  caf527c5,  28317 bytes,   188 packets,     3s ago\n"
	"    out 9bcd9c12,  40788 bytes,   110 packets,     0s ago\n"
	"    local  0.0.0.0/0 ::/0\n"
	"    remote 198.51.100.66/32 2001:db8:64::2/128\n";

static char *print(const Cygnet__IkeSaList *list)
{
	struct capture c;

	ctl_print_sas(capture_begin(&c), list);
	return capture_end(&c);
}

static void seed_child(Cygnet__ChildSaInfo *c)
{
	static char *local_ts[] = { "0.0.0.0/0", "::/0" };
	static char *remote_ts[] = { "198.51.100.66/32", "2001:db8:64::2/128" };

	c->name = "eap-tls";
	c->unique_id = 2;
	c->reqid = 1;
	c->state = "INSTALLED";
	c->mode = "TUNNEL";
	c->encap = true;
	c->algorithms = "AES_CBC-256/HMAC_SHA1_96";
	c->spi_in = 0xcaf527c5;
	c->spi_out = 0x9bcd9c12;
	c->bytes_in = 28317;
	c->packets_in = 188;
	c->use_in = 3;
	c->bytes_out = 40788;
	c->packets_out = 110;
	c->use_out = 0;
	c->installed = 57;
	c->rekey_in = 3216;
	c->expires_in = 3903;
	c->local_ts = local_ts;
	c->n_local_ts = 2;
	c->remote_ts = remote_ts;
	c->n_remote_ts = 2;
}

static void seed_sa(Cygnet__IkeSaInfo *sa)
{
	static char *vips[] = { "198.51.100.66", "2001:db8:64::2" };

	sa->name = "eap-tls";
	sa->unique_id = 2;
	sa->state = "ESTABLISHED";
	sa->spi_i = 0x8ab17b513b1c1514ULL;
	sa->spi_r = 0x80fd1986e5c0e179ULL;
	sa->local_id = "vpn.strongswan.org";
	sa->local_host = "192.0.2.1";
	sa->local_port = 4500;
	sa->remote_id = "198.51.100.52";
	sa->remote_host = "203.0.113.80";
	sa->remote_port = 63720;
	sa->remote_eap_id = "Andreas Steffen";
	sa->remote_vips = vips;
	sa->n_remote_vips = 2;
	sa->algorithms = "AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048";
	sa->established = 57;
	sa->reauth_in = 10319;
}

START_TEST(seed_format)
{
	Cygnet__ChildSaInfo child = CYGNET__CHILD_SA_INFO__INIT;
	Cygnet__ChildSaInfo *children[] = { &child };
	Cygnet__IkeSaInfo sa = CYGNET__IKE_SA_INFO__INIT;
	Cygnet__IkeSaInfo *sas[] = { &sa };
	Cygnet__IkeSaList list = CYGNET__IKE_SA_LIST__INIT;
	char *text;

	seed_child(&child);
	seed_sa(&sa);
	sa.children = children;
	sa.n_children = 1;
	list.sas = sas;
	list.n_sas = 1;
	text = print(&list);
	ck_assert_str_eq(text, seed_output);
	free(text);
}
END_TEST

/* Without EAP and reauthentication the remote line and the established
 * line end early, as swanctl prints them. */
START_TEST(no_eap_no_reauth)
{
	Cygnet__IkeSaInfo sa = CYGNET__IKE_SA_INFO__INIT;
	Cygnet__IkeSaInfo *sas[] = { &sa };
	Cygnet__IkeSaList list = CYGNET__IKE_SA_LIST__INIT;
	char *text;

	seed_sa(&sa);
	sa.remote_eap_id = "";
	sa.reauth_in = 0;
	sa.n_remote_vips = 0;
	list.sas = sas;
	list.n_sas = 1;
	text = print(&list);
	ck_assert_ptr_nonnull(strstr(text,
		"  remote '198.51.100.52' @ 203.0.113.80[63720]\n"));
	ck_assert_ptr_nonnull(strstr(text, "  established 57s ago\n"));
	free(text);
}
END_TEST

static Suite *cmd_sas_suite(void)
{
	Suite *s = suite_create("ctl_list_sas");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, seed_format);
	tcase_add_test(tc, no_eap_no_reauth);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(cmd_sas_suite)
