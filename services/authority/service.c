/* The service hooks: configuration, start/stop and status. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "authority/authority.h"
#include "authority/crl.h"
#include "authority/eap_sessions.h"
#include "authority/eap_tls.h"
#include "authority/ocsp.h"
#include "log.h"
#include "status.h"

static const struct conf_schema eap_tls_schema[] = {
	{ .name = "fragment_size" },
	{ .name = "max_message_size" },
	{ .name = "max_sessions" },
	{ .name = "timeout" },
	{ .name = "tls13" },
	{ 0 },
};

static const struct conf_schema authority_schema[] = {
	{ .name = "swanctl_dir" },
	{ .name = "crl_cache_dir" },
	{ .name = "revocation_wait" },
	{ .name = "fetch_timeout" },
	{ .name = "eap_tls", .children = eap_tls_schema },
	{ .include = conf_schema_service },
	{ 0 },
};

static void warn_unknown(const struct conf *conf)
{
	const struct conf_section *root = conf_root(conf);
	const struct conf_section *sec;

	settings_warn_unknown(conf, "authority", authority_schema);
	if ((sec = conf_section_find(root, "authorities")))
		conf_warn_unknown(sec, conf_schema_authorities, "authorities");
	if ((sec = conf_section_find(root, "secrets")))
		conf_warn_unknown(sec, conf_schema_secrets, "secrets");
}

void authority_init(struct authority *a)
{
	memset(a, 0, sizeof(*a));
	store_slot_init(&a->store);
	pthread_mutex_init(&a->rate_lock, NULL);
	authority_config_load(NULL, &a->cfg, NULL, 0);
}

void authority_destroy(struct authority *a)
{
	eap_sessions_free(a->eap);
	a->eap = NULL;
	crl_fetcher_free(a->crl);
	a->crl = NULL;
	ocsp_client_free(a->ocsp);
	a->ocsp = NULL;
	store_slot_destroy(&a->store);
	pthread_mutex_destroy(&a->rate_lock);
}

static int get_positive(const struct conf_section *sec, const char *key,
			long def, long *out, bool seconds, char *err, size_t errlen)
{
	int rc = seconds ? conf_get_seconds(sec, key, def, out) :
			   conf_get_int(sec, key, def, out);

	if (rc < 0 || *out <= 0) {
		if (err)
			snprintf(err, errlen, "cygnet.authority.%s: invalid value", key);
		return -1;
	}
	return 0;
}

static int get_tls13_mode(const struct conf_section *sec,
			  enum eap_tls13_mode *mode, char *err, size_t errlen)
{
	const char *value = conf_get(sec, "eap_tls.tls13", "rfc9190");

	if (strcmp(value, "rfc9190") == 0)
		*mode = EAP_TLS13_RFC9190;
	else if (strcmp(value, "strongswan-5.9") == 0)
		*mode = EAP_TLS13_STRONGSWAN_59;
	else {
		if (err)
			snprintf(err, errlen, "cygnet.authority.eap_tls.tls13: '%s' is "
				 "neither rfc9190 nor strongswan-5.9", value);
		return -1;
	}
	return 0;
}

int authority_config_load(const struct conf *conf, struct authority_config *cfg,
			  char *err, size_t errlen)
{
	const struct conf_section *sec = conf ?
		conf_section_find(conf_root(conf), "cygnet.authority") : NULL;
	long wait_s = 3;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->swanctl_dir, sizeof(cfg->swanctl_dir), "%s",
		 sec ? conf_get(sec, "swanctl_dir", AUTHORITY_DEFAULT_SWANCTL_DIR) :
		       AUTHORITY_DEFAULT_SWANCTL_DIR);
	snprintf(cfg->crl_cache_dir, sizeof(cfg->crl_cache_dir), "%s",
		 sec ? conf_get(sec, "crl_cache_dir", AUTHORITY_DEFAULT_CRL_CACHE) :
		       AUTHORITY_DEFAULT_CRL_CACHE);
	cfg->revocation_wait_ms = wait_s * 1000;
	cfg->fetch_timeout_s = 10;
	cfg->eap_fragment_size = 1024;
	cfg->eap_max_message = 65536;
	cfg->eap_max_sessions = 1000;
	cfg->eap_timeout_s = 60;
	if (!sec)
		return 0;
	if (get_positive(sec, "revocation_wait", wait_s, &wait_s, true, err, errlen) < 0 ||
	    get_positive(sec, "fetch_timeout", 10, &cfg->fetch_timeout_s, true, err, errlen) < 0 ||
	    get_positive(sec, "eap_tls.fragment_size", 1024, &cfg->eap_fragment_size, false, err, errlen) < 0 ||
	    get_positive(sec, "eap_tls.max_message_size", 65536, &cfg->eap_max_message, false, err, errlen) < 0 ||
	    get_positive(sec, "eap_tls.max_sessions", 1000, &cfg->eap_max_sessions, false, err, errlen) < 0 ||
	    get_positive(sec, "eap_tls.timeout", 60, &cfg->eap_timeout_s, true, err, errlen) < 0)
		return -1;
	cfg->revocation_wait_ms = wait_s * 1000;
	if (get_tls13_mode(sec, &cfg->eap_tls13_mode, err, errlen) < 0)
		return -1;
	if (cfg->eap_fragment_size < EAP_TLS_MIN_FRAGMENT ||
	    cfg->eap_fragment_size > EAP_PACKET_MAX) {
		if (err)
			snprintf(err, errlen, "cygnet.authority.eap_tls.fragment_size "
				 "must be %d..%d", EAP_TLS_MIN_FRAGMENT, EAP_PACKET_MAX);
		return -1;
	}
	return 0;
}

int authority_configure(void *svc, const struct conf *conf, bool reload,
			char *err, size_t errlen)
{
	struct authority *a = svc;
	struct authority_config cfg;
	struct cred_store *store;

	if (authority_config_load(conf, &cfg, err, errlen) < 0)
		return -1;
	if (conf)
		warn_unknown(conf);
	store = store_load(cfg.swanctl_dir, conf, err, errlen);
	if (!store)
		return -1;
	DBG1(LOG_CFG, "%s credentials from '%s': %zu certificates, %zu private "
	     "keys, %zu crls", reload ? "reloaded" : "loaded", cfg.swanctl_dir,
	     store->n_certs, store->n_keys, store->n_crls);
	/* Fetcher and session limits keep their start values until restart. */
	if (!reload)
		a->cfg = cfg;
	store_slot_set(&a->store, store);
	return 0;
}

