#include "ike/config.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ike/dn.h"
#include "log.h"

struct word {
	const char *text;
	int value;
};

static const struct word eap_types[] = {
	{ "EAP_IDENTITY", 1 }, { "EAP_MD5", 4 }, { "EAP_GTC", 6 },
	{ "EAP_TLS", 13 }, { "EAP_SIM", 18 }, { "EAP_TTLS", 21 },
	{ "EAP_AKA", 23 }, { "EAP_PEAP", 25 }, { "EAP_MSCHAPV2", 26 },
	{ "EAP_TNC", 38 }, { "EAP_RADIUS", 253 },
};

static const struct word modes[] = {
	{ "tunnel", MODE_TUNNEL }, { "transport", MODE_TRANSPORT },
	{ "pass", MODE_PASS }, { "drop", MODE_DROP }, { NULL, 0 },
};

static const struct word actions[] = {
	{ "none", ACTION_NONE }, { "clear", ACTION_NONE },
	{ "trap", ACTION_TRAP }, { "hold", ACTION_TRAP },
	{ "start", ACTION_START }, { "restart", ACTION_RESTART },
	{ NULL, 0 },
};

static const struct word fragmentations[] = {
	{ "no", FRAG_NO }, { "yes", FRAG_YES }, { "accept", FRAG_ACCEPT },
	{ "force", FRAG_FORCE }, { NULL, 0 },
};

static const struct word send_certs[] = {
	{ "ifasked", SEND_CERT_IFASKED }, { "never", SEND_CERT_NEVER },
	{ "always", SEND_CERT_ALWAYS }, { NULL, 0 },
};

/* Defaults of swanctl.conf. */
#define DEFAULT_IKE_REKEY 14400
#define DEFAULT_CHILD_REKEY 3600

const char *eap_type_name(unsigned type)
{
	for (size_t i = 0; i < sizeof(eap_types) / sizeof(eap_types[0]); i++)
		if ((unsigned)eap_types[i].value == type)
			return eap_types[i].text;
	return NULL;
}

/* Errors carry the connection (and child) they belong to. */
struct ctx {
	const char *conn;
	const char *child;
	const char *base_dir;
	char *err;
	size_t errlen;
};

static int fail(struct ctx *ctx, const char *fmt, const char *what)
{
	char why[256];

	snprintf(why, sizeof(why), fmt, what);
	if (ctx->child)
		snprintf(ctx->err, ctx->errlen, "connection '%s' child '%s': %s",
			 ctx->conn, ctx->child, why);
	else
		snprintf(ctx->err, ctx->errlen, "connection '%s': %s", ctx->conn,
			 why);
	return -1;
}

static int lookup_word(struct ctx *ctx, const struct conf_section *sec,
		       const char *key, const struct word *words, int def,
		       int *out)
{
	const char *value = conf_get(sec, key, NULL);

	*out = def;
	if (!value)
		return 0;
	for (size_t i = 0; words[i].text; i++) {
		if (strcasecmp(words[i].text, value) == 0) {
			*out = words[i].value;
			return 0;
		}
	}
	return fail(ctx, "invalid value '%s'", value);
}

static int get_seconds(struct ctx *ctx, const struct conf_section *sec,
		       const char *key, long def, long *out)
{
	if (conf_get_seconds(sec, key, def, out) < 0 || *out < 0)
		return fail(ctx, "invalid duration for %s", key);
	return 0;
}

/* A comma-separated list; more than max items is an error. */
static int get_list(struct ctx *ctx, const struct conf_section *sec,
		    const char *key, char **items, size_t max, size_t *count)
{
	char *buf[max + 1];
	size_t n = conf_get_list(sec, key, buf, max + 1);

	if (n > max) {
		conf_list_free(buf, n);
		return fail(ctx, "too many values for %s", key);
	}
	memcpy(items, buf, n * sizeof(char *));
	*count = n;
	return 0;
}

