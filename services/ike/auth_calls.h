/* The authority service's part of IKE_AUTH: the peer's certificate and
 * AUTH payload are checked there, ours are made there.  Blocking calls,
 * made from request workers (worker.c). */
#ifndef CYGNET_IKE_AUTH_CALLS_H
#define CYGNET_IKE_AUTH_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authority.pb-c.h"
#include "ike/identity.h"
#include "ike/peer_cfg.h"
#include "rpc.h"

#define AUTH_CERTS_MAX 8
#define AUTH_SIG_MAX 1024

struct peer_certs {
	size_t n;
	const uint8_t *der[AUTH_CERTS_MAX];	/* [0] end entity */
	size_t len[AUTH_CERTS_MAX];
};

/* LOOKUP_CA for the peer's CERTREQ key ids; logs charon's "received
 * cert request for ..." lines. */
void auth_lookup_cas(struct rpc_client *authority,
		     const uint8_t *const *keyids, size_t n);

/* VERIFY_CERT; logs the outcome.  Returns 0 when trusted. */
int auth_verify_cert(struct rpc_client *authority, const struct peer_cfg *cfg,
		     const struct peer_certs *certs, const struct identity *peer);

/* VERIFY_AUTH; logs "authentication of '...' with ... successful" or
 * why not.  Returns 0 when valid. */
int auth_verify_signature(struct rpc_client *authority, const uint8_t *cert,
			  size_t cert_len, const struct identity *peer,
			  uint8_t method, const uint8_t *octets,
			  size_t octets_len, const uint8_t *sig, size_t sig_len);

/* Our certificate (LOCAL_CERT): *reply is freed by the caller with
 * protobuf_c_message_free_unpacked.  Returns 0, -1 (logged). */
int auth_local_cert(struct rpc_client *authority, const struct peer_cfg *cfg,
		    Cygnet__LocalCertReply **reply);

struct our_signature {
	uint8_t method;
	uint8_t data[AUTH_SIG_MAX];
	size_t len;
};

/* SIGN with our key; logs "authentication of '...' (myself) with ...".
 * Returns 0, -1 (logged). */
int auth_sign(struct rpc_client *authority, const struct peer_cfg *cfg,
	      const struct identity *us, const uint32_t *peer_hashes,
	      size_t n_peer_hashes, const uint8_t *octets, size_t octets_len,
	      struct our_signature *out);

/* EAP_TLS_START / EAP_TLS_PROCESS: the reply (freed by the caller with
 * protobuf_c_message_free_unpacked), NULL when the call failed (logged). */
Cygnet__EapTlsReply *auth_eap_tls_start(struct rpc_client *authority,
					const struct peer_cfg *cfg,
					uint64_t session_id, uint8_t identifier);
Cygnet__EapTlsReply *auth_eap_tls_process(struct rpc_client *authority,
					  uint64_t session_id,
					  const uint8_t *packet, size_t len);
/* EAP_TLS_ABORT, not waiting for the answer: the authority drops the
 * session at once instead of at its idle timeout.  Logged when the call
 * fails. */
void auth_eap_tls_abort(struct rpc_client *authority, uint64_t session_id);

#endif
