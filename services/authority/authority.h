/* cygnet-authority: the service state shared by the RPC handlers. */
#ifndef AUTHORITY_AUTHORITY_H
#define AUTHORITY_AUTHORITY_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "authority.pb-c.h"
#include "authority/store.h"
#include "authority/tls_server.h"
#include "conf.h"
#include "daemon.h"
#include "rpc.h"

/*   cygnet { authority {
 *     swanctl_dir = /etc/cygnet/swanctl  # x509ca/ x509/ x509crl/ private/ ...
 *     crl_cache_dir = /var/lib/cygnet/crls  # fetched CRLs survive restarts
 *     revocation_wait = 3s   # how long a verify waits for a CRL/OCSP fetch
 *     fetch_timeout = 10s    # per HTTP transfer
 *     eap_tls { fragment_size = 1024  max_message_size = 65536
 *               max_sessions = 1000  timeout = 60s
 *               # TLS 1.3 per RFC 9190 (Windows 11, wpa_supplicant), or
 *               # strongswan-5.9 for strongSwan 5.9 clients with
 *               # tls.version_max = 1.3, which predate RFC 9190: no protected
 *               # success indication (they crash on it), MSK from
 *               # TLS-Exporter("client EAP encryption", no context)
 *               tls13 = rfc9190 }
 *   } } */
#define AUTHORITY_DEFAULT_SWANCTL_DIR "/etc/cygnet/swanctl"
#define AUTHORITY_DEFAULT_CRL_CACHE "/var/lib/cygnet/crls"

struct authority_config {
	char swanctl_dir[PATH_MAX];
	char crl_cache_dir[PATH_MAX];
	long revocation_wait_ms;
	long fetch_timeout_s;
	long eap_fragment_size;
	long eap_max_message;
	long eap_max_sessions;
	long eap_timeout_s;
	enum eap_tls13_mode eap_tls13_mode;
};

struct authority_stats {
	atomic_uint_fast64_t verify_ok;
	atomic_uint_fast64_t verify_failed[CYGNET__CERT_STATUS__CERT_MALFORMED + 1];
	atomic_uint_fast64_t signatures;
	atomic_uint_fast64_t signature_failures;
	atomic_uint_fast64_t auth_verify_ok;
	atomic_uint_fast64_t auth_verify_failed;
	atomic_uint_fast64_t eap_succeeded;
	atomic_uint_fast64_t eap_failed;
};

struct crl_fetcher;
struct ocsp_client;
struct eap_sessions;

struct authority {
	struct authority_config cfg;
	struct store_slot store;
	struct crl_fetcher *crl;
	struct ocsp_client *ocsp;
	struct eap_sessions *eap;
	struct authority_stats stats;
	/* for the signatures-per-second gauge */
	pthread_mutex_t rate_lock;
	uint64_t rate_last_count;
	double rate_last_time;
};

void authority_init(struct authority *a);
void authority_destroy(struct authority *a);

/* struct service_def hooks. */
int authority_configure(void *svc, const struct conf *conf, bool reload,
			char *err, size_t errlen);
int authority_start(void *svc, struct daemon *d, char *err, size_t errlen);
void authority_stop(void *svc);
/* What start does, for a given number of RPC workers (tests use it). */
int authority_start_workers(struct authority *a, int workers, char *err,
			    size_t errlen);
void authority_fill_status(void *svc, struct status_builder *b);

/* Reads cygnet.authority into cfg (defaults for what is absent); -1 with
 * err on a bad value. */
int authority_config_load(const struct conf *conf, struct authority_config *cfg,
			  char *err, size_t errlen);

extern const struct rpc_method authority_methods[];
extern const size_t authority_n_methods;

#endif
