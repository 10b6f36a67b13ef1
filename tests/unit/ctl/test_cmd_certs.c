#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ctl/cmd_certs.h"
#include "testmain.h"

/* The seed's 'X.509 Certificates' section, swanctl --list-certs on the
 * gateway on Mar 10 2022 (its times read as UTC here). */
static const char seed_certs[] =
	"\n"
	"List of X.509 End Entity Certificates\n"
	"\n"
	"  subject:  \"C=CH, O=strongSec GmbH, CN=Andreas Steffen\"\n"
	"  issuer:   \"C=CH, O=strongSec GmbH, CN=strongSec 2016 Root CA\"\n"
	"  validity:  not before Mar 19 16:55:13 2020, ok\n"
	"             not after  Mar 19 16:55:13 2024, ok (expires in 740 days)\n"
	"  serial:    5c:80:aa:97:72:36:c8:23\n"
	"  altNames:  andreas.steffen@strongsec.net, andreas.steffen@strongsec.com\n"
	"  flags:     \n"
	"  CRL URIs:  http://www.strongsec.com/ca/strongsec.crl\n"
	"  authkeyId: 6d:c2:af:37:49:41:b9:fd:f4:45:8b:aa:e0:03:3b:b9:e5:7b:9c:b5\n"
	"  subjkeyId: b4:4c:ce:9f:22:ff:03:5a:c4:3a:7b:fd:a4:42:25:9a:d6:71:1d:d1\n"
	"  pubkey:    RSA 3072 bits\n"
	"  keyid:     79:8a:9f:79:91:e8:6d:da:12:f4:c2:86:ff:f0:ef:01:9a:91:32:02\n"
	"  subjkey:   b4:4c:ce:9f:22:ff:03:5a:c4:3a:7b:fd:a4:42:25:9a:d6:71:1d:d1\n"
	"\n"
	"  subject:  \"C=CH, O=strongSec GmbH, CN=vpn.strongswan.org\"\n"
	"  issuer:   \"C=CH, O=strongSec GmbH, CN=strongSec 2016 Root CA\"\n"
	"  validity:  not before Jul 12 13:01:02 2021, ok\n"
	"             not after  Jul 12 13:01:02 2026, ok (expires in 1585 days)\n"
	"  serial:    32:b3:25:3c:b4:f4:78:be\n"
	"  altNames:  vpn.strongswan.org\n"
	"  flags:     serverAuth \n"
	"  CRL URIs:  http://www.strongsec.com/ca/strongsec.crl\n"
	"  authkeyId: 6d:c2:af:37:49:41:b9:fd:f4:45:8b:aa:e0:03:3b:b9:e5:7b:9c:b5\n"
	"  subjkeyId: cc:83:49:87:2b:9e:f3:cb:b8:35:12:02:87:ff:14:89:28:44:a6:04\n"
	"  pubkey:    ECDSA 256 bits, has private key\n"
	"  keyid:     ba:64:37:a4:0e:c8:42:67:8c:55:5a:f9:1b:2a:eb:ff:5f:40:c3:e3\n"
	"  subjkey:   cc:83:49:87:2b:9e:f3:cb:b8:35:12:02:87:ff:14:89:28:44:a6:04\n"
	"\n"
	"List of X.509 CA Certificates\n"
	"\n"
	"  subject:  \"C=CH, O=strongSec GmbH, CN=strongSec 2016 Root CA\"\n"
	"  issuer:   \"C=CH, O=strongSec GmbH, CN=strongSec 2016 Root CA\"\n"
	"  validity:  not before Sep 02 10:25:01 2016, ok\n"
	"             not after  Sep 02 10:25:01 2026, ok (expires in 1637 days)\n"
	"  serial:    7c:24:43:4b:b7:dc:ef:7e\n"
	"  flags:     CA CRLSign self-signed \n"
	"  pathlen:   1\n"
	"  subjkeyId: 6d:c2:af:37:49:41:b9:fd:f4:45:8b:aa:e0:03:3b:b9:e5:7b:9c:b5\n"
	"  pubkey:    RSA 4096 bits\n"
	"  keyid:     6c:79:f3:7a:b0:df:ac:69:03:b2:ac:6a:ed:82:3a:d2:66:93:b1:21\n"
	"  subjkey:   6d:c2:af:37:49:41:b9:fd:f4:45:8b:aa:e0:03:3b:b9:e5:7b:9c:b5\n";