/* vips: addresses to request as an initiator, 0.0.0.0 / :: for any. */
static int load_vips(struct ctx *ctx, const struct conf_section *sec,
		     struct conn_cfg *cfg)
{
	char *items[CONFIG_MAX_VIPS];
	size_t n;
	int rc = 0;

	if (get_list(ctx, sec, "vips", items, CONFIG_MAX_VIPS, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct vip_cfg *v = &cfg->vips[i];

		if (inet_pton(AF_INET, items[i], v->addr) == 1)
			v->len = 4;
		else if (inet_pton(AF_INET6, items[i], v->addr) == 1)
			v->len = 16;
		else
			rc = fail(ctx, "invalid virtual IP '%s'", items[i]);
	}
	cfg->n_vips = rc == 0 ? n : 0;
	conf_list_free(items, n);
	return rc;
}

static int load_proposals(struct ctx *ctx, const struct conf_section *sec,
			  const char *key, enum ike_protocol protocol,
			  struct proposal *out, size_t *count)
{
	char *items[CONFIG_MAX_PROPOSALS];
	size_t n;
	int rc = 0;

	*count = 0;
	if (get_list(ctx, sec, key, items, CONFIG_MAX_PROPOSALS, &n) < 0)
		return -1;
	if (n == 0) {
		items[0] = strdup("default");
		n = items[0] ? 1 : 0;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		char why[200];
		int added = proposal_parse(items[i], protocol, out + *count,
					   CONFIG_MAX_PROPOSALS - *count, why,
					   sizeof(why));

		if (added < 0)
			rc = fail(ctx, "%s", why);
		else
			*count += (size_t)added;
	}
	conf_list_free(items, n);
	return rc;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void resolve_cert(struct ctx *ctx, const char *dir, char *name,
			 struct cert_ref *ref)
{
	char path[PATH_MAX], subject[512];

	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s/%s", ctx->base_dir, dir, name);
	free(name);
	ref->file = strdup(path);
	if (dn_cert_file_subject(path, subject, sizeof(subject)) == 0) {
		ref->subject = strdup(subject);
		return;
	}
	DBG1(LOG_CFG, "loading certificate from '%s' failed", path);
}

static int load_certs(struct ctx *ctx, const struct conf_section *sec,
		      const char *key, const char *dir, struct cert_ref *refs,
		      size_t *count)
{
	char *names[CONFIG_MAX_CERTS];

	if (get_list(ctx, sec, key, names, CONFIG_MAX_CERTS, count) < 0)
		return -1;
	for (size_t i = 0; i < *count; i++)
		resolve_cert(ctx, dir, names[i], &refs[i]);
	return 0;
}

static int parse_auth_class(struct ctx *ctx, const char *value,
			    struct auth_cfg *auth)
{
	if (strcmp(value, "pubkey") == 0 || strcmp(value, "rsa") == 0 ||
	    strcmp(value, "ecdsa") == 0) {
		auth->auth_class = AUTH_CLASS_PUBKEY;
		return 0;
	}
	if (strcmp(value, "psk") == 0) {
		auth->auth_class = AUTH_CLASS_PSK;
		return 0;
	}
	if (strcmp(value, "eap") == 0) {
		auth->auth_class = AUTH_CLASS_EAP;
		return 0;
	}
	if (strncmp(value, "eap-", 4) == 0) {
		char name[32];

		snprintf(name, sizeof(name), "EAP_%s", value + 4);
		for (size_t i = 0; i < sizeof(eap_types) / sizeof(eap_types[0]); i++) {
			if (strcasecmp(eap_types[i].text, name) == 0) {
				auth->auth_class = AUTH_CLASS_EAP;
				auth->eap_type = (unsigned)eap_types[i].value;
				return 0;
			}
		}
	}
	return fail(ctx, "unsupported auth '%s'", value);
}

static int load_auth(struct ctx *ctx, const struct conf_section *sec,
		     struct auth_cfg *auth)
{
	if (parse_auth_class(ctx, conf_get(sec, "auth", "pubkey"), auth) < 0)
		return -1;
	auth->id = dup_or_null(conf_get(sec, "id", NULL));
	auth->eap_id = dup_or_null(conf_get(sec, "eap_id", NULL));
	auth->revocation = dup_or_null(conf_get(sec, "revocation", NULL));
	if (auth->revocation && strcmp(auth->revocation, "strict") != 0 &&
	    strcmp(auth->revocation, "ifuri") != 0 &&
	    strcmp(auth->revocation, "relaxed") != 0)
		return fail(ctx, "invalid revocation '%s'", auth->revocation);
	if (load_certs(ctx, sec, "certs", "x509", auth->certs, &auth->n_certs) < 0)
		return -1;
	return load_certs(ctx, sec, "cacerts", "x509ca", auth->cacerts,
			  &auth->n_cacerts);
}

/* local, local-1, local2 ...: one auth round each, in config order. */
static int load_auths(struct ctx *ctx, const struct conf_section *conn,
		      const char *prefix, struct auth_cfg *auths, size_t *count)
{
	for (size_t i = 0; i < conf_section_count(conn); i++) {
		const struct conf_section *sec = conf_section_at(conn, i);

		if (strncmp(conf_section_name(sec), prefix, strlen(prefix)) != 0)
			continue;
		if (*count == CONFIG_MAX_AUTHS)
			return fail(ctx, "too many %s authentication rounds", prefix);
		if (load_auth(ctx, sec, &auths[(*count)++]) < 0)
			return -1;
	}
	return 0;
}

static int load_ts(struct ctx *ctx, const struct conf_section *sec,
		   const char *key, struct ts *out, size_t *count)
{
	char *items[CONFIG_MAX_TS];
	int rc = 0;

	if (get_list(ctx, sec, key, items, CONFIG_MAX_TS, count) < 0)
		return -1;
	for (size_t i = 0; i < *count && rc == 0; i++) {
		char why[200];

		if (ts_parse(items[i], &out[i], why, sizeof(why)) < 0)
			rc = fail(ctx, "%s", why);
	}
	conf_list_free(items, *count);
	if (rc == 0 && *count == 0) {
		out[0] = (struct ts){ .dynamic = true, .end_port = 65535 };
		*count = 1;
	}
	return rc;
}

static int load_child_times(struct ctx *ctx, const struct conf_section *sec,
			    struct child_cfg *child)
{
	if (get_seconds(ctx, sec, "rekey_time", DEFAULT_CHILD_REKEY,
			&child->rekey_time) < 0 ||
	    get_seconds(ctx, sec, "life_time", child->rekey_time * 11 / 10,
			&child->life_time) < 0)
		return -1;
	if (child->rekey_time && child->life_time <= child->rekey_time)
		return fail(ctx, "%s", "life_time must be greater than rekey_time");
	return 0;
}

static int load_child_actions(struct ctx *ctx, const struct conf_section *sec,
			      struct child_cfg *child)
{
	int mode, start, dpd, close;

