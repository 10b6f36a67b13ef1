#include "ike/peer_cfg.h"
#include "ike/socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static const struct auth_cfg *first_auth(const struct auth_cfg *auths, size_t n)
{
	return n ? &auths[0] : NULL;
}

bool peer_id_matches(const struct conn_cfg *conn, const char *peer_id)
{
	const struct auth_cfg *remote = first_auth(conn->remote_auths,
						   conn->n_remote_auths);

	if (!remote || !remote->id || strcmp(remote->id, "%any") == 0)
		return true;
	return strcmp(remote->id, peer_id) == 0;
}

bool peer_eap_id_allowed(const struct peer_cfg *cfg, const char *identity)
{
	size_t len = strlen(identity);
	const char *p = cfg->eap_id;

	if (!*p || strcmp(p, "%any") == 0)
		return true;
	while (*p) {
		size_t n;

		p += strspn(p, ", ");
		n = strcspn(p, ",");
		while (n && p[n - 1] == ' ')
			n--;
		if (n == len && strncmp(p, identity, n) == 0)
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

static void copy_text(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

void peer_child_copy(const struct child_cfg *c, struct peer_child *out)
{
	copy_text(out->name, sizeof(out->name), c->name);
	out->n_local_ts = c->n_local_ts;
	memcpy(out->local_ts, c->local_ts, sizeof(out->local_ts));
	out->n_remote_ts = c->n_remote_ts;
	memcpy(out->remote_ts, c->remote_ts, sizeof(out->remote_ts));
	out->n_proposals = c->n_proposals;
	memcpy(out->proposals, c->proposals, sizeof(out->proposals));
	out->mode = c->mode;
	out->rekey_time = c->rekey_time;
	out->life_time = c->life_time;
}

static void copy_remote(const struct auth_cfg *a, struct peer_cfg *out)
{
	out->remote_class = a ? a->auth_class : AUTH_CLASS_ANY;
	if (!a)
		return;
	if (a->id && strcmp(a->id, "%any") != 0)
		copy_text(out->remote_id, sizeof(out->remote_id), a->id);
	copy_text(out->eap_id, sizeof(out->eap_id), a->eap_id);
	copy_text(out->revocation, sizeof(out->revocation), a->revocation);
	out->n_cacerts = a->n_cacerts;
	for (size_t i = 0; i < a->n_cacerts; i++)
		copy_text(out->cacerts[i], sizeof(out->cacerts[i]),
			  a->cacerts[i].subject ? a->cacerts[i].subject :
						  a->cacerts[i].file);
}

static void copy_local(const struct auth_cfg *a, struct peer_cfg *out)
{
	if (!a)
		return;
	copy_text(out->local_id, sizeof(out->local_id), a->id);
	if (a->n_certs)
		copy_text(out->local_cert, sizeof(out->local_cert),
			  a->certs[0].subject ? a->certs[0].subject :
						a->certs[0].file);
}

static void copy_conn(const struct conn_cfg *c, struct peer_cfg *out)
{
	memset(out, 0, sizeof(*out));
	copy_text(out->name, sizeof(out->name), c->name);
	copy_remote(first_auth(c->remote_auths, c->n_remote_auths), out);
	copy_local(first_auth(c->local_auths, c->n_local_auths), out);
	out->send_cert = c->send_cert;
	out->fragmentation = c->fragmentation;
	out->n_pools = c->n_pools;
	for (size_t i = 0; i < c->n_pools; i++)
		copy_text(out->pools[i], sizeof(out->pools[i]), c->pools[i]);
	out->n_vips = c->n_vips;
	memcpy(out->vips, c->vips, sizeof(out->vips));
	out->dpd_delay = c->dpd_delay;
	out->has_child = c->n_children > 0;
	if (out->has_child) {
		peer_child_copy(&c->children[0], &out->child);
		out->dpd_action = c->children[0].dpd_action;
	}
}

void peer_cfg_from_conn(const struct conn_cfg *c, size_t child,
			struct peer_cfg *out)
{
	copy_conn(c, out);
	if (child < c->n_children) {
		peer_child_copy(&c->children[child], &out->child);
		out->dpd_action = c->children[child].dpd_action;
	}
}

/* The first connection matching the addresses and the peer's identity;
 * eap_only keeps only those whose remote auth is EAP. */
static const struct conn_cfg *find_conn(const struct ike_config *config,
					const struct sockaddr_storage *local,
					const struct sockaddr_storage *remote,
					const char *peer_id, bool eap_only)
{
	for (size_t i = 0; i < config->n_conns; i++) {
		const struct conn_cfg *c = &config->conns[i];
		const struct auth_cfg *a = first_auth(c->remote_auths,
						      c->n_remote_auths);

		if (eap_only && (!a || a->auth_class != AUTH_CLASS_EAP))
			continue;
		if (config_conn_matches(c, local, remote) &&
		    peer_id_matches(c, peer_id))
			return c;
	}
	return NULL;
}

int peer_cfg_select(const struct ike_config *config,
		    const struct sockaddr_storage *local,
		    const struct sockaddr_storage *remote,
		    const char *our_id, const char *peer_id,
		    struct peer_cfg *out)
{
	const struct conn_cfg *c;
	char lhost[64], rhost[64];

	sockaddr_host(local, lhost, sizeof(lhost));
	sockaddr_host(remote, rhost, sizeof(rhost));
	DBG1(LOG_CFG, "looking for peer configs matching %s[%s]...%s[%s]",
	     lhost, our_id && *our_id ? our_id : "%any", rhost, peer_id);
	c = find_conn(config, local, remote, peer_id, false);
	if (!c) {
		DBG1(LOG_CFG, "no matching peer config found");
		return -1;
	}
	copy_conn(c, out);
	DBG1(LOG_CFG, "selected peer config '%s'", out->name);
	return 0;
}

int peer_cfg_switch_eap(const struct ike_config *config,
			const struct sockaddr_storage *local,
			const struct sockaddr_storage *remote,
			const char *peer_id, struct peer_cfg *out)
{
	const struct conn_cfg *c = find_conn(config, local, remote, peer_id,
					     true);

	if (!c) {
		DBG1(LOG_CFG, "no alternative config found");
		return -1;
	}
	copy_conn(c, out);
	DBG1(LOG_CFG, "switching to peer config '%s'", out->name);
	return 0;
}