static const char seed_crls[] =
	"\n"
	"List of X.509 CRLs\n"
	"\n"
	"  issuer:   \"C=CH, O=strongSec GmbH, CN=strongSec 2016 Root CA\"\n"
	"  update:    this on Mar 06 04:00:01 2022, ok\n"
	"             next on Mar 13 10:00:01 2022, ok (expires in 3 days)\n"
	"  serial:    01:15\n"
	"  authKeyId: 6d:c2:af:37:49:41:b9:fd:f4:45:8b:aa:e0:03:3b:b9:e5:7b:9c:b5\n"
	"  1 revoked certificate:\n"
	"    0f:96:79:30:de:9e:c5:90: Jul 07 21:24:36 2021, key compromise\n";

/* Mar 10 2022 00:00:00 UTC: every "expires in" of the seed holds. */
#define SEED_NOW 1646870400

static const char root_dn[] = "C=CH, O=strongSec GmbH, CN=strongSec 2016 Root CA";
static char *crl_uris[] = { "http://www.strongsec.com/ca/strongsec.crl" };
static const char root_skid[] = "6dc2af374941b9fdf4458baae0033bb9e57b9cb5";

/* Bytes from HEX into a buffer freed by free_hex(). */
static ProtobufCBinaryData hex(const char *text)
{
	ProtobufCBinaryData b = { strlen(text) / 2, malloc(strlen(text) / 2 + 1) };

	ck_assert_ptr_nonnull(b.data);
	for (size_t i = 0; i < b.len; i++)
		ck_assert_int_eq(sscanf(text + 2 * i, "%2hhx", &b.data[i]), 1);
	return b;
}

static void free_hex(Cygnet__CertInfo *c)
{
	free(c->serial.data);
	free(c->authkey_id.data);
	free(c->subjkey_id.data);
	free(c->keyid.data);
	free(c->subjkey.data);
}

/* Fields every seed certificate has; subjkeyId is also its subjkey. */
static void cert_init(Cygnet__CertInfo *c, Cygnet__CertInfo__Kind kind, char *subject,
		      long not_before, long not_after, const char *serial,
		      const char *skid, const char *keyid)
{
	cygnet__cert_info__init(c);
	c->kind = kind;
	c->subject = subject;
	c->issuer = (char *)root_dn;
	c->not_before = not_before;
	c->not_after = not_after;
	c->serial = hex(serial);
	c->pathlen = -1;
	c->subjkey_id = hex(skid);
	c->keyid = hex(keyid);
	c->subjkey = hex(skid);
}

/* An end entity of the seed's root: its CRL URI and authkeyId. */
static void end_entity_init(Cygnet__CertInfo *c, char *subject, long not_before,
			    long not_after, const char *serial, const char *skid,
			    const char *keyid)
{
	cert_init(c, CYGNET__CERT_INFO__KIND__END_ENTITY, subject, not_before,
		  not_after, serial, skid, keyid);
	c->crl_uris = crl_uris;
	c->n_crl_uris = 1;
	c->authkey_id = hex(root_skid);
}

static char *print_certs(const Cygnet__CertList *list)
{
	struct capture c;

	ctl_print_certs(capture_begin(&c), list, true);
	return capture_end(&c);
}