	if (lookup_word(ctx, sec, "mode", modes, MODE_TUNNEL, &mode) < 0 ||
	    lookup_word(ctx, sec, "start_action", actions, ACTION_NONE, &start) < 0 ||
	    lookup_word(ctx, sec, "dpd_action", actions, ACTION_NONE, &dpd) < 0 ||
	    lookup_word(ctx, sec, "close_action", actions, ACTION_NONE, &close) < 0)
		return -1;
	child->mode = (enum child_mode)mode;
	child->start_action = (enum child_action)start;
	child->dpd_action = (enum child_action)dpd;
	child->close_action = (enum child_action)close;
	return 0;
}

static int load_child(struct ctx *ctx, const struct conf_section *sec,
		      struct child_cfg *child)
{
	child->name = strdup(conf_section_name(sec));
	ctx->child = child->name;
	if (load_ts(ctx, sec, "local_ts", child->local_ts, &child->n_local_ts) < 0 ||
	    load_ts(ctx, sec, "remote_ts", child->remote_ts, &child->n_remote_ts) < 0 ||
	    load_proposals(ctx, sec, "esp_proposals", PROTO_ESP,
			   child->proposals, &child->n_proposals) < 0 ||
	    load_child_times(ctx, sec, child) < 0 ||
	    load_child_actions(ctx, sec, child) < 0)
		return -1;
	ctx->child = NULL;
	return 0;
}

static int load_children(struct ctx *ctx, const struct conf_section *conn,
			 struct conn_cfg *cfg)
{
	const struct conf_section *children = conf_section_find(conn, "children");
	size_t n = children ? conf_section_count(children) : 0;

