/* EAP-TLS server: full TLS 1.2 and 1.3 handshakes with an OpenSSL client
 * through the EAP-TLS framing, fragment sizes down to 100 bytes, TLS 1.3
 * per RFC 9190 and as strongSwan 5.9 has it, client certificates
 * rejected for cause, malformed packets. */
#include "pki.h"
#include "eap_peer.h"
#include "testmain.h"

#include "authority/authority.h"
#include "authority/crl.h"
#include "authority/eap_server.h"
#include "authority/eap_sessions.h"

#define ROUNDS_MAX 200

static struct cred_store *store;

static void setup(void)
{
	pki_generate(__FILE__);
	pki_httpd_start();
	store = pki_store(NULL);
}

static void teardown(void)
{
	store_unref(store);
	pki_remove();
}

static struct eap_server *server_mode(size_t fragment_size, struct crl_fetcher *crl,
				      Cygnet__RevocationPolicy policy,
				      enum eap_tls13_mode tls13_mode)
{
	struct tls_server_params p = { 0 };
	char why[256];
	struct eap_server *s;

	p.store = store;
	p.server_cert = store_find_cert_by_name(store, "vpnCert.pem");
	p.crl = crl;
	p.revocation_wait_ms = 3000;
	p.revocation = policy;
	p.tls13_mode = tls13_mode;
	s = eap_server_new(&p, fragment_size, 65536, 7, why, sizeof(why));
	ck_assert_msg(s != NULL, "%s", why);
	return s;
}

static struct eap_server *server(size_t fragment_size, struct crl_fetcher *crl,
				 Cygnet__RevocationPolicy policy)
{
	return server_mode(fragment_size, crl, policy, EAP_TLS13_RFC9190);
}

/* Runs a whole conversation; returns the final outcome (caller clears). */
static void converse(struct eap_server *s, struct eap_peer *peer, size_t fragment_size,
		     struct eap_outcome *out, int *rounds)
{
	uint8_t resp[EAP_PACKET_MAX];
	size_t len;

	eap_server_start(s, out);
	for (*rounds = 0; *rounds < ROUNDS_MAX; (*rounds)++) {
		ck_assert_uint_le(out->len, fragment_size);
		len = eap_peer_answer(peer, out->packet, out->len, resp, sizeof(resp));
		if (out->state != CYGNET__EAP_TLS_STATE__EAP_TLS_CONTINUE)
			return;
		ck_assert_uint_gt(len, 0);
		ck_assert_uint_le(len, fragment_size);
		eap_outcome_clear(out);
		eap_server_process(s, resp, len, out);
	}
	ck_abort_msg("conversation did not end");
}

/* The seed's EAP-TLS lines, in the order charon logs them. */
static void assert_charon_order(void)
{
	static const char *const lines[] = {
		"using key of type ECDSA",
		"negotiated TLS 1.",
		"sending TLS server certificate 'C=CH, O=Cygnet Test, CN=",
		"sending TLS cert request for 'C=CH, O=Cygnet Test, CN=Cygnet Root CA'",
		"received TLS peer certificate 'C=CH, O=Cygnet Test, CN=",
		"EAP method EAP_TLS succeeded, MSK established",
	};

	pki_assert_log_order(lines, sizeof(lines) / sizeof(lines[0]));
}

static const size_t fragment_sizes[] = { 1400, 1024, 300, 100 };

