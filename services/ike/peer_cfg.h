/* The peer config an IKE_AUTH selects (charon's "looking for peer
 * configs matching ..."), copied out of the config model so the
 * exchange runs without holding the config lock. */
#ifndef CYGNET_IKE_PEER_CFG_H
#define CYGNET_IKE_PEER_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "ike/config.h"

#define PEER_TEXT_MAX 512

struct peer_child {
	char name[64];
	size_t n_local_ts;
	struct ts local_ts[CONFIG_MAX_TS];
	size_t n_remote_ts;
	struct ts remote_ts[CONFIG_MAX_TS];
	size_t n_proposals;
	struct proposal proposals[CONFIG_MAX_PROPOSALS];
	enum child_mode mode;
	long rekey_time;
	long life_time;
};

struct peer_cfg {
	char name[64];
	enum auth_class remote_class;
	char remote_id[PEER_TEXT_MAX];		/* "" when any */
	char eap_id[PEER_TEXT_MAX];		/* "" or "%any" when any */
	char revocation[16];
	size_t n_cacerts;
	char cacerts[CONFIG_MAX_CERTS][PEER_TEXT_MAX];
	char local_id[PEER_TEXT_MAX];		/* "" when not configured */
	char local_cert[PEER_TEXT_MAX];		/* subject or file, "" none */
	enum send_cert send_cert;
	enum fragmentation fragmentation;
	size_t n_pools;
	char pools[CONFIG_MAX_POOLS][64];
	size_t n_vips;				/* ours to request */
	struct vip_cfg vips[CONFIG_MAX_VIPS];
	long dpd_delay;				/* 0: no DPD of ours */
	enum child_action dpd_action;		/* the child's */
	bool has_child;
	struct peer_child child;		/* the first child */
};

/* A configured child as the exchanges use it (outside the config
 * lock). */
void peer_child_copy(const struct child_cfg *c, struct peer_child *out);

/* Connection c as we initiate it, with its child number child as the
 * CHILD_SA of IKE_AUTH. */
void peer_cfg_from_conn(const struct conn_cfg *c, size_t child,
			struct peer_cfg *out);

/* Whether a connection's remote { } accepts the peer's identity text:
 * no id, %any, or the same text. */
bool peer_id_matches(const struct conn_cfg *conn, const char *peer_id);

/* Whether remote.eap_id accepts an EAP identity: none or %any, else
 * one of its comma separated identities. */
bool peer_eap_id_allowed(const struct peer_cfg *cfg, const char *identity);

/* The first connection matching the addresses and the peer's identity,
 * copied into out; logs charon's lines.  Returns 0, -1 if none. */
int peer_cfg_select(const struct ike_config *config,
		    const struct sockaddr_storage *local,
		    const struct sockaddr_storage *remote,
		    const char *our_id, const char *peer_id,
		    struct peer_cfg *out);

/* The peer sent no AUTH payload (it asks for EAP) and the selected
 * config does not authenticate it with EAP: charon's switch to the
 * first matching connection that does.  Logs which; 0, -1 if none. */
int peer_cfg_switch_eap(const struct ike_config *config,
			const struct sockaddr_storage *local,
			const struct sockaddr_storage *remote,
			const char *peer_id, struct peer_cfg *out);

#endif