	if (n == 0)
		return 0;
	cfg->children = calloc(n, sizeof(*cfg->children));
	if (!cfg->children)
		return fail(ctx, "%s", "out of memory");
	for (size_t i = 0; i < n; i++) {
		cfg->n_children++;
		if (load_child(ctx, conf_section_at(children, i),
			       &cfg->children[i]) < 0)
			return -1;
	}
	return 0;
}

static int load_version(struct ctx *ctx, const struct conf_section *sec,
			struct conn_cfg *cfg)
{
	long version;

	if (conf_get_int(sec, "version", 0, &version) < 0)
		return fail(ctx, "%s", "invalid version");
	if (version == 1)
		return fail(ctx, "%s", "IKEv1 is not supported");
	if (version != 0 && version != 2)
		return fail(ctx, "%s", "invalid version");
	cfg->version = (unsigned)version;
	return 0;
}

static int load_times(struct ctx *ctx, const struct conf_section *sec,
		      struct conn_cfg *cfg)
{
	long longest;

	if (get_seconds(ctx, sec, "reauth_time", 0, &cfg->reauth_time) < 0 ||
	    get_seconds(ctx, sec, "rekey_time", DEFAULT_IKE_REKEY,
			&cfg->rekey_time) < 0 ||
	    get_seconds(ctx, sec, "dpd_delay", 0, &cfg->dpd_delay) < 0)
		return -1;
	longest = cfg->reauth_time > cfg->rekey_time ? cfg->reauth_time :
		  cfg->rekey_time;
	if (get_seconds(ctx, sec, "over_time", longest / 10, &cfg->over_time) < 0)
		return -1;
	return get_seconds(ctx, sec, "rand_time", cfg->over_time, &cfg->rand_time);
}

static int load_options(struct ctx *ctx, const struct conf_section *sec,
			struct conn_cfg *cfg)
{
	int frag, send_cert;