static void full_handshake(int version, size_t frag, const char *cert, const char *key,
			   const char *chain)
{
	struct eap_server *s;
	struct eap_peer peer;
	struct eap_outcome out;
	int rounds;

	pki_log_start();
	s = server(frag, NULL, CYGNET__REVOCATION_POLICY__REVOCATION_RELAXED);
	eap_peer_init(&peer, cert, key, chain, "root/ca.crt", version, frag);
	converse(s, &peer, frag, &out, &rounds);
	ck_assert_msg(out.state == CYGNET__EAP_TLS_STATE__EAP_TLS_SUCCESS, "%s", out.reason);
	ck_assert_int_eq(out.packet[0], EAP_CODE_SUCCESS);
	ck_assert_int_eq(SSL_version(peer.ssl), version);
	eap_peer_keys(&peer);
	ck_assert_mem_eq(out.msk, peer.msk, 64);
	ck_assert_mem_eq(out.emsk, peer.emsk, 64);
	ck_assert(version != TLS1_3_VERSION || peer.got_commitment);
	ck_assert_str_eq(tls_server_version(eap_server_tls(s)),
			 version == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2");
	assert_charon_order();
	/* smaller fragments take more round trips */
	ck_assert(frag > 300 || rounds > 8);
	eap_outcome_clear(&out);
	eap_peer_free(&peer);
	eap_server_free(s);
}

START_TEST(t_tls12)
{
	full_handshake(TLS1_2_VERSION, fragment_sizes[_i], "peer/client.crt",
		       "peer/client.key", "inter/ca.crt");
}
END_TEST

START_TEST(t_tls13)
{
	full_handshake(TLS1_3_VERSION, fragment_sizes[_i], "peer/client.crt",
		       "peer/client.key", "inter/ca.crt");
}
END_TEST

START_TEST(t_tls13_ecdsa_client)
{
	full_handshake(TLS1_3_VERSION, 1024, "peer/eclient.crt", "peer/eclient.key", NULL);
}
END_TEST

/* Key material on the peer side from an exporter label without context
 * (RFC 5216's label, as strongSwan 5.9 uses it with TLS 1.3 too). */
static void peer_export_rfc5216_label(struct eap_peer *peer, uint8_t km[128])
{
	static const char label[] = "client EAP encryption";

	ck_assert_int_eq(SSL_export_keying_material(peer->ssl, km, 128, label,
						    sizeof(label) - 1, NULL, 0, 0), 1);
}

/* eap_tls.tls13 = strongswan-5.9: with TLS 1.3 no protected success
 * indication goes out and the keys come from "client EAP encryption",
 * which differ from RFC 9190's; TLS 1.2 keeps RFC 5216's keys. */
START_TEST(t_tls13_strongswan59)
{
	static const int versions[] = { TLS1_3_VERSION, TLS1_2_VERSION };
	int version = versions[_i];
	struct eap_server *s;
	struct eap_peer peer;
	struct eap_outcome out;
	uint8_t km[128];
	int rounds;

	s = server_mode(1024, NULL, CYGNET__REVOCATION_POLICY__REVOCATION_RELAXED,
			EAP_TLS13_STRONGSWAN_59);
	eap_peer_init(&peer, "peer/client.crt", "peer/client.key", "inter/ca.crt",
		      "root/ca.crt", version, 1024);
	converse(s, &peer, 1024, &out, &rounds);
	ck_assert_msg(out.state == CYGNET__EAP_TLS_STATE__EAP_TLS_SUCCESS, "%s", out.reason);
	ck_assert_int_eq(SSL_version(peer.ssl), version);
	ck_assert(!peer.got_commitment);
	ck_assert(!peer.failed);
	peer_export_rfc5216_label(&peer, km);
	ck_assert_mem_eq(out.msk, km, 64);
	ck_assert_mem_eq(out.emsk, km + 64, 64);
	eap_peer_keys(&peer);
	if (version == TLS1_3_VERSION)
		ck_assert(memcmp(out.msk, peer.msk, 64) != 0);
	else
		ck_assert_mem_eq(out.msk, peer.msk, 64);
	eap_outcome_clear(&out);
	eap_peer_free(&peer);
	eap_server_free(s);
}
END_TEST

/* RFC 9190 by default: the TLS 1.3 keys are not those of the RFC 5216
 * label (which strongSwan 5.9 would compute). */
START_TEST(t_tls13_rfc9190_not_rfc5216_label)
{
	struct eap_server *s = server(1024, NULL, CYGNET__REVOCATION_POLICY__REVOCATION_RELAXED);
	struct eap_peer peer;
	struct eap_outcome out;
	uint8_t km[128];
	int rounds;

	eap_peer_init(&peer, "peer/client.crt", "peer/client.key", "inter/ca.crt",
		      "root/ca.crt", TLS1_3_VERSION, 1024);
	converse(s, &peer, 1024, &out, &rounds);
	ck_assert_msg(out.state == CYGNET__EAP_TLS_STATE__EAP_TLS_SUCCESS, "%s", out.reason);
	ck_assert(peer.got_commitment);
	peer_export_rfc5216_label(&peer, km);
	ck_assert(memcmp(out.msk, km, 64) != 0);
	ck_assert(memcmp(out.emsk, km + 64, 64) != 0);
	eap_outcome_clear(&out);
	eap_peer_free(&peer);
	eap_server_free(s);
}
END_TEST

static int load_tls13_setting(const char *text, struct authority_config *cfg,
			      char *err, size_t errlen)
{
	struct conf_error cerr;
	struct conf *conf = conf_load_string(text, "test", &cerr);
	int rc;

	ck_assert_msg(conf != NULL, "%s", cerr.text);
	rc = authority_config_load(conf, cfg, err, errlen);
	conf_free(conf);
	return rc;
}

/* cygnet.authority.eap_tls.tls13: rfc9190 unless set to strongswan-5.9,
 * anything else refused with the key named. */
START_TEST(t_tls13_setting)
{
	struct authority_config cfg;
	char err[256] = "";

	ck_assert_int_eq(load_tls13_setting("cygnet { authority { } }", &cfg, err,
					    sizeof(err)), 0);
	ck_assert_int_eq(cfg.eap_tls13_mode, EAP_TLS13_RFC9190);
	ck_assert_int_eq(load_tls13_setting("cygnet { authority { eap_tls { "
					    "tls13 = strongswan-5.9 } } }", &cfg,
					    err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.eap_tls13_mode, EAP_TLS13_STRONGSWAN_59);
	ck_assert_int_eq(load_tls13_setting("cygnet { authority { eap_tls { "
					    "tls13 = draft } } }", &cfg, err,
					    sizeof(err)), -1);
	ck_assert_msg(strstr(err, "cygnet.authority.eap_tls.tls13: 'draft'"), "%s", err);
}
END_TEST

static void expect_failure(const char *cert, const char *key, struct crl_fetcher *crl,
			   Cygnet__RevocationPolicy policy, const char *reason)
{
	struct eap_server *s = server(1024, crl, policy);
	struct eap_peer peer;
	struct eap_outcome out;
	int rounds;

	eap_peer_init(&peer, cert, key, NULL, "root/ca.crt", 0, 1024);
	converse(s, &peer, 1024, &out, &rounds);
	ck_assert_int_eq(out.state, CYGNET__EAP_TLS_STATE__EAP_TLS_FAILURE);
	ck_assert_int_eq(out.packet[0], EAP_CODE_FAILURE);
	ck_assert_msg(strstr(out.reason, reason), "%s", out.reason);
	/* the client saw the alert */
	ck_assert(peer.failed);
	eap_outcome_clear(&out);
	eap_peer_free(&peer);
	eap_server_free(s);
}

START_TEST(t_revoked_client)
{
	struct crl_fetcher *crl = pki_fetcher(4, "crls");

	expect_failure("peer/revoked.crt", "peer/revoked.key", crl,
		       CYGNET__REVOCATION_POLICY__REVOCATION_RELAXED, "revoked");
	crl_fetcher_free(crl);
}
END_TEST

START_TEST(t_untrusted_client)
{
	expect_failure("peer/rogue.crt", "peer/rogue.key", NULL,
		       CYGNET__REVOCATION_POLICY__REVOCATION_RELAXED, "rejected");
	expect_failure("peer/expired.crt", "peer/expired.key", NULL,
		       CYGNET__REVOCATION_POLICY__REVOCATION_RELAXED, "expired");
}
END_TEST

START_TEST(t_no_client_cert)
{
	expect_failure(NULL, NULL, NULL, CYGNET__REVOCATION_POLICY__REVOCATION_RELAXED,
		       "certificate");
}
END_TEST

/* Sends one crafted response after the Start request. */
static void expect_malformed(const uint8_t *pkt, size_t len, size_t max_message,
			     const char *reason)
{
	struct tls_server_params p = { 0 };
	struct eap_outcome out;
	char why[256];
	struct eap_server *s;

	p.store = store;
	p.server_cert = store_find_cert_by_name(store, "vpnCert.pem");
	s = eap_server_new(&p, 1024, max_message, 7, why, sizeof(why));
	eap_server_start(s, &out);
	eap_outcome_clear(&out);
	eap_server_process(s, pkt, len, &out);
	ck_assert_msg(out.state == CYGNET__EAP_TLS_STATE__EAP_TLS_FAILURE, "want '%s'", reason);
	ck_assert_msg(strstr(out.reason, reason), "got '%s', want '%s'", out.reason, reason);
	ck_assert_uint_eq(out.len, 4);
	eap_outcome_clear(&out);
	/* the conversation is over */
	eap_server_process(s, pkt, len, &out);
	ck_assert_int_eq(out.state, CYGNET__EAP_TLS_STATE__EAP_TLS_FAILURE);
	eap_outcome_clear(&out);
	eap_server_free(s);
}

START_TEST(t_malformed)
{
	static const uint8_t short_pkt[] = { 2, 7, 0 };
	static const uint8_t bad_len[] = { 2, 7, 0, 40, 13, 0 };
	static const uint8_t request[] = { 1, 7, 0, 6, 13, 0 };
	static const uint8_t nak[] = { 2, 7, 0, 6, 3, 13 };
	static const uint8_t other_type[] = { 2, 7, 0, 6, 25, 0 };
	static const uint8_t no_flags[] = { 2, 7, 0, 5, 13 };
	static const uint8_t wrong_id[] = { 2, 9, 0, 6, 13, 0 };
	static const uint8_t l_no_len[] = { 2, 7, 0, 8, 13, 0x80, 0, 0 };
	static const uint8_t too_big[] = { 2, 7, 0, 12, 13, 0xc0, 0, 1, 0, 0, 0x16, 3 };
	static const uint8_t over[] = { 2, 7, 0, 12, 13, 0x80, 0, 0, 0, 1, 0x16, 3 };
	static const uint8_t empty_more[] = { 2, 7, 0, 6, 13, 0x40 };
	static const uint8_t ack[] = { 2, 7, 0, 6, 13, 0 };
	static const uint8_t garbage_tls[] = { 2, 7, 0, 22, 13, 0, 'G', 'E', 'T', ' ', '/',
					       ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '0',
					       '\r', '\n' };

	expect_malformed(short_pkt, sizeof(short_pkt), 65536, "too short");
	expect_malformed(bad_len, sizeof(bad_len), 65536, "length");
	expect_malformed(request, sizeof(request), 65536, "unexpected EAP code");
	expect_malformed(nak, sizeof(nak), 65536, "Nak");
	expect_malformed(other_type, sizeof(other_type), 65536, "unexpected EAP type");
	expect_malformed(no_flags, sizeof(no_flags), 65536, "without flags");
	expect_malformed(wrong_id, sizeof(wrong_id), 65536, "identifier");
	expect_malformed(l_no_len, sizeof(l_no_len), 65536, "without length");
	expect_malformed(too_big, sizeof(too_big), 4096, "exceeds");
	expect_malformed(over, sizeof(over), 65536, "exceed announced length");
	expect_malformed(empty_more, sizeof(empty_more), 65536, "empty");
	expect_malformed(ack, sizeof(ack), 65536, "acknowledgement");
	expect_malformed(garbage_tls, sizeof(garbage_tls), 65536, "TLS handshake failed");
}
END_TEST

START_TEST(t_message_limit_over_fragments)
{
	struct tls_server_params p = { 0 };
	struct eap_outcome out;
	uint8_t frag[1000];
	char why[256];
	struct eap_server *s;
	int id = 7;

	p.store = store;
	p.server_cert = store_find_cert_by_name(store, "vpnCert.pem");
	s = eap_server_new(&p, 1024, 3000, (uint8_t)id, why, sizeof(why));
	eap_server_start(s, &out);
	memset(frag, 0x16, sizeof(frag));
	frag[0] = 2;
	frag[2] = sizeof(frag) >> 8;
	frag[3] = sizeof(frag) & 0xff;
	frag[4] = 13;
	frag[5] = 0x40;		/* M without L: no announced total */
	for (int i = 0; i < 5 && out.state == CYGNET__EAP_TLS_STATE__EAP_TLS_CONTINUE; i++) {
		frag[1] = out.packet[1];
		eap_outcome_clear(&out);
		eap_server_process(s, frag, sizeof(frag), &out);
	}
	ck_assert_int_eq(out.state, CYGNET__EAP_TLS_STATE__EAP_TLS_FAILURE);
	ck_assert_ptr_nonnull(strstr(out.reason, "exceeds 3000"));
	eap_outcome_clear(&out);
	eap_server_free(s);
}
END_TEST

START_TEST(t_session_timeout)
{
	struct eap_sessions *t = eap_sessions_new(4, 1);
	struct eap_outcome out;
	char why[256];
	uint8_t ack[] = { 2, 7, 0, 6, 13, 0 };

	ck_assert_int_eq(eap_sessions_add(t, 1, server(1024, NULL,
			 CYGNET__REVOCATION_POLICY__REVOCATION_RELAXED), NULL, 0,
			 why, sizeof(why)), 0);
	ck_assert_int_eq(eap_sessions_add(t, 2, server(1024, NULL,
			 CYGNET__REVOCATION_POLICY__REVOCATION_RELAXED), NULL, 0,
			 why, sizeof(why)), 0);
	ck_assert_uint_eq(eap_sessions_active(t), 2);
	ck_assert_uint_eq(eap_sessions_expire(t), 0);
	sleep(1);
	/* activity keeps session 2 alive: its ACK ends it with a failure */
	ck_assert_int_eq(eap_sessions_process(t, 2, ack, sizeof(ack), &out), 0);
	ck_assert_int_eq(out.state, CYGNET__EAP_TLS_STATE__EAP_TLS_FAILURE);
	eap_outcome_clear(&out);
	ck_assert_uint_eq(eap_sessions_active(t), 1);
	sleep(2);
	ck_assert_uint_eq(eap_sessions_expire(t), 1);
	ck_assert_uint_eq(eap_sessions_active(t), 0);
	ck_assert_int_eq(eap_sessions_process(t, 1, ack, sizeof(ack), &out), -1);
	eap_sessions_free(t);
}
END_TEST

static Suite *eap_suite(void)
{
	Suite *s = suite_create("authority_eap_tls");
	TCase *tc = tcase_create("eap_tls");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, t_tls12, 0, 4);
	tcase_add_loop_test(tc, t_tls13, 0, 4);
	tcase_add_test(tc, t_tls13_ecdsa_client);
	tcase_add_loop_test(tc, t_tls13_strongswan59, 0, 2);
	tcase_add_test(tc, t_tls13_rfc9190_not_rfc5216_label);
	tcase_add_test(tc, t_tls13_setting);
	tcase_add_test(tc, t_revoked_client);
	tcase_add_test(tc, t_untrusted_client);
	tcase_add_test(tc, t_no_client_cert);
	tcase_add_test(tc, t_malformed);
	tcase_add_test(tc, t_message_limit_over_fragments);
	tcase_add_test(tc, t_session_timeout);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(eap_suite)
