#include "ike/conn_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything below is malloc'd so that protobuf-c's free_unpacked with
 * the default allocator releases the whole tree. */

static const char *const auth_class_names[] = {
	[AUTH_CLASS_ANY] = "any",
	[AUTH_CLASS_PUBKEY] = "public key",
	[AUTH_CLASS_PSK] = "pre-shared key",
	[AUTH_CLASS_EAP] = "EAP",
};

static const char *const mode_names[] = {
	[MODE_TUNNEL] = "TUNNEL",
	[MODE_TRANSPORT] = "TRANSPORT",
	[MODE_PASS] = "PASS",
	[MODE_DROP] = "DROP",
};

static const char *const action_names[] = {
	[ACTION_NONE] = "clear",
	[ACTION_TRAP] = "trap",
	[ACTION_START] = "start",
	[ACTION_RESTART] = "restart",
};

static bool set_string(char **field, const char *value)
{
	*field = strdup(value ? value : "");
	return *field != NULL;
}

/* Repeated string fields: count items of size octets, each turned into
 * text by fn. */
typedef void (*text_fn)(const void *item, char *buf, size_t len);

static bool set_texts(char ***field, size_t *n, const void *items, size_t size,
		      size_t count, text_fn fn)
{
	*field = calloc(count ? count : 1, sizeof(char *));
	if (!*field)
		return false;
	for (*n = 0; *n < count; (*n)++) {
		char text[1024];

		fn((const char *)items + *n * size, text, sizeof(text));
		if (!set_string(&(*field)[*n], text))
			return false;
	}
	return true;
}

static void string_text(const void *item, char *buf, size_t len)
{
	snprintf(buf, len, "%s", *(char *const *)item);
}

/* The subject when the certificate could be read, else the file. */
static void cert_text(const void *item, char *buf, size_t len)
{
	const struct cert_ref *ref = item;

	snprintf(buf, len, "%s", ref->subject ? ref->subject : ref->file);
}

static void proposal_text(const void *item, char *buf, size_t len)
{
	proposal_format(item, buf, len);
}

static void ts_text(const void *item, char *buf, size_t len)
{
	ts_format(item, buf, len);
}

static Cygnet__AuthRound *export_auth(const struct auth_cfg *auth)
{
	Cygnet__AuthRound *m = malloc(sizeof(*m));
	const char *eap = auth->eap_type ? eap_type_name(auth->eap_type) : NULL;

	if (!m)
		return NULL;
	cygnet__auth_round__init(m);
	if (!set_string(&m->auth_class, auth_class_names[auth->auth_class]) ||
	    !set_string(&m->eap_type, eap) || !set_string(&m->id, auth->id) ||
	    !set_string(&m->eap_id, auth->eap_id) ||
	    !set_texts(&m->certs, &m->n_certs, auth->certs, sizeof(auth->certs[0]),
		       auth->n_certs, cert_text) ||
	    !set_texts(&m->cacerts, &m->n_cacerts, auth->cacerts,
		       sizeof(auth->cacerts[0]), auth->n_cacerts, cert_text)) {
		protobuf_c_message_free_unpacked(&m->base, NULL);
		return NULL;
	}
	return m;
}

static bool set_auths(Cygnet__AuthRound ***field, size_t *n,
		      const struct auth_cfg *auths, size_t count)
{
	*field = calloc(count ? count : 1, sizeof(**field));
	if (!*field)
		return false;
	for (*n = 0; *n < count; (*n)++)
		if (!((*field)[*n] = export_auth(&auths[*n])))
			return false;
	return true;
}

static Cygnet__ChildConn *export_child(const struct child_cfg *child)
{
	Cygnet__ChildConn *m = malloc(sizeof(*m));

	if (!m)
		return NULL;
	cygnet__child_conn__init(m);
	m->rekey_time = (uint64_t)child->rekey_time;
	m->life_time = (uint64_t)child->life_time;
	if (!set_string(&m->name, child->name) ||
	    !set_string(&m->mode, mode_names[child->mode]) ||
	    !set_string(&m->dpd_action, action_names[child->dpd_action]) ||
	    !set_string(&m->start_action, action_names[child->start_action]) ||
	    !set_texts(&m->local_ts, &m->n_local_ts, child->local_ts,
		       sizeof(struct ts), child->n_local_ts, ts_text) ||
	    !set_texts(&m->remote_ts, &m->n_remote_ts, child->remote_ts,
		       sizeof(struct ts), child->n_remote_ts, ts_text) ||
	    !set_texts(&m->esp_proposals, &m->n_esp_proposals, child->proposals,
		       sizeof(struct proposal), child->n_proposals,
		       proposal_text)) {
		protobuf_c_message_free_unpacked(&m->base, NULL);
		return NULL;
	}
	return m;
}

static bool set_children(Cygnet__ChildConn ***field, size_t *n,
			 const struct child_cfg *children, size_t count)
{
	*field = calloc(count ? count : 1, sizeof(**field));
	if (!*field)
		return false;
	for (*n = 0; *n < count; (*n)++)
		if (!((*field)[*n] = export_child(&children[*n])))
			return false;
	return true;
}

static Cygnet__Conn *export_conn(const struct conn_cfg *cfg)
{
	Cygnet__Conn *m = malloc(sizeof(*m));

	if (!m)
		return NULL;
	cygnet__conn__init(m);
	m->version = cfg->version;
	m->reauth_time = (uint64_t)cfg->reauth_time;
	m->rekey_time = (uint64_t)cfg->rekey_time;
	m->over_time = (uint64_t)cfg->over_time;
	m->dpd_delay = (uint64_t)cfg->dpd_delay;
	if (!set_string(&m->name, cfg->name) ||
	    !set_texts(&m->local_addrs, &m->n_local_addrs, cfg->local_addrs,
		       sizeof(char *), cfg->n_local_addrs, string_text) ||
	    !set_texts(&m->remote_addrs, &m->n_remote_addrs, cfg->remote_addrs,
		       sizeof(char *), cfg->n_remote_addrs, string_text) ||
	    !set_texts(&m->pools, &m->n_pools, cfg->pools, sizeof(char *),
		       cfg->n_pools, string_text) ||
	    !set_texts(&m->proposals, &m->n_proposals, cfg->proposals,
		       sizeof(struct proposal), cfg->n_proposals, proposal_text) ||
	    !set_auths(&m->local_auth, &m->n_local_auth, cfg->local_auths,
		       cfg->n_local_auths) ||
	    !set_auths(&m->remote_auth, &m->n_remote_auth, cfg->remote_auths,
		       cfg->n_remote_auths) ||
	    !set_children(&m->children, &m->n_children, cfg->children,
			  cfg->n_children)) {
		protobuf_c_message_free_unpacked(&m->base, NULL);
		return NULL;
	}
	return m;
}

Cygnet__ConnList *conn_export(const struct ike_config *config)
{
	Cygnet__ConnList *list = malloc(sizeof(*list));

	if (!list)
		return NULL;
	cygnet__conn_list__init(list);
	list->conns = calloc(config->n_conns ? config->n_conns : 1,
			     sizeof(*list->conns));
	if (!list->conns)
		goto fail;
	for (; list->n_conns < config->n_conns; list->n_conns++) {
		list->conns[list->n_conns] = export_conn(&config->conns[list->n_conns]);
		if (!list->conns[list->n_conns])
			goto fail;
	}
	return list;
fail:
	protobuf_c_message_free_unpacked(&list->base, NULL);
	return NULL;
}
