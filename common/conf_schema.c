/* The keys swanctl.conf knows (see swanctl.conf(5)) and those of the
 * cygnet { <service> { } } sections, and the check that warns about any
 * other key with its file:line -- usually a typo that would otherwise be
 * silently ignored. */
#include <stdio.h>
#include <string.h>

#include "conf_tree.h"
#include "log.h"

#define KEY(n) { .name = (n) }
#define SECTION(n, c) { .name = (n), .children = (c) }
#define END { 0 }

/* connections.<conn>.local<suffix>.cert<suffix> and cacert<suffix>:
 * certificates on a token. */
static const struct conf_schema token_ref[] = {
	KEY("file"), KEY("handle"), KEY("slot"), KEY("module"),
	END
};

static const struct conf_schema auth_round[] = {
	KEY("round"), KEY("certs"), KEY("cacerts"), KEY("pubkeys"),
	KEY("auth"), KEY("id"), KEY("ca_id"), KEY("eap_id"), KEY("aaa_id"),
	KEY("xauth_id"), KEY("revocation"), KEY("groups"),
	KEY("cert_policy"),
	SECTION("cert*", token_ref), SECTION("cacert*", token_ref),
	END
};

static const struct conf_schema child[] = {
	KEY("ah_proposals"), KEY("esp_proposals"), KEY("sha256_96"),
	KEY("local_ts"), KEY("remote_ts"),
	KEY("rekey_time"), KEY("life_time"), KEY("rand_time"),
	KEY("rekey_bytes"), KEY("life_bytes"), KEY("rand_bytes"),
	KEY("rekey_packets"), KEY("life_packets"), KEY("rand_packets"),
	KEY("updown"), KEY("hostaccess"), KEY("mode"), KEY("policies"),
	KEY("policies_fwd_out"), KEY("dpd_action"), KEY("ipcomp"),
	KEY("inactivity"), KEY("reqid"), KEY("priority"), KEY("interface"),
	KEY("mark_in"), KEY("mark_in_sa"), KEY("mark_out"),
	KEY("set_mark_in"), KEY("set_mark_out"),
	KEY("if_id_in"), KEY("if_id_out"), KEY("label"), KEY("label_mode"),
	KEY("tfc_padding"), KEY("replay_window"), KEY("per_cpu_sas"),
	KEY("hw_offload"), KEY("copy_df"), KEY("copy_ecn"), KEY("copy_dscp"),
	KEY("start_action"), KEY("close_action"),
	END
};

static const struct conf_schema children[] = {
	SECTION("*", child),
	END
};

static const struct conf_schema connection[] = {
	KEY("version"), KEY("local_addrs"), KEY("remote_addrs"),
	KEY("local_port"), KEY("remote_port"), KEY("proposals"), KEY("vips"),
	KEY("aggressive"), KEY("pull"), KEY("dscp"), KEY("encap"),
	KEY("mobike"), KEY("dpd_delay"), KEY("dpd_timeout"),
	KEY("fragmentation"), KEY("childless"), KEY("send_certreq"),
	KEY("send_cert"), KEY("ppk_id"), KEY("ppk_required"),
	KEY("keyingtries"), KEY("unique"), KEY("reauth_time"),
	KEY("rekey_time"), KEY("over_time"), KEY("rand_time"), KEY("pools"),
	KEY("if_id_in"), KEY("if_id_out"), KEY("mediation"),
	KEY("mediated_by"), KEY("mediation_peer"),
	SECTION("local*", auth_round), SECTION("remote*", auth_round),
	SECTION("children", children),
	END
};

const struct conf_schema conf_schema_connections[] = {
	SECTION("*", connection),
	END
};

/* Besides the named attributes, a pool may carry any configuration
 * attribute by its number ("25 = ..."): keys starting with a digit. */
static const struct conf_schema pool[] = {
	KEY("addrs"), KEY("dns"), KEY("nbns"), KEY("dhcp"), KEY("netmask"),
	KEY("server"), KEY("subnet"), KEY("split_include"),
	KEY("split_exclude"),
	KEY("0*"), KEY("1*"), KEY("2*"), KEY("3*"), KEY("4*"), KEY("5*"),
	KEY("6*"), KEY("7*"), KEY("8*"), KEY("9*"),
	END
};

const struct conf_schema conf_schema_pools[] = {
	SECTION("*", pool),
	END
};

static const struct conf_schema authority[] = {
	KEY("cacert"), KEY("file"), KEY("handle"), KEY("slot"),
	KEY("module"), KEY("cert_uri_base"), KEY("crl_uris"),
	KEY("ocsp_uris"),
	END
};

const struct conf_schema conf_schema_authorities[] = {
	SECTION("*", authority),
	END
};

/* A shared secret and the identities it belongs to (id, id-1, id2 ...). */
static const struct conf_schema shared_secret[] = {
	KEY("secret"), KEY("id*"),
	END
};

static const struct conf_schema private_key[] = {
	KEY("file"), KEY("secret"),
	END
};

static const struct conf_schema token_key[] = {
	KEY("handle"), KEY("slot"), KEY("module"), KEY("pin"),
	END
};

