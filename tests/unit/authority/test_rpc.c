/* The authority's RPC methods end to end over nng: what the IKE service
 * and cygnetctl call. */
#include "pki.h"
#include "eap_peer.h"
#include "testmain.h"

#include "authority/authority.h"
#include "authority/sign.h"

static struct authority authority;
static struct rpc_server *server;
static struct rpc_client *client;
static char url[320];

static struct conf *make_conf(size_t fragment_size)
{
	char text[1024];
	struct conf_error err;
	struct conf *conf;

	snprintf(text, sizeof(text),
		 "cygnet { authority { swanctl_dir = %s/swanctl\n"
		 "crl_cache_dir = %s/crls\n revocation_wait = 2s\n"
		 "eap_tls { fragment_size = %zu\n max_sessions = 2 } } }\n"
		 "secrets { private-p384 { file = p384Key.der\n secret = test-secret } }\n",
		 pki.dir, pki.dir, fragment_size);
	conf = conf_load_string(text, "test", &err);
	ck_assert_msg(conf != NULL, "%s", err.text);
	return conf;
}

static void setup_pki(void)
{
	pki_generate(__FILE__);
	pki_httpd_start();
}

static void teardown_pki(void)
{
	pki_remove();
}

/* nng and the fetch thread do not survive fork: one service per test. */
static void setup(void)
{
	char err[256];
	struct conf *conf;

	authority_init(&authority);
	conf = make_conf(100);
	if (authority_configure(&authority, conf, false, err, sizeof(err)) < 0 ||
	    authority_start_workers(&authority, 4, err, sizeof(err)) < 0)
		abort();
	conf_free(conf);
	snprintf(url, sizeof(url), "ipc://%s/authority.rpc", pki.dir);
	server = rpc_server_start(url, NULL, authority_methods, authority_n_methods,
				  &authority, 4, err, sizeof(err));
	client = rpc_client_open(url, NULL, err, sizeof(err));
	if (!server || !client)
		abort();
}

static void teardown(void)
{
	rpc_client_close(client);
	rpc_server_stop(server);
	authority_stop(&authority);
	authority_destroy(&authority);
}

static ProtobufCMessage *call(uint32_t method, const ProtobufCMessage *req,
			      const ProtobufCMessageDescriptor *type,
			      Cygnet__RpcStatus expect)
{
	struct rpc_result res;

	rpc_call(client, method, req, type, 5000, &res);
	ck_assert_msg(res.status == expect, "status %d: %s", res.status, res.error);
	return res.reply;
}

static void release(ProtobufCMessage *msg)
{
	if (msg)
		protobuf_c_message_free_unpacked(msg, NULL);
}

START_TEST(t_list_certs)
{
	Cygnet__ListCertsRequest req = CYGNET__LIST_CERTS_REQUEST__INIT;
	Cygnet__CertList *list;
	size_t with_key = 0;

	req.subject = "";
	list = (Cygnet__CertList *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_LIST_CERTS,
					&req.base, &cygnet__cert_list__descriptor,
					CYGNET__RPC_STATUS__RPC_OK);
	ck_assert_uint_eq(list->n_certs, 7);
	for (size_t i = 0; i < list->n_certs; i++)
		with_key += list->certs[i]->has_private_key;
	ck_assert_uint_eq(with_key, 5);
	ck_assert_int_gt(list->now, 0);
	release(&list->base);
	req.subject = "vpn.example";
	list = (Cygnet__CertList *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_LIST_CERTS,
					&req.base, &cygnet__cert_list__descriptor,
					CYGNET__RPC_STATUS__RPC_OK);
	ck_assert_uint_eq(list->n_certs, 1);
	release(&list->base);
}
END_TEST

