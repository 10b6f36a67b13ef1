/* The EAP-TLS sessions in progress, keyed by the IKE service's session
 * id, with a limit on how many run at once and an idle timeout after
 * which a session is dropped. */
#ifndef AUTHORITY_EAP_SESSIONS_H
#define AUTHORITY_EAP_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "authority/eap_server.h"

struct eap_sessions;

struct eap_sessions *eap_sessions_new(size_t max_sessions, long timeout_s);
void eap_sessions_free(struct eap_sessions *t);
size_t eap_sessions_active(struct eap_sessions *t);

/* Adds a session (taking over server and the cacerts copy); -1 with why
 * when the id is in use or the table is full. */
int eap_sessions_add(struct eap_sessions *t, uint64_t id, struct eap_server *server,
		     char **cacerts, size_t n_cacerts, char *why, size_t whylen);
/* Runs one peer packet through session id; -1 when there is none.  A
 * session that reached SUCCESS or FAILURE is removed. */
int eap_sessions_process(struct eap_sessions *t, uint64_t id, const uint8_t *pkt,
			 size_t len, struct eap_outcome *out);
/* Removes a session; -1 when there is none. */
int eap_sessions_remove(struct eap_sessions *t, uint64_t id);
/* Drops sessions idle for longer than the timeout; returns how many. */
size_t eap_sessions_expire(struct eap_sessions *t);

#endif