	if (lookup_word(ctx, sec, "fragmentation", fragmentations, FRAG_YES,
			&frag) < 0 ||
	    lookup_word(ctx, sec, "send_cert", send_certs, SEND_CERT_IFASKED,
			&send_cert) < 0)
		return -1;
	cfg->fragmentation = (enum fragmentation)frag;
	cfg->send_cert = (enum send_cert)send_cert;
	if (conf_get_bool(sec, "send_certreq", true, &cfg->send_certreq) < 0)
		return fail(ctx, "%s", "invalid send_certreq");
	if (conf_get_bool(sec, "mobike", true, &cfg->mobike) < 0)
		return fail(ctx, "%s", "invalid mobike");
	return 0;
}

static int load_conn(struct ctx *ctx, const struct conf_section *sec,
		     struct conn_cfg *cfg)
{
	cfg->name = strdup(conf_section_name(sec));
	ctx->conn = cfg->name;
	ctx->child = NULL;
	if (!cfg->name)
		return -1;
	if (load_version(ctx, sec, cfg) < 0 ||
	    get_list(ctx, sec, "local_addrs", cfg->local_addrs, CONFIG_MAX_ADDRS,
		     &cfg->n_local_addrs) < 0 ||
	    get_list(ctx, sec, "remote_addrs", cfg->remote_addrs,
		     CONFIG_MAX_ADDRS, &cfg->n_remote_addrs) < 0 ||
	    get_list(ctx, sec, "pools", cfg->pools, CONFIG_MAX_POOLS,
		     &cfg->n_pools) < 0 ||
	    load_vips(ctx, sec, cfg) < 0 ||
	    load_proposals(ctx, sec, "proposals", PROTO_IKE, cfg->proposals,
			   &cfg->n_proposals) < 0 ||
	    load_times(ctx, sec, cfg) < 0 || load_options(ctx, sec, cfg) < 0 ||
	    load_auths(ctx, sec, "local", cfg->local_auths,
		       &cfg->n_local_auths) < 0 ||
	    load_auths(ctx, sec, "remote", cfg->remote_auths,
		       &cfg->n_remote_auths) < 0)
		return -1;
	return load_children(ctx, sec, cfg);
}

/* Relative certificate names are looked up where the authority loads
 * credentials from (its swanctl-style directory). */
static char *credential_dir(const struct conf_section *root)
{
	return strdup(conf_get(root, "cygnet.authority.swanctl_dir",
			       CONFIG_DEFAULT_SWANCTL_DIR));
}

struct ike_config *config_load(const struct conf *conf, char *err,
			       size_t errlen)
{
	const struct conf_section *root = conf_root(conf);
	const struct conf_section *conns = conf_section_find(root, "connections");
	struct ike_config *config = calloc(1, sizeof(*config));
	struct ctx ctx = { .err = err, .errlen = errlen };
	size_t n = conns ? conf_section_count(conns) : 0;

	if (!config)
		goto nomem;
	config->base_dir = credential_dir(root);
	if (!config->base_dir)
		goto nomem;
	ctx.base_dir = config->base_dir;
	if (n && !(config->conns = calloc(n, sizeof(*config->conns))))
		goto nomem;
	if (conns)
		conf_warn_unknown(conns, conf_schema_connections, "connections");
	for (size_t i = 0; i < n; i++) {
		config->n_conns++;
		if (load_conn(&ctx, conf_section_at(conns, i), &config->conns[i]) < 0) {
			config_free(config);
			return NULL;
		}
	}
	return config;
nomem:
	snprintf(err, errlen, "out of memory");
	config_free(config);
	return NULL;
}

static void free_strings(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
}

static void free_certs(struct cert_ref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(refs[i].file);
		free(refs[i].subject);
	}
}

static void free_auths(struct auth_cfg *auths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(auths[i].id);
		free(auths[i].eap_id);
		free(auths[i].revocation);
		free_certs(auths[i].certs, auths[i].n_certs);
		free_certs(auths[i].cacerts, auths[i].n_cacerts);
	}
}

static void free_conn(struct conn_cfg *cfg)
{
	free(cfg->name);
	free_strings(cfg->local_addrs, cfg->n_local_addrs);
	free_strings(cfg->remote_addrs, cfg->n_remote_addrs);
	free_strings(cfg->pools, cfg->n_pools);
	free_auths(cfg->local_auths, cfg->n_local_auths);
	free_auths(cfg->remote_auths, cfg->n_remote_auths);
	for (size_t i = 0; i < cfg->n_children; i++)
		free(cfg->children[i].name);
	free(cfg->children);
}

void config_free(struct ike_config *config)
{
	if (!config)
		return;
	for (size_t i = 0; i < config->n_conns; i++)
		free_conn(&config->conns[i]);
	free(config->conns);
	free(config->base_dir);
	free(config);
}

const struct conn_cfg *config_find(const struct ike_config *config,
				   const char *name)
{
	for (size_t i = 0; i < config->n_conns; i++)
		if (strcmp(config->conns[i].name, name) == 0)
			return &config->conns[i];
	return NULL;
}
