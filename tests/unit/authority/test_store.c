/* Credential loading, the list-certs view and the atomic store swap. */
#include <openssl/sha.h>
#include <sys/stat.h>

#include "pki.h"
#include "testmain.h"

#include "authority/certinfo.h"
#include "authority/x509name.h"

#define SECRETS "secrets { private-p384 { file = p384Key.der\n secret = test-secret } }"

static void setup(void)
{
	pki_generate(__FILE__);
}

static void teardown(void)
{
	pki_remove();
}

static const struct cred_cert *find(const struct cred_store *store, const char *cn)
{
	char dn[DN_MAX];

	snprintf(dn, sizeof(dn), "C=CH, O=Cygnet Test, CN=%s", cn);
	return store_find_cert_by_name(store, dn);
}

START_TEST(t_load_all)
{
	struct cred_store *store;

	pki_log_start();
	store = pki_store(SECRETS);
	ck_assert_uint_eq(store->n_certs, 7);
	ck_assert_uint_eq(store->n_keys, 5);
	ck_assert(pki_logged("loaded certificate 'C=CH, O=Cygnet Test, CN=Cygnet Root CA'"));
	ck_assert(pki_logged("loaded ECDSA private key"));
	ck_assert(pki_logged("loaded RSA private key"));
	ck_assert(pki_logged("loaded ED25519 private key"));
	ck_assert(find(store, "Cygnet Root CA")->ca);
	ck_assert(find(store, "Cygnet Intermediate CA")->ca);	/* DER */
	ck_assert(!find(store, "vpn.example.org")->ca);
	for (size_t i = 0; i < store->n_certs; i++)
		ck_assert_msg(store->certs[i].ca == (store->certs[i].key == NULL),
			      "%s", store->certs[i].subject);
	ck_assert_ptr_eq(store_find_cert_by_name(store, "vpnCert.pem"),
			 find(store, "vpn.example.org"));
	store_unref(store);
}
END_TEST

START_TEST(t_encrypted_key_needs_secret)
{
	struct cred_store *store;

	pki_log_start();
	store = pki_store(NULL);
	ck_assert_uint_eq(store->n_keys, 4);
	ck_assert_ptr_null(find(store, "p384.example.org")->key);
	ck_assert(pki_logged("loading private key from"));
	store_unref(store);
	store = pki_store("secrets { private-x { file = p384Key.der\n secret = wrong } }");
	ck_assert_ptr_null(find(store, "p384.example.org")->key);
	store_unref(store);
}
END_TEST

START_TEST(t_key_permissions)
{
	char path[400];
	struct cred_store *store;

	pki_path(path, sizeof(path), "swanctl/private/vpnKey.pem");
	ck_assert_int_eq(chmod(path, 0644), 0);
	pki_log_start();
	store = pki_store(NULL);
	ck_assert(pki_logged("vpnKey.pem' is accessible by group or others (mode 644)"));
	ck_assert(!pki_logged("rsaKey.pem' is accessible"));
	ck_assert_int_eq(chmod(path, 0600), 0);
	store_unref(store);
}
END_TEST

START_TEST(t_bad_files_skipped)
{
	char path[400];
	FILE *f;
	struct cred_store *store;

	pki_path(path, sizeof(path), "swanctl/x509/garbage.pem");
	f = fopen(path, "w");
	fputs("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", f);
	fclose(f);
	pki_log_start();
	store = pki_store(NULL);
	ck_assert(pki_logged("parsing certificate from"));
	ck_assert_uint_eq(store->n_certs, 7);
	unlink(path);
	store_unref(store);
}
END_TEST

START_TEST(t_authorities)
{
	struct cred_store *store = pki_store(
		"authorities { inter { cacert = interCert.der\n"
		"crl_uris = http://192.0.2.1/a.crl, http://192.0.2.1/b.crl } "
		"missing { cacert = nothere.pem } }");
	const struct cred_authority *auth;

	ck_assert_uint_eq(store->n_auths, 1);
	auth = store_find_authority(store, find(store, "Cygnet Intermediate CA")->x509);
	ck_assert_ptr_nonnull(auth);
	ck_assert_uint_eq(auth->n_crl_uris, 2);
	ck_assert_str_eq(auth->crl_uris[1], "http://192.0.2.1/b.crl");
	ck_assert_ptr_null(store_find_authority(store, find(store, "Cygnet Root CA")->x509));
	store_unref(store);
}
END_TEST

