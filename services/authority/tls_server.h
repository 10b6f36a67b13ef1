/* The TLS side of an EAP-TLS session: an OpenSSL server SSL on memory
 * BIOs, TLS 1.2 or 1.3, client certificate required and verified with
 * the authority's chain and revocation logic, keys exported per RFC 5216
 * (TLS 1.2) and RFC 9190 or strongSwan 5.9's variant (TLS 1.3). */
#ifndef AUTHORITY_TLS_SERVER_H
#define AUTHORITY_TLS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authority.pb-c.h"
#include "authority/crl.h"
#include "authority/ocsp.h"
#include "authority/store.h"

#define EAP_TLS_KEY_LEN 64

struct tls_server;

/* How EAP-TLS with TLS 1.3 ends and derives its keys. */
enum eap_tls13_mode {
	/* RFC 9190: the protected success indication (one byte of application
	 * data) ends the handshake, Key_Material = TLS-Exporter(
	 * "EXPORTER_EAP_TLS_Key_Material", 0x0D, 128) (Windows 11 and others) */
	EAP_TLS13_RFC9190,
	/* strongSwan 5.9's experimental TLS 1.3 (from before RFC 9190, seen
	 * with 5.9.8): no success indication (its EAP-TLS has no TLS
	 * application and crashes on application data), Key_Material =
	 * TLS-Exporter("client EAP encryption", no context, 128) */
	EAP_TLS13_STRONGSWAN_59,
};

struct tls_server_params {
	struct cred_store *store;	/* referenced by the session */
	const struct cred_cert *server_cert;	/* has a key */
	struct crl_fetcher *crl;
	struct ocsp_client *ocsp;
	long revocation_wait_ms;
	Cygnet__RevocationPolicy revocation;
	char **cacerts;
	size_t n_cacerts;
	enum eap_tls13_mode tls13_mode;
};

struct tls_server *tls_server_new(const struct tls_server_params *p,
				  char *why, size_t whylen);
void tls_server_free(struct tls_server *t);

enum tls_step {
	TLS_STEP_CONTINUE,	/* handshake goes on */
	TLS_STEP_DONE,		/* handshake finished, keys available */
	TLS_STEP_FAILED,	/* reason() says why; output may hold an alert */
};

/* Feeds TLS records from the peer and advances the handshake. */
enum tls_step tls_server_input(struct tls_server *t, const uint8_t *data,
			       size_t len);
/* What the server wants to send; malloc'd into *out, returns the length. */
size_t tls_server_output(struct tls_server *t, uint8_t **out);

const char *tls_server_reason(const struct tls_server *t);
/* After DONE: MSK and EMSK (64 bytes each), peer subject and names. */
int tls_server_keys(struct tls_server *t, uint8_t msk[EAP_TLS_KEY_LEN],
		    uint8_t emsk[EAP_TLS_KEY_LEN]);
const char *tls_server_peer_subject(const struct tls_server *t);
size_t tls_server_peer_alt_names(const struct tls_server *t, char **out, size_t max);
const char *tls_server_version(const struct tls_server *t);
const char *tls_server_cipher(const struct tls_server *t);

#endif
