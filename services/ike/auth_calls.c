#include "ike/auth_calls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authority.pb-c.h"
#include "ike/payload.h"
#include "log.h"

/* VERIFY_CERT may fetch CRLs (authority.proto: at least 5000 ms). */
#define VERIFY_CERT_TIMEOUT_MS 6000
#define AUTHORITY_TIMEOUT_MS 3000

static Cygnet__RevocationPolicy revocation(const char *text)
{
	if (strcmp(text, "strict") == 0)
		return CYGNET__REVOCATION_POLICY__REVOCATION_STRICT;
	if (strcmp(text, "ifuri") == 0)
		return CYGNET__REVOCATION_POLICY__REVOCATION_IFURI;
	return CYGNET__REVOCATION_POLICY__REVOCATION_RELAXED;
}

static const char *auth_method_name(uint8_t method)
{
	switch (method) {
	case CYGNET__AUTH_METHOD__AUTH_RSA:
		return "RSA";
	case CYGNET__AUTH_METHOD__AUTH_ECDSA_256:
		return "ECDSA-256";
	case CYGNET__AUTH_METHOD__AUTH_ECDSA_384:
		return "ECDSA-384";
	case CYGNET__AUTH_METHOD__AUTH_ECDSA_521:
		return "ECDSA-521";
	default:
		return "RSA";
	}
}

void auth_lookup_cas(struct rpc_client *authority,
		     const uint8_t *const *keyids, size_t n)
{
	Cygnet__LookupCaRequest req = CYGNET__LOOKUP_CA_REQUEST__INIT;
	ProtobufCBinaryData *ids = calloc(n, sizeof(*ids));
	const Cygnet__LookupCaReply *r;
	struct rpc_result result;

	if (!ids)
		return;
	for (size_t i = 0; i < n; i++)
		ids[i] = (ProtobufCBinaryData){ CERTREQ_HASH_LEN, (uint8_t *)keyids[i] };
	req.keyids = ids;
	req.n_keyids = n;
	rpc_call(authority, CYGNET__AUTHORITY_METHOD__AUTHORITY_LOOKUP_CA,
		 &req.base, &cygnet__lookup_ca_reply__descriptor,
		 AUTHORITY_TIMEOUT_MS, &result);
	free(ids);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_IKE, "looking up %zu requested CAs failed: %s", n,
		     result.error);
		return;
	}
	r = (const Cygnet__LookupCaReply *)result.reply;
	for (size_t i = 0; i < r->n_subjects; i++)
		DBG1(LOG_IKE, "received cert request for \"%s\"", r->subjects[i]);
	if (r->unknown)
		DBG1(LOG_IKE, "received %u cert request%s for an unknown ca",
		     r->unknown, r->unknown == 1 ? "" : "s");
	protobuf_c_message_free_unpacked(result.reply, NULL);
}

int auth_verify_cert(struct rpc_client *authority, const struct peer_cfg *cfg,
		     const struct peer_certs *certs, const struct identity *peer)
{
	Cygnet__VerifyCertRequest req = CYGNET__VERIFY_CERT_REQUEST__INIT;
	ProtobufCBinaryData bins[AUTH_CERTS_MAX];
	char *cacerts[CONFIG_MAX_CERTS];
	Cygnet__Identity id;
	const Cygnet__VerifyCertReply *r;
	struct rpc_result result;
	int rc = -1;

	for (size_t i = 0; i < certs->n; i++)
		bins[i] = (ProtobufCBinaryData){ certs->len[i], (uint8_t *)certs->der[i] };
	for (size_t i = 0; i < cfg->n_cacerts; i++)
		cacerts[i] = (char *)cfg->cacerts[i];
	identity_to_proto(peer, &id);
	req.certs = bins;
	req.n_certs = certs->n;
	req.identity = &id;
	req.revocation = revocation(cfg->revocation);
	req.cacerts = cacerts;
	req.n_cacerts = cfg->n_cacerts;
	rpc_call(authority, CYGNET__AUTHORITY_METHOD__AUTHORITY_VERIFY_CERT,
		 &req.base, &cygnet__verify_cert_reply__descriptor,
		 VERIFY_CERT_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_CFG, "verifying certificate of '%s' failed: %s",
		     peer->text, result.error);
		return -1;
	}
	r = (const Cygnet__VerifyCertReply *)result.reply;
	if (r->trusted) {
		DBG1(LOG_CFG, "using certificate \"%s\"", r->subject);
		for (size_t i = 1; i < r->n_trust_path; i++)
			DBG1(LOG_CFG, "  using trusted %s certificate \"%s\"",
			     i + 1 == r->n_trust_path ? "ca" : "intermediate ca",
			     r->trust_path[i]);
		rc = 0;
	} else {
		DBG1(LOG_CFG, "certificate \"%s\" not trusted: %s", r->subject,
		     r->reason);
	}
	protobuf_c_message_free_unpacked(result.reply, NULL);
	return rc;
}