START_TEST(t_certreq)
{
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;
	Cygnet__CertreqKeyids *ids;
	Cygnet__LookupCaRequest req = CYGNET__LOOKUP_CA_REQUEST__INIT;
	Cygnet__LookupCaReply *found;
	ProtobufCBinaryData keyids[3];
	uint8_t unknown[20] = { 1, 2, 3 };

	ids = (Cygnet__CertreqKeyids *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_CERTREQ_KEYIDS,
					    &empty.base, &cygnet__certreq_keyids__descriptor,
					    CYGNET__RPC_STATUS__RPC_OK);
	ck_assert_uint_eq(ids->n_keyids, 2);
	ck_assert_uint_eq(ids->n_subjects, 2);
	keyids[0] = ids->keyids[0];
	keyids[1].data = unknown;
	keyids[1].len = sizeof(unknown);
	keyids[2].data = unknown;
	keyids[2].len = 5;	/* malformed length */
	req.keyids = keyids;
	req.n_keyids = 3;
	found = (Cygnet__LookupCaReply *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_LOOKUP_CA,
					      &req.base, &cygnet__lookup_ca_reply__descriptor,
					      CYGNET__RPC_STATUS__RPC_OK);
	ck_assert_uint_eq(found->n_subjects, 1);
	ck_assert_str_eq(found->subjects[0], ids->subjects[0]);
	ck_assert_uint_eq(found->unknown, 2);
	release(&found->base);
	release(&ids->base);
}
END_TEST

static Cygnet__LocalCertReply *local_cert(const char *fqdn)
{
	Cygnet__LocalCertRequest req = CYGNET__LOCAL_CERT_REQUEST__INIT;
	Cygnet__KeySelector sel = CYGNET__KEY_SELECTOR__INIT;
	Cygnet__Identity id = CYGNET__IDENTITY__INIT;

	id.type = 2;
	id.data.data = (uint8_t *)fqdn;
	id.data.len = strlen(fqdn);
	id.text = (char *)fqdn;
	sel.identity = &id;
	req.key = &sel;
	return (Cygnet__LocalCertReply *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_LOCAL_CERT,
					      &req.base, &cygnet__local_cert_reply__descriptor,
					      CYGNET__RPC_STATUS__RPC_OK);
}

/* Signs over RPC with the key for fqdn, verifies over RPC with its cert. */
static void sign_over_rpc(const char *fqdn, const uint32_t *hashes, size_t n_hashes,
			  Cygnet__AuthMethod expect)
{
	Cygnet__LocalCertReply *cert = local_cert(fqdn);
	Cygnet__SignRequest req = CYGNET__SIGN_REQUEST__INIT;
	Cygnet__KeySelector sel = CYGNET__KEY_SELECTOR__INIT;
	Cygnet__VerifyAuthRequest vreq = CYGNET__VERIFY_AUTH_REQUEST__INIT;
	Cygnet__SignReply *sig;
	Cygnet__VerifyAuthReply *ok;
	uint8_t octets[200];

	memset(octets, 0x5a, sizeof(octets));
	sel.cert = cert->subject;
	req.key = &sel;
	req.octets.data = octets;
	req.octets.len = sizeof(octets);
	req.peer_hash_algorithms = (uint32_t *)hashes;
	req.n_peer_hash_algorithms = n_hashes;
	sig = (Cygnet__SignReply *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_SIGN, &req.base,
					&cygnet__sign_reply__descriptor,
					CYGNET__RPC_STATUS__RPC_OK);
	ck_assert_int_eq(sig->auth_method, expect);
	vreq.cert = cert->cert;
	vreq.octets = req.octets;
	vreq.auth_method = sig->auth_method;
	vreq.signature = sig->signature;
	ok = (Cygnet__VerifyAuthReply *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_VERIFY_AUTH,
					     &vreq.base, &cygnet__verify_auth_reply__descriptor,
					     CYGNET__RPC_STATUS__RPC_OK);
	ck_assert_msg(ok->valid, "%s", ok->reason);
	release(&ok->base);
	octets[0] ^= 1;
	ok = (Cygnet__VerifyAuthReply *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_VERIFY_AUTH,
					     &vreq.base, &cygnet__verify_auth_reply__descriptor,
					     CYGNET__RPC_STATUS__RPC_OK);
	ck_assert(!ok->valid);
	release(&ok->base);
	release(&sig->base);
	release(&cert->base);
}