int authority_start(void *svc, struct daemon *d, char *err, size_t errlen)
{
	return authority_start_workers(svc, daemon_settings(d)->workers, err, errlen);
}

int authority_start_workers(struct authority *a, int workers, char *err,
			    size_t errlen)
{
	a->crl = crl_fetcher_new(a->cfg.crl_cache_dir, a->cfg.fetch_timeout_s,
				 workers, err, errlen);
	if (!a->crl)
		return -1;
	a->ocsp = ocsp_client_new();
	if (!a->ocsp) {
		snprintf(err, errlen, "cannot create the OCSP client");
		return -1;
	}
	a->eap = eap_sessions_new((size_t)a->cfg.eap_max_sessions, a->cfg.eap_timeout_s);
	if (!a->eap) {
		snprintf(err, errlen, "cannot create the EAP-TLS session table");
		return -1;
	}
	return 0;
}

void authority_stop(void *svc)
{
	struct authority *a = svc;

	crl_fetcher_stop(a->crl);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double signature_rate(struct authority *a)
{
	uint64_t count = atomic_load(&a->stats.signatures);
	double now = now_seconds();
	double rate = 0;

	pthread_mutex_lock(&a->rate_lock);
	if (a->rate_last_time > 0 && now > a->rate_last_time)
		rate = (double)(count - a->rate_last_count) / (now - a->rate_last_time);
	a->rate_last_count = count;
	a->rate_last_time = now;
	pthread_mutex_unlock(&a->rate_lock);
	return rate;
}

static void fill_store(struct authority *a, struct status_builder *b)
{
	struct cred_store *store = store_slot_get(&a->store);

	if (!store)
		return;
	status_gauge(b, "authority_certificates", "certificates loaded",
		     (double)store->n_certs, NULL, NULL);
	status_gauge(b, "authority_private_keys", "private keys loaded",
		     (double)store->n_keys, NULL, NULL);
	store_unref(store);
}

static void fill_verifications(struct authority *a, struct status_builder *b)
{
	const ProtobufCEnumDescriptor *desc = &cygnet__cert_status__descriptor;

	status_counter(b, "authority_verifications_ok_total",
		       "certificate verifications that trusted the peer",
		       (double)atomic_load(&a->stats.verify_ok), NULL, NULL);
	for (unsigned i = 1; i < desc->n_values; i++) {
		const ProtobufCEnumValue *v = &desc->values[i];
		status_counter(b, "authority_verifications_failed_total",
			       "certificate verifications that failed, by reason",
			       (double)atomic_load(&a->stats.verify_failed[v->value]),
			       "reason", v->name);
	}
}

void authority_fill_status(void *svc, struct status_builder *b)
{
	struct authority *a = svc;
	struct crl_stats crl = { 0 };
	uint64_t ocsp_ok, ocsp_failed;

	fill_store(a, b);
	crl_fetcher_stats(a->crl, &crl);
	status_gauge(b, "authority_crls_cached", "CRLs held in the cache",
		     (double)crl.cached, NULL, NULL);
	status_counter(b, "authority_crl_fetches_total", "CRL fetches",
		       (double)crl.fetch_ok, "result", "ok");
	status_counter(b, "authority_crl_fetches_total", "CRL fetches",
		       (double)crl.fetch_failed, "result", "failed");
	ocsp_client_stats(a->ocsp, &ocsp_ok, &ocsp_failed);
	status_counter(b, "authority_ocsp_requests_total", "OCSP requests",
		       (double)ocsp_ok, "result", "ok");
	status_counter(b, "authority_ocsp_requests_total", "OCSP requests",
		       (double)ocsp_failed, "result", "failed");
	fill_verifications(a, b);
	status_gauge(b, "authority_eap_tls_sessions_active", "EAP-TLS sessions in progress",
		     (double)eap_sessions_active(a->eap), NULL, NULL);
	status_counter(b, "authority_signatures_total", "AUTH signatures made",
		       (double)atomic_load(&a->stats.signatures), NULL, NULL);
	status_gauge(b, "authority_signatures_per_second",
		     "signatures per second since the previous status request",
		     signature_rate(a), NULL, NULL);
	status_counter(b, "authority_auth_verifications_total",
		       "peer AUTH signatures checked", (double)atomic_load(&a->stats.auth_verify_ok),
		       "result", "ok");
	status_counter(b, "authority_auth_verifications_total",
		       "peer AUTH signatures checked", (double)atomic_load(&a->stats.auth_verify_failed),
		       "result", "failed");
	status_counter(b, "authority_eap_tls_sessions_total", "EAP-TLS sessions ended",
		       (double)atomic_load(&a->stats.eap_succeeded), "result", "success");
	status_counter(b, "authority_eap_tls_sessions_total", "EAP-TLS sessions ended",
		       (double)atomic_load(&a->stats.eap_failed), "result", "failure");
}