START_TEST(seed_certs_format)
{
	char *user_alt[] = { "andreas.steffen@strongsec.net", "andreas.steffen@strongsec.com" };
	char *vpn_alt[] = { "vpn.strongswan.org" };
	char *vpn_flags[] = { "serverAuth" };
	char *ca_flags[] = { "CA", "CRLSign", "self-signed" };
	Cygnet__CertInfo user, vpn, root;
	/* the CA first: the printer groups by kind, whatever the order */
	Cygnet__CertInfo *certs[] = { &root, &user, &vpn };
	Cygnet__CertList list = CYGNET__CERT_LIST__INIT;
	char *text;

	end_entity_init(&user, "C=CH, O=strongSec GmbH, CN=Andreas Steffen",
			1584636913, 1710867313, "5c80aa977236c823",
			"b44cce9f22ff035ac43a7bfda442259ad6711dd1",
			"798a9f7991e86dda12f4c286fff0ef019a913202");
	user.alt_names = user_alt;
	user.n_alt_names = 2;
	user.pubkey_type = "RSA";
	user.pubkey_bits = 3072;

	end_entity_init(&vpn, "C=CH, O=strongSec GmbH, CN=vpn.strongswan.org",
			1626094862, 1783861262, "32b3253cb4f478be",
			"cc8349872b9ef3cbb835120287ff14892844a604",
			"ba6437a40ec842678c555af91b2aebff5f40c3e3");
	vpn.alt_names = vpn_alt;
	vpn.n_alt_names = 1;
	vpn.flags = vpn_flags;
	vpn.n_flags = 1;
	vpn.pubkey_type = "ECDSA";
	vpn.pubkey_bits = 256;
	vpn.has_private_key = true;

	cert_init(&root, CYGNET__CERT_INFO__KIND__CA, (char *)root_dn, 1472811901,
		  1788344701, "7c24434bb7dcef7e", root_skid,
		  "6c79f37ab0dfac6903b2ac6aed823ad26693b121");
	root.flags = ca_flags;
	root.n_flags = 3;
	root.pathlen = 1;
	root.pubkey_type = "RSA";
	root.pubkey_bits = 4096;

	list.certs = certs;
	list.n_certs = 3;
	list.now = SEED_NOW;
	text = print_certs(&list);
	ck_assert_str_eq(text, seed_certs);
	free(text);

	/* before notBefore and after notAfter, as swanctl words it */
	list.now = 1584636913 - 100;
	list.n_certs = 2;
	text = print_certs(&list);
	ck_assert_ptr_nonnull(strstr(text, "  validity:  not before Mar 19 16:55:13 2020, "
				     "not valid yet (valid in 100 seconds)\n"));
	free(text);
	list.now = 1710867313 + 5 * 60 * 60;
	text = print_certs(&list);
	ck_assert_ptr_nonnull(strstr(text, "             not after  Mar 19 16:55:13 2024, "
				     "expired (5 hours ago)\n"));
	free(text);

	free_hex(&user);
	free_hex(&vpn);
	free_hex(&root);
}
END_TEST

START_TEST(seed_crls_format)
{
	ProtobufCBinaryData serial = hex("0115"), akid = hex(root_skid);
	Cygnet__RevokedCert revoked = CYGNET__REVOKED_CERT__INIT;
	Cygnet__RevokedCert *revoked_list[] = { &revoked };
	Cygnet__CrlInfo crl = CYGNET__CRL_INFO__INIT;
	Cygnet__CrlInfo *crls[] = { &crl };
	Cygnet__CrlList list = CYGNET__CRL_LIST__INIT;
	struct capture c;
	char *text;

	revoked.serial = hex("0f967930de9ec590");
	revoked.date = 1625693076;
	revoked.reason = "key compromise";
	crl.issuer = (char *)root_dn;
	crl.this_update = 1646539201;
	crl.next_update = 1647165601;
	crl.serial = serial;
	crl.authkey_id = akid;
	crl.revoked = revoked_list;
	crl.n_revoked = 1;
	list.crls = crls;
	list.n_crls = 1;
	list.now = SEED_NOW;
	ctl_print_crls(capture_begin(&c), &list, true);
	text = capture_end(&c);
	ck_assert_str_eq(text, seed_crls);
	free(text);
	free(revoked.serial.data);
	free(serial.data);
	free(akid.data);
}
END_TEST

START_TEST(empty_lists)
{
	Cygnet__CertList certs = CYGNET__CERT_LIST__INIT;
	Cygnet__CrlList crls = CYGNET__CRL_LIST__INIT;
	struct capture c;
	FILE *out = capture_begin(&c);
	char *text;

	ctl_print_certs(out, &certs, true);
	ctl_print_crls(out, &crls, true);
	text = capture_end(&c);
	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST

static Suite *cmd_certs_suite(void)
{
	Suite *s = suite_create("ctl_list_certs");
	TCase *tc = tcase_create("print");

	tcase_add_test(tc, seed_certs_format);
	tcase_add_test(tc, seed_crls_format);
	tcase_add_test(tc, empty_lists);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(cmd_certs_suite)
