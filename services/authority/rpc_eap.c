/* EAP_TLS_START, EAP_TLS_PROCESS and EAP_TLS_ABORT. */
#include <stdlib.h>
#include <string.h>

#include "authority/eap_sessions.h"
#include "authority/handlers.h"
#include "authority/keysel.h"
#include "log.h"

static void free_cacerts(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

static char **copy_cacerts(char **names, size_t n)
{
	char **copy = calloc(n ? n : 1, sizeof(*copy));

	for (size_t i = 0; copy && i < n; i++) {
		copy[i] = strdup(names[i]);
		if (!copy[i]) {
			free_cacerts(copy, i);
			return NULL;
		}
	}
	return copy;
}

static struct eap_server *new_server(struct authority *a, struct cred_store *store,
				     const Cygnet__EapTlsStartRequest *req,
				     char **cacerts, char *why, size_t whylen)
{
	struct tls_server_params p = { 0 };

	p.server_cert = keysel_find(store, req->server_key, why, whylen);
	if (!p.server_cert)
		return NULL;
	p.store = store;
	p.crl = a->crl;
	p.ocsp = a->ocsp;
	p.revocation_wait_ms = a->cfg.revocation_wait_ms;
	p.revocation = req->revocation;
	p.cacerts = cacerts;
	p.n_cacerts = req->n_cacerts;
	p.tls13_mode = a->cfg.eap_tls13_mode;
	return eap_server_new(&p, (size_t)a->cfg.eap_fragment_size,
			      (size_t)a->cfg.eap_max_message,
			      (uint8_t)req->identifier, why, whylen);
}

static void reply_outcome(struct authority *a, struct rpc_reply *reply,
			  struct eap_outcome *out)
{
	Cygnet__EapTlsReply msg = CYGNET__EAP_TLS_REPLY__INIT;

	msg.state = out->state;
	msg.eap_packet.data = out->packet;
	msg.eap_packet.len = out->len;
	msg.reason = out->reason;
	if (out->state == CYGNET__EAP_TLS_STATE__EAP_TLS_SUCCESS) {
		msg.msk.data = out->msk;
		msg.msk.len = EAP_TLS_KEY_LEN;
		msg.emsk.data = out->emsk;
		msg.emsk.len = EAP_TLS_KEY_LEN;
		msg.peer_subject = out->peer_subject;
		msg.peer_alt_names = out->alt_names;
		msg.n_peer_alt_names = out->n_alt_names;
		msg.tls_version = (char *)out->tls_version;
		msg.cipher = (char *)out->cipher;
		atomic_fetch_add(&a->stats.eap_succeeded, 1);
	} else if (out->state == CYGNET__EAP_TLS_STATE__EAP_TLS_FAILURE) {
		atomic_fetch_add(&a->stats.eap_failed, 1);
	}
	rpc_reply_message(reply, &msg.base);
}

void handle_eap_start(void *ctx, const ProtobufCMessage *request,
		      struct rpc_reply *reply)
{
	const Cygnet__EapTlsStartRequest *req = (const Cygnet__EapTlsStartRequest *)request;
	struct authority *a = ctx;
	struct cred_store *store = acquire_store(a, reply);
	char **cacerts;
	struct eap_server *server;
	struct eap_outcome out;
	char why[256];

	if (!store)
		return;
	cacerts = copy_cacerts(req->cacerts, req->n_cacerts);
	server = cacerts ? new_server(a, store, req, cacerts, why, sizeof(why)) : NULL;
	store_unref(store);	/* the TLS server holds its own reference */
	if (server)
		eap_server_start(server, &out);
	if (!server || eap_sessions_add(a->eap, req->session_id, server, cacerts,
					req->n_cacerts, why, sizeof(why)) < 0) {
		if (server)
			eap_outcome_clear(&out);
		eap_server_free(server);
		free_cacerts(cacerts, req->n_cacerts);
		DBG1(LOG_TLS, "starting EAP-TLS failed: %s", why);
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED, "%s", why);
		return;
	}
	DBG1(LOG_TLS, "initiating EAP_TLS method (id 0x%02X)", (unsigned)req->identifier & 0xff);
	reply_outcome(a, reply, &out);
	eap_outcome_clear(&out);
}

void handle_eap_process(void *ctx, const ProtobufCMessage *request,
			struct rpc_reply *reply)
{
	const Cygnet__EapTlsProcessRequest *req = (const Cygnet__EapTlsProcessRequest *)request;
	struct authority *a = ctx;
	struct eap_outcome out;

	if (eap_sessions_process(a->eap, req->session_id, req->eap_packet.data,
				 req->eap_packet.len, &out) < 0) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"no EAP-TLS session %llu", (unsigned long long)req->session_id);
		return;
	}
	reply_outcome(a, reply, &out);
	eap_outcome_clear(&out);
}

void handle_eap_abort(void *ctx, const ProtobufCMessage *request,
		      struct rpc_reply *reply)
{
	const Cygnet__EapTlsAbortRequest *req = (const Cygnet__EapTlsAbortRequest *)request;
	struct authority *a = ctx;
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;

	if (eap_sessions_remove(a->eap, req->session_id) < 0) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"no EAP-TLS session %llu", (unsigned long long)req->session_id);
		return;
	}
	rpc_reply_message(reply, &empty.base);
}
