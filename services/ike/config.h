/* The connections { } section of swanctl.conf as the IKE service uses
 * it: peer configs with their auth rounds, proposals and children.
 * Loaded whole and validated; a reload swaps the complete model. */
#ifndef CYGNET_IKE_CONFIG_H
#define CYGNET_IKE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "conf.h"
#include "ike/proposal.h"
#include "ike/ts.h"

#define CONFIG_MAX_ADDRS 16
#define CONFIG_MAX_PROPOSALS 32
#define CONFIG_MAX_CERTS 8
#define CONFIG_MAX_AUTHS 4
#define CONFIG_MAX_TS 16
#define CONFIG_MAX_POOLS 8
#define CONFIG_MAX_VIPS 2	/* vips = 0.0.0.0, :: */
/* cygnet.authority.swanctl_dir, the authority service's default. */
#define CONFIG_DEFAULT_SWANCTL_DIR "/etc/cygnet/swanctl"

enum auth_class {
	AUTH_CLASS_ANY,
	AUTH_CLASS_PUBKEY,
	AUTH_CLASS_PSK,
	AUTH_CLASS_EAP,
};

/* A certificate named in the config: the file as resolved (relative
 * names live in x509/ or x509ca/ of cygnet.authority.swanctl_dir, as in
 * swanctl's layout) and its subject, NULL when the file is unreadable. */
struct cert_ref {
	char *file;
	char *subject;
};

struct auth_cfg {
	enum auth_class auth_class;
	unsigned eap_type;	/* EAP method number, 0 = any */
	char *id;		/* NULL when not configured */
	char *eap_id;
	size_t n_certs;
	struct cert_ref certs[CONFIG_MAX_CERTS];
	size_t n_cacerts;
	struct cert_ref cacerts[CONFIG_MAX_CERTS];
	char *revocation;	/* "strict", "ifuri", "relaxed" */
};

enum child_mode { MODE_TUNNEL, MODE_TRANSPORT, MODE_PASS, MODE_DROP };
enum child_action { ACTION_NONE, ACTION_TRAP, ACTION_START, ACTION_RESTART };

struct child_cfg {
	char *name;
	size_t n_local_ts;
	struct ts local_ts[CONFIG_MAX_TS];
	size_t n_remote_ts;
	struct ts remote_ts[CONFIG_MAX_TS];
	size_t n_proposals;
	struct proposal proposals[CONFIG_MAX_PROPOSALS];
	long rekey_time;
	long life_time;
	enum child_mode mode;
	enum child_action start_action;
	enum child_action dpd_action;
	enum child_action close_action;
};

/* A virtual IP to request; all zero: any of its family. */
struct vip_cfg {
	uint8_t addr[16];
	size_t len;		/* 4 or 16 */
};

enum fragmentation { FRAG_NO, FRAG_YES, FRAG_ACCEPT, FRAG_FORCE };
enum send_cert { SEND_CERT_IFASKED, SEND_CERT_NEVER, SEND_CERT_ALWAYS };

struct conn_cfg {
	char *name;
	unsigned version;	/* 0 any, 2 IKEv2 */
	size_t n_local_addrs;
	char *local_addrs[CONFIG_MAX_ADDRS];
	size_t n_remote_addrs;
	char *remote_addrs[CONFIG_MAX_ADDRS];
	size_t n_proposals;
	struct proposal proposals[CONFIG_MAX_PROPOSALS];
	size_t n_local_auths;
	struct auth_cfg local_auths[CONFIG_MAX_AUTHS];
	size_t n_remote_auths;
	struct auth_cfg remote_auths[CONFIG_MAX_AUTHS];
	long reauth_time;
	long rekey_time;
	long over_time;
	long rand_time;		/* jitter subtracted from reauth/rekey */
	long dpd_delay;
	enum fragmentation fragmentation;
	enum send_cert send_cert;
	bool send_certreq;
	bool mobike;
	size_t n_pools;
	char *pools[CONFIG_MAX_POOLS];
	size_t n_vips;
	struct vip_cfg vips[CONFIG_MAX_VIPS];
	size_t n_children;
	struct child_cfg *children;
};

struct ike_config {
	size_t n_conns;
	struct conn_cfg *conns;
	char *base_dir;		/* where relative certificate names live */
};

/* Builds the model from the connections { } section of conf (absent =
 * no connections).  Returns NULL with "connection 'x': why" in err. */
struct ike_config *config_load(const struct conf *conf, char *err,
			       size_t errlen);
void config_free(struct ike_config *config);

const struct conn_cfg *config_find(const struct ike_config *config,
				   const char *name);

/* The first connection whose local_addrs and remote_addrs (empty =
 * %any) contain the addresses of an IKE_SA_INIT (conn_match.c). */
bool config_conn_matches(const struct conn_cfg *conn,
			 const struct sockaddr_storage *local,
			 const struct sockaddr_storage *remote);
const struct conn_cfg *config_match(const struct ike_config *config,
				    const struct sockaddr_storage *local,
				    const struct sockaddr_storage *remote);

const char *eap_type_name(unsigned type);	/* "EAP_TLS", NULL if unknown */

#endif