int auth_verify_signature(struct rpc_client *authority, const uint8_t *cert,
			  size_t cert_len, const struct identity *peer,
			  uint8_t method, const uint8_t *octets,
			  size_t octets_len, const uint8_t *sig, size_t sig_len)
{
	Cygnet__VerifyAuthRequest req = CYGNET__VERIFY_AUTH_REQUEST__INIT;
	const Cygnet__VerifyAuthReply *r;
	struct rpc_result result;
	int rc = -1;

	req.cert = (ProtobufCBinaryData){ cert_len, (uint8_t *)cert };
	req.octets = (ProtobufCBinaryData){ octets_len, (uint8_t *)octets };
	req.auth_method = method;
	req.signature = (ProtobufCBinaryData){ sig_len, (uint8_t *)sig };
	rpc_call(authority, CYGNET__AUTHORITY_METHOD__AUTHORITY_VERIFY_AUTH,
		 &req.base, &cygnet__verify_auth_reply__descriptor,
		 AUTHORITY_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_IKE, "verifying AUTH of '%s' failed: %s", peer->text,
		     result.error);
		return -1;
	}
	r = (const Cygnet__VerifyAuthReply *)result.reply;
	if (r->valid) {
		if (method == CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE)
			DBG1(LOG_IKE, "authentication of '%s' with %s successful",
			     peer->text, r->scheme);
		else
			DBG1(LOG_IKE, "authentication of '%s' with %s signature "
			     "successful", peer->text, auth_method_name(method));
		rc = 0;
	} else {
		DBG1(LOG_IKE, "signature validation failed: %s", r->reason);
		DBG1(LOG_CFG, "no trusted public key found for '%s'", peer->text);
	}
	protobuf_c_message_free_unpacked(result.reply, NULL);
	return rc;
}

static void key_selector(const struct peer_cfg *cfg, Cygnet__KeySelector *key)
{
	cygnet__key_selector__init(key);
	key->cert = (char *)cfg->local_cert;
}

int auth_local_cert(struct rpc_client *authority, const struct peer_cfg *cfg,
		    Cygnet__LocalCertReply **reply)
{
	Cygnet__LocalCertRequest req = CYGNET__LOCAL_CERT_REQUEST__INIT;
	Cygnet__KeySelector key;
	struct rpc_result result;

	key_selector(cfg, &key);
	req.key = &key;
	rpc_call(authority, CYGNET__AUTHORITY_METHOD__AUTHORITY_LOCAL_CERT,
		 &req.base, &cygnet__local_cert_reply__descriptor,
		 AUTHORITY_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_CFG, "no local certificate for '%s': %s", cfg->name,
		     result.error);
		return -1;
	}
	*reply = (Cygnet__LocalCertReply *)result.reply;
	return 0;
}

int auth_sign(struct rpc_client *authority, const struct peer_cfg *cfg,
	      const struct identity *us, const uint32_t *peer_hashes,
	      size_t n_peer_hashes, const uint8_t *octets, size_t octets_len,
	      struct our_signature *out)
{
	Cygnet__SignRequest req = CYGNET__SIGN_REQUEST__INIT;
	Cygnet__KeySelector key;
	Cygnet__Identity id;
	const Cygnet__SignReply *r;
	struct rpc_result result;
	int rc = -1;