START_TEST(t_sign_verify)
{
	static const uint32_t sha2[] = { HASH_SHA2_256, HASH_SHA2_384, HASH_SHA2_512,
					 HASH_IDENTITY };

	sign_over_rpc("vpn.example.org", NULL, 0, CYGNET__AUTH_METHOD__AUTH_ECDSA_256);
	sign_over_rpc("p384.example.org", NULL, 0, CYGNET__AUTH_METHOD__AUTH_ECDSA_384);
	sign_over_rpc("p521.example.org", NULL, 0, CYGNET__AUTH_METHOD__AUTH_ECDSA_521);
	sign_over_rpc("rsa.example.org", NULL, 0, CYGNET__AUTH_METHOD__AUTH_RSA);
	sign_over_rpc("rsa.example.org", sha2, 4, CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE);
	sign_over_rpc("ed.example.org", sha2, 4, CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE);
}
END_TEST

START_TEST(t_sign_errors)
{
	Cygnet__SignRequest req = CYGNET__SIGN_REQUEST__INIT;
	Cygnet__KeySelector sel = CYGNET__KEY_SELECTOR__INIT;

	call(CYGNET__AUTHORITY_METHOD__AUTHORITY_SIGN, &req.base,
	     &cygnet__sign_reply__descriptor, CYGNET__RPC_STATUS__RPC_FAILED);
	sel.cert = "C=CH, O=Cygnet Test, CN=Cygnet Root CA";	/* no key */
	req.key = &sel;
	call(CYGNET__AUTHORITY_METHOD__AUTHORITY_SIGN, &req.base,
	     &cygnet__sign_reply__descriptor, CYGNET__RPC_STATUS__RPC_FAILED);
	sel.cert = "edCert.pem";	/* Ed25519 without RFC 7427 */
	call(CYGNET__AUTHORITY_METHOD__AUTHORITY_SIGN, &req.base,
	     &cygnet__sign_reply__descriptor, CYGNET__RPC_STATUS__RPC_FAILED);
}
END_TEST

static Cygnet__VerifyCertReply *verify_files(const char *const *files, size_t n,
					     const char *fqdn)
{
	Cygnet__VerifyCertRequest req = CYGNET__VERIFY_CERT_REQUEST__INIT;
	Cygnet__Identity id = CYGNET__IDENTITY__INIT;
	ProtobufCBinaryData ders[4];
	Cygnet__VerifyCertReply *reply;

	for (size_t i = 0; i < n; i++) {
		X509 *x = pki_cert(files[i]);
		ders[i].data = pki_der(x, &ders[i].len);
		X509_free(x);
	}
	req.certs = ders;
	req.n_certs = n;
	if (fqdn) {
		id.type = 3;
		id.data.data = (uint8_t *)fqdn;
		id.data.len = strlen(fqdn);
		id.text = (char *)fqdn;
		req.identity = &id;
	}
	req.revocation = CYGNET__REVOCATION_POLICY__REVOCATION_STRICT;
	reply = (Cygnet__VerifyCertReply *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_VERIFY_CERT,
						&req.base, &cygnet__verify_cert_reply__descriptor,
						CYGNET__RPC_STATUS__RPC_OK);
	for (size_t i = 0; i < n; i++)
		OPENSSL_free(ders[i].data);
	return reply;
}

START_TEST(t_verify_cert)
{
	static const char *const good[] = { "peer/eclient.crt", "inter/ca.crt" };
	static const char *const revoked[] = { "peer/revoked.crt" };
	Cygnet__VerifyCertReply *r = verify_files(good, 2, "eclient@example.org");
	Cygnet__VerifyCertRequest req = CYGNET__VERIFY_CERT_REQUEST__INIT;
	ProtobufCBinaryData junk = { 3, (uint8_t *)"abc" };

	ck_assert_msg(r->trusted, "%s", r->reason);
	ck_assert_uint_eq(r->n_trust_path, 3);
	ck_assert_str_eq(r->trust_path[2], "C=CH, O=Cygnet Test, CN=Cygnet Root CA");
	ck_assert_ptr_nonnull(r->identity);
	release(&r->base);
	r = verify_files(good, 2, "other@example.org");
	ck_assert(!r->trusted);
	ck_assert_int_eq(r->status, CYGNET__CERT_STATUS__CERT_IDENTITY_MISMATCH);
	release(&r->base);
	r = verify_files(revoked, 1, NULL);
	ck_assert_int_eq(r->status, CYGNET__CERT_STATUS__CERT_REVOKED);
	ck_assert_ptr_nonnull(strstr(r->reason, "key compromise"));
	release(&r->base);
	req.certs = &junk;
	req.n_certs = 1;
	r = (Cygnet__VerifyCertReply *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_VERIFY_CERT,
					    &req.base, &cygnet__verify_cert_reply__descriptor,
					    CYGNET__RPC_STATUS__RPC_OK);
	ck_assert_int_eq(r->status, CYGNET__CERT_STATUS__CERT_MALFORMED);
	release(&r->base);
}
END_TEST