const struct conf_schema conf_schema_secrets[] = {
	SECTION("eap*", shared_secret), SECTION("xauth*", shared_secret),
	SECTION("ntlm*", shared_secret), SECTION("ike*", shared_secret),
	SECTION("ppk*", shared_secret),
	SECTION("private*", private_key), SECTION("rsa*", private_key),
	SECTION("ecdsa*", private_key), SECTION("pkcs8*", private_key),
	SECTION("pkcs12*", private_key),
	SECTION("token*", token_key),
	END
};

static const struct conf_schema service_tls[] = {
	KEY("ca"), KEY("cert"), KEY("key"),
	END
};

/* "default" and the subsystem tags of log.h, lowercase. */
static const struct conf_schema service_loglevel[] = {
	KEY("default"),
	KEY("dmn"), KEY("mgr"), KEY("ike"), KEY("chd"), KEY("job"),
	KEY("cfg"), KEY("knl"), KEY("net"), KEY("asn"), KEY("enc"),
	KEY("tls"), KEY("lib"), KEY("app"),
	END
};

const struct conf_schema conf_schema_service[] = {
	KEY("rpc"), KEY("events"), KEY("status"), KEY("workers"),
	KEY("runtime_dir"),
	SECTION("tls", service_tls), SECTION("loglevel", service_loglevel),
	END
};

/* Whatever a section holds: the top-level check leaves the inside of
 * each known section to the service that reads it. */
static const struct conf_schema any_content[] = {
	{ .name = "*" },
	{ .name = "*", .children = any_content },
	{ 0 },
};

static const struct conf_schema cygnet_section[] = {
	{ .name = "runtime_dir" },
	{ .name = "tls", .children = any_content },
	{ .name = "ike", .children = any_content },
	{ .name = "authority", .children = any_content },
	{ .name = "pool", .children = any_content },
	{ .name = "kernel", .children = any_content },
	{ 0 },
};

const struct conf_schema conf_schema_top[] = {
	{ .name = "connections", .children = any_content },
	{ .name = "pools", .children = any_content },
	{ .name = "authorities", .children = any_content },
	{ .name = "secrets", .children = any_content },
	{ .name = "cygnet", .children = cygnet_section },
	{ 0 },
};

static bool is_end(const struct conf_schema *entry)
{
	return !entry->name && !entry->include;
}

static bool name_matches(const char *pattern, const char *name, bool wild)
{
	size_t len = strlen(pattern);

	if (!wild)
		return strcmp(pattern, name) == 0;
	if (len == 0 || pattern[len - 1] != '*')
		return false;
	return strncmp(pattern, name, len - 1) == 0;
}

/* Schemas splice each other only statically and without cycles, so the
 * recursion is as deep as the source nests them. */
static const struct conf_schema *lookup(const struct conf_schema *schema,
					const char *name, bool section,
					bool wild)
{
	for (const struct conf_schema *e = schema; !is_end(e); e++) {
		const struct conf_schema *found = NULL;

		if (e->include)
			found = lookup(e->include, name, section, wild);
		else if ((e->children != NULL) == section &&
			 name_matches(e->name, name, wild))
			found = e;
		if (found)
			return found;
	}
	return NULL;
}

/* A wildcard only matches its own kind: "remote*" names sections, so
 * the key remote_addrs is not taken for one. */
static const struct conf_schema *schema_find(const struct conf_schema *schema,
					     const char *name, bool section)
{
	const struct conf_schema *exact = lookup(schema, name, section, false);

	return exact ? exact : lookup(schema, name, section, true);
}

/* A name the schema knows exactly, but as the other kind. */
static bool other_kind(const struct conf_schema *schema, const char *name,
		       bool section)
{
	return lookup(schema, name, !section, false) != NULL;
}

static void warn(const struct conf_pos *pos, const char *what,
		 const char *name, const char *where)
{
	if (!*where) {
		DBG1(LOG_CFG, "%s:%d: %s '%s' at top level",
		     pos->file ? pos->file : "", pos->line, what, name);
		return;
	}
	DBG1(LOG_CFG, "%s:%d: %s '%s' in section '%s'",
	     pos->file ? pos->file : "", pos->line, what, name, where);
}

static int check_keys(const struct conf_section *sec,
		      const struct conf_schema *schema, const char *where)
{
	int unknown = 0;

	for (size_t i = 0; i < sec->n_keys; i++) {
		const struct conf_kv *kv = &sec->keys[i];
		if (schema_find(schema, kv->key, false))
			continue;
		warn(&kv->pos, other_kind(schema, kv->key, false) ?
		     "section expected, not key" : "unknown key",
		     kv->key, where);
		unknown++;
	}
	return unknown;
}

int conf_warn_unknown(const struct conf_section *sec,
		      const struct conf_schema *schema, const char *where)
{
	int unknown;

	if (!sec || !schema)
		return 0;
	if (!where)
		where = "";
	unknown = check_keys(sec, schema, where);
	for (size_t i = 0; i < sec->n_subs; i++) {
		const struct conf_section *sub = sec->subs[i];
		const struct conf_schema *e = schema_find(schema, sub->name,
							  true);
		char path[256];

		if (!e) {
			warn(&sub->pos, other_kind(schema, sub->name, true) ?
			     "key expected, not section" : "unknown section",
			     sub->name, where);
			unknown++;
			continue;
		}
		snprintf(path, sizeof(path), "%s%s%s", where,
			 *where ? "." : "", sub->name);
		unknown += conf_warn_unknown(sub, e->children, path);
	}
	return unknown;
}