START_TEST(t_pkcs12)
{
	char cmd[2048];
	struct cred_store *store;

	snprintf(cmd, sizeof(cmd), "mkdir -p %1$s/swanctl/pkcs12 && openssl pkcs12 -export "
		 "-in %1$s/peer/peer.crt -inkey %1$s/peer/peer.key -certfile %1$s/root/ca.crt "
		 "-passout pass:p12-secret -out %1$s/swanctl/pkcs12/peer.p12", pki.dir);
	ck_assert_int_eq(system(cmd), 0);
	store = pki_store("secrets { pkcs12-peer { file = peer.p12\n secret = p12-secret } }");
	ck_assert_ptr_nonnull(find(store, "peer"));
	ck_assert_ptr_nonnull(find(store, "peer")->key);
	ck_assert_uint_eq(store->n_keys, 5);
	store_unref(store);
	/* a wrong passphrase loads nothing from it */
	store = pki_store("secrets { pkcs12-peer { file = peer.p12\n secret = wrong } }");
	ck_assert_ptr_null(find(store, "peer"));
	store_unref(store);
	snprintf(cmd, sizeof(cmd), "rm -rf %s/swanctl/pkcs12", pki.dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static bool has_flag(const Cygnet__CertInfo *info, const char *flag)
{
	for (size_t i = 0; i < info->n_flags; i++) {
		if (strcmp(info->flags[i], flag) == 0)
			return true;
	}
	return false;
}

START_TEST(t_certinfo)
{
	struct cred_store *store = pki_store(SECRETS);
	Cygnet__CertInfo *root = certinfo_new(find(store, "Cygnet Root CA"));
	Cygnet__CertInfo *vpn = certinfo_new(find(store, "vpn.example.org"));
	Cygnet__CertInfo *rsa = certinfo_new(find(store, "rsa.example.org"));

	ck_assert_int_eq(root->kind, CYGNET__CERT_INFO__KIND__CA);
	ck_assert(has_flag(root, "CA") && has_flag(root, "CRLSign") &&
		  has_flag(root, "self-signed"));
	ck_assert_int_eq(root->pathlen, 1);
	ck_assert(!root->has_private_key);
	/* subjectKeyIdentifier = hash is SHA-1 of the key bits: subjkey */
	ck_assert_uint_eq(root->subjkey.len, 20);
	ck_assert_mem_eq(root->subjkey.data, root->subjkey_id.data, 20);
	ck_assert_mem_eq(vpn->authkey_id.data, root->subjkey_id.data, 20);
	ck_assert_int_eq(vpn->kind, CYGNET__CERT_INFO__KIND__END_ENTITY);
	ck_assert_str_eq(vpn->subject, "C=CH, O=Cygnet Test, CN=vpn.example.org");
	ck_assert_str_eq(vpn->issuer, "C=CH, O=Cygnet Test, CN=Cygnet Root CA");
	ck_assert(has_flag(vpn, "serverAuth") && !has_flag(vpn, "CA"));
	ck_assert_uint_eq(vpn->n_alt_names, 1);
	ck_assert_str_eq(vpn->alt_names[0], "vpn.example.org");
	ck_assert_uint_eq(vpn->n_crl_uris, 1);
	ck_assert_int_eq(vpn->pathlen, -1);
	ck_assert_str_eq(vpn->pubkey_type, "ECDSA");
	ck_assert_uint_eq(vpn->pubkey_bits, 256);
	ck_assert(vpn->has_private_key);
	ck_assert_uint_eq(vpn->serial.len, 2);
	ck_assert_int_lt(vpn->not_before, vpn->not_after);
	ck_assert_str_eq(rsa->pubkey_type, "RSA");
	ck_assert_uint_eq(rsa->pubkey_bits, 2048);
	certinfo_free(root);
	certinfo_free(vpn);
	certinfo_free(rsa);
	store_unref(store);
}
END_TEST

START_TEST(t_keyid_lookup)
{
	struct cred_store *store = pki_store(NULL);
	const struct cred_cert *root = find(store, "Cygnet Root CA");
	const struct cred_cert *vpn = find(store, "vpn.example.org");
	unsigned char *der = NULL;
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(root->x509), &der);
	unsigned char keyid[20];

	/* CERTREQ keyid: SHA-1 of the DER SubjectPublicKeyInfo */
	SHA1(der, (size_t)len, keyid);
	OPENSSL_free(der);
	ck_assert_mem_eq(root->keyid, keyid, 20);
	ck_assert_ptr_eq(store_find_ca_by_keyid(store, keyid), root);
	ck_assert_ptr_null(store_find_ca_by_keyid(store, vpn->keyid));
	store_unref(store);
}
END_TEST

START_TEST(t_slot_swap)
{
	struct store_slot slot;
	struct cred_store *held;

	store_slot_init(&slot);
	ck_assert_ptr_null(store_slot_get(&slot));
	store_slot_set(&slot, pki_store(NULL));
	held = store_slot_get(&slot);
	store_slot_set(&slot, pki_store(SECRETS));
	/* the old store stays usable by whoever still holds it */
	ck_assert_uint_eq(held->n_keys, 4);
	ck_assert_ptr_nonnull(find(held, "vpn.example.org"));
	store_unref(held);
	held = store_slot_get(&slot);
	ck_assert_uint_eq(held->n_keys, 5);
	store_unref(held);
	store_slot_destroy(&slot);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("authority_store");
	TCase *tc = tcase_create("store");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_load_all);
	tcase_add_test(tc, t_encrypted_key_needs_secret);
	tcase_add_test(tc, t_key_permissions);
	tcase_add_test(tc, t_bad_files_skipped);
	tcase_add_test(tc, t_authorities);
	tcase_add_test(tc, t_pkcs12);
	tcase_add_test(tc, t_certinfo);
	tcase_add_test(tc, t_keyid_lookup);
	tcase_add_test(tc, t_slot_swap);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(store_suite)