static Cygnet__EapTlsReply *eap_start(uint64_t id, Cygnet__RpcStatus expect)
{
	Cygnet__EapTlsStartRequest req = CYGNET__EAP_TLS_START_REQUEST__INIT;
	Cygnet__KeySelector sel = CYGNET__KEY_SELECTOR__INIT;

	sel.cert = "vpnCert.pem";
	req.session_id = id;
	req.server_key = &sel;
	req.identifier = 0xd6;
	req.revocation = CYGNET__REVOCATION_POLICY__REVOCATION_STRICT;
	return (Cygnet__EapTlsReply *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_EAP_TLS_START,
					   &req.base, &cygnet__eap_tls_reply__descriptor, expect);
}

static Cygnet__EapTlsReply *eap_process(uint64_t id, const uint8_t *pkt, size_t len,
					Cygnet__RpcStatus expect)
{
	Cygnet__EapTlsProcessRequest req = CYGNET__EAP_TLS_PROCESS_REQUEST__INIT;

	req.session_id = id;
	req.eap_packet.data = (uint8_t *)pkt;
	req.eap_packet.len = len;
	return (Cygnet__EapTlsReply *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_EAP_TLS_PROCESS,
					   &req.base, &cygnet__eap_tls_reply__descriptor, expect);
}

START_TEST(t_eap_tls)
{
	struct eap_peer peer;
	Cygnet__EapTlsReply *r = eap_start(42, CYGNET__RPC_STATUS__RPC_OK);
	uint8_t resp[EAP_PACKET_MAX];
	int rounds = 0;

	ck_assert_uint_eq(r->eap_packet.len, 6);
	ck_assert_int_eq(r->eap_packet.data[1], 0xd6);
	eap_peer_init(&peer, "peer/eclient.crt", "peer/eclient.key", NULL, "root/ca.crt",
		      TLS1_3_VERSION, 100);
	while (r->state == CYGNET__EAP_TLS_STATE__EAP_TLS_CONTINUE && rounds++ < 200) {
		size_t len = eap_peer_answer(&peer, r->eap_packet.data, r->eap_packet.len,
					     resp, sizeof(resp));
		ck_assert_uint_le(r->eap_packet.len, 100);
		release(&r->base);
		r = eap_process(42, resp, len, CYGNET__RPC_STATUS__RPC_OK);
	}
	ck_assert_msg(r->state == CYGNET__EAP_TLS_STATE__EAP_TLS_SUCCESS, "%s", r->reason);
	eap_peer_keys(&peer);
	ck_assert_uint_eq(r->msk.len, 64);
	ck_assert_mem_eq(r->msk.data, peer.msk, 64);
	ck_assert_str_eq(r->peer_subject, "C=CH, O=Cygnet Test, CN=eclient");
	ck_assert_uint_eq(r->n_peer_alt_names, 1);
	ck_assert_str_eq(r->peer_alt_names[0], "eclient@example.org");
	ck_assert_str_eq(r->tls_version, "TLS 1.3");
	release(&r->base);
	/* the session is gone after success */
	eap_process(42, resp, 6, CYGNET__RPC_STATUS__RPC_FAILED);
	eap_peer_free(&peer);
}
END_TEST

START_TEST(t_eap_sessions_limited)
{
	Cygnet__EapTlsAbortRequest abort_req = CYGNET__EAP_TLS_ABORT_REQUEST__INIT;
	Cygnet__Empty *empty;

	release(&eap_start(1, CYGNET__RPC_STATUS__RPC_OK)->base);
	eap_start(1, CYGNET__RPC_STATUS__RPC_FAILED);	/* same id */
	release(&eap_start(2, CYGNET__RPC_STATUS__RPC_OK)->base);
	eap_start(3, CYGNET__RPC_STATUS__RPC_FAILED);	/* max_sessions = 2 */
	abort_req.session_id = 1;
	empty = (Cygnet__Empty *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_EAP_TLS_ABORT,
				      &abort_req.base, &cygnet__empty__descriptor,
				      CYGNET__RPC_STATUS__RPC_OK);
	release(&empty->base);
	call(CYGNET__AUTHORITY_METHOD__AUTHORITY_EAP_TLS_ABORT, &abort_req.base,
	     &cygnet__empty__descriptor, CYGNET__RPC_STATUS__RPC_FAILED);
	release(&eap_start(3, CYGNET__RPC_STATUS__RPC_OK)->base);
}
END_TEST