	key_selector(cfg, &key);
	identity_to_proto(us, &id);
	key.identity = &id;
	req.key = &key;
	req.octets = (ProtobufCBinaryData){ octets_len, (uint8_t *)octets };
	req.peer_hash_algorithms = (uint32_t *)peer_hashes;
	req.n_peer_hash_algorithms = n_peer_hashes;
	rpc_call(authority, CYGNET__AUTHORITY_METHOD__AUTHORITY_SIGN, &req.base,
		 &cygnet__sign_reply__descriptor, AUTHORITY_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_IKE, "authentication of '%s' (myself) failed: %s",
		     us->text, result.error);
		return -1;
	}
	r = (const Cygnet__SignReply *)result.reply;
	if (r->signature.len <= AUTH_SIG_MAX) {
		out->method = (uint8_t)r->auth_method;
		memcpy(out->data, r->signature.data, r->signature.len);
		out->len = r->signature.len;
		if (r->auth_method == CYGNET__AUTH_METHOD__AUTH_DIGITAL_SIGNATURE)
			DBG1(LOG_IKE, "authentication of '%s' (myself) with "
			     "%s RFC 7427 signature successful", us->text,
			     r->key_type);
		else
			DBG1(LOG_IKE, "authentication of '%s' (myself) with "
			     "%s signature successful", us->text,
			     auth_method_name(out->method));
		rc = 0;
	} else {
		DBG1(LOG_IKE, "signature of %zu bytes too large", r->signature.len);
	}
	protobuf_c_message_free_unpacked(result.reply, NULL);
	return rc;
}

Cygnet__EapTlsReply *auth_eap_tls_start(struct rpc_client *authority,
					const struct peer_cfg *cfg,
					uint64_t session_id, uint8_t identifier)
{
	Cygnet__EapTlsStartRequest req = CYGNET__EAP_TLS_START_REQUEST__INIT;
	char *cacerts[CONFIG_MAX_CERTS];
	Cygnet__KeySelector key;
	struct rpc_result result;

	for (size_t i = 0; i < cfg->n_cacerts; i++)
		cacerts[i] = (char *)cfg->cacerts[i];
	key_selector(cfg, &key);
	req.session_id = session_id;
	req.server_key = &key;
	req.identifier = identifier;
	req.revocation = revocation(cfg->revocation);
	req.cacerts = cacerts;
	req.n_cacerts = cfg->n_cacerts;
	rpc_call(authority, CYGNET__AUTHORITY_METHOD__AUTHORITY_EAP_TLS_START,
		 &req.base, &cygnet__eap_tls_reply__descriptor,
		 AUTHORITY_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_IKE, "starting EAP_TLS failed: %s", result.error);
		return NULL;
	}
	return (Cygnet__EapTlsReply *)result.reply;
}

Cygnet__EapTlsReply *auth_eap_tls_process(struct rpc_client *authority,
					  uint64_t session_id,
					  const uint8_t *packet, size_t len)
{
	Cygnet__EapTlsProcessRequest req = CYGNET__EAP_TLS_PROCESS_REQUEST__INIT;
	struct rpc_result result;

	req.session_id = session_id;
	req.eap_packet = (ProtobufCBinaryData){ len, (uint8_t *)packet };
	/* The client's certificate chain may need CRLs fetched. */
	rpc_call(authority, CYGNET__AUTHORITY_METHOD__AUTHORITY_EAP_TLS_PROCESS,
		 &req.base, &cygnet__eap_tls_reply__descriptor,
		 VERIFY_CERT_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_IKE, "EAP_TLS processing failed: %s", result.error);
		return NULL;
	}
	return (Cygnet__EapTlsReply *)result.reply;
}

static void abort_done(void *arg, struct rpc_result *result)
{
	(void)arg;
	if (result->status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_IKE, "aborting EAP_TLS session failed: %s", result->error);
		return;
	}
	protobuf_c_message_free_unpacked(result->reply, NULL);
}

void auth_eap_tls_abort(struct rpc_client *authority, uint64_t session_id)
{
	Cygnet__EapTlsAbortRequest req = CYGNET__EAP_TLS_ABORT_REQUEST__INIT;

	req.session_id = session_id;
	if (rpc_call_async(authority, CYGNET__AUTHORITY_METHOD__AUTHORITY_EAP_TLS_ABORT,
			   &req.base, &cygnet__empty__descriptor,
			   AUTHORITY_TIMEOUT_MS, abort_done, NULL) < 0)
		DBG1(LOG_IKE, "aborting EAP_TLS session failed");
}