START_TEST(t_local_cert_chain)
{
	char cmd[1200], err[256];
	struct conf *conf = make_conf(1024);
	Cygnet__LocalCertRequest req = CYGNET__LOCAL_CERT_REQUEST__INIT;
	Cygnet__KeySelector sel = CYGNET__KEY_SELECTOR__INIT;
	Cygnet__LocalCertReply *reply;
	Cygnet__LocalCertReply *vpn = local_cert("vpn.example.org");
	X509 *inter = pki_cert("inter/ca.crt");
	size_t len;
	unsigned char *der = pki_der(inter, &len);

	ck_assert_uint_eq(vpn->n_intermediates, 0);
	release(&vpn->base);
	/* a certificate of ours issued by the intermediate */
	snprintf(cmd, sizeof(cmd), "cp %1$s/peer/eclient.crt %1$s/swanctl/x509/eclient.pem && "
		 "cp %1$s/peer/eclient.key %1$s/swanctl/private/eclient.pem", pki.dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(authority_configure(&authority, conf, true, err, sizeof(err)), 0);
	conf_free(conf);
	sel.cert = "eclient.pem";
	req.key = &sel;
	reply = (Cygnet__LocalCertReply *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_LOCAL_CERT,
					       &req.base, &cygnet__local_cert_reply__descriptor,
					       CYGNET__RPC_STATUS__RPC_OK);
	ck_assert_str_eq(reply->subject, "C=CH, O=Cygnet Test, CN=eclient");
	ck_assert_str_eq(reply->key_type, "ECDSA-256");
	ck_assert_uint_eq(reply->n_intermediates, 1);
	ck_assert_uint_eq(reply->intermediates[0].len, len);
	ck_assert_mem_eq(reply->intermediates[0].data, der, len);
	release(&reply->base);
	snprintf(cmd, sizeof(cmd), "rm %1$s/swanctl/x509/eclient.pem %1$s/swanctl/private/eclient.pem",
		 pki.dir);
	ck_assert_int_eq(system(cmd), 0);
	OPENSSL_free(der);
	X509_free(inter);
}
END_TEST

START_TEST(t_reload)
{
	char err[256];
	struct conf *conf = make_conf(1024);
	char path[400];
	Cygnet__ListCertsRequest req = CYGNET__LIST_CERTS_REQUEST__INIT;
	Cygnet__CertList *list;

	pki_path(path, sizeof(path), "swanctl/x509/rsaCert.pem");
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(authority_configure(&authority, conf, true, err, sizeof(err)), 0);
	conf_free(conf);
	req.subject = "";
	list = (Cygnet__CertList *)call(CYGNET__AUTHORITY_METHOD__AUTHORITY_LIST_CERTS,
					&req.base, &cygnet__cert_list__descriptor,
					CYGNET__RPC_STATUS__RPC_OK);
	ck_assert_uint_eq(list->n_certs, 6);
	release(&list->base);
}
END_TEST

static Suite *rpc_suite(void)
{
	Suite *s = suite_create("authority_rpc");
	TCase *tc = tcase_create("rpc");

	tcase_add_unchecked_fixture(tc, setup_pki, teardown_pki);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, t_list_certs);
	tcase_add_test(tc, t_certreq);
	tcase_add_test(tc, t_sign_verify);
	tcase_add_test(tc, t_sign_errors);
	tcase_add_test(tc, t_verify_cert);
	tcase_add_test(tc, t_eap_tls);
	tcase_add_test(tc, t_eap_sessions_limited);
	tcase_add_test(tc, t_local_cert_chain);
	tcase_add_test(tc, t_reload);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(rpc_suite)
