/* TLS for tls+tcp:// endpoints (nng's engine is mbedTLS here).  Both ends
 * require and verify the peer's certificate against the CA that signs
 * the services' certificates.  A client checks the server's name only
 * when the URL names a host: mbedTLS 2.28 does not match IP addresses
 * against subjectAltName, so for an IP URL the CA signature alone
 * authenticates the server. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc_endpoint.h"

#define TLS_SCHEME "tls+tcp"
#define PEM_MAX (64 * 1024)

bool url_is_tls(const char *url)
{
	return strncmp(url, TLS_SCHEME, strlen(TLS_SCHEME)) == 0;
}

static char *read_pem(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *pem;
	size_t len;

	if (f == NULL) {
		snprintf(err, errlen, "opening %s: %s", path, strerror(errno));
		return NULL;
	}
	pem = malloc(PEM_MAX + 1);
	if (pem == NULL) {
		fclose(f);
		snprintf(err, errlen, "out of memory reading %s", path);
		return NULL;
	}
	len = fread(pem, 1, PEM_MAX + 1, f);
	fclose(f);
	if (len == 0 || len > PEM_MAX) {
		free(pem);
		snprintf(err, errlen, "%s is empty or larger than %d bytes",
			 path, PEM_MAX);
		return NULL;
	}
	pem[len] = '\0';
	return pem;
}

static int load_own_cert(nng_tls_config *cfg, const struct rpc_tls *tls,
			 char *err, size_t errlen)
{
	char *cert = read_pem(tls->cert_file, err, errlen);
	char *key;
	int rv;

	if (cert == NULL)
		return -1;
	key = read_pem(tls->key_file, err, errlen);
	if (key == NULL) {
		free(cert);
		return -1;
	}
	rv = nng_tls_config_own_cert(cfg, cert, key, NULL);
	explicit_bzero(key, strlen(key));
	free(key);
	free(cert);
	if (rv != 0) {
		snprintf(err, errlen, "loading %s / %s: %s", tls->cert_file,
			 tls->key_file, nng_strerror(rv));
		return -1;
	}
	return 0;
}

static bool host_is_ip(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	       inet_pton(AF_INET6, host, buf) == 1;
}

static int set_server_name(nng_tls_config *cfg, const char *url, char *err,
			   size_t errlen)
{
	nng_url *parsed;
	int rv;

	rv = nng_url_parse(&parsed, url);
	if (rv != 0) {
		snprintf(err, errlen, "bad URL %s: %s", url, nng_strerror(rv));
		return -1;
	}
	if (parsed->u_hostname[0] != '\0' && !host_is_ip(parsed->u_hostname))
		rv = nng_tls_config_server_name(cfg, parsed->u_hostname);
	nng_url_free(parsed);
	if (rv != 0) {
		snprintf(err, errlen, "TLS server name for %s: %s", url,
			 nng_strerror(rv));
		return -1;
	}
	return 0;
}

nng_tls_config *tls_config_for(const char *url, const struct rpc_tls *tls,
			       bool server, char *err, size_t errlen)
{
	nng_tls_config *cfg;
	int rv;

	if (tls == NULL || tls->ca_file[0] == '\0' ||
	    tls->cert_file[0] == '\0' || tls->key_file[0] == '\0') {
		snprintf(err, errlen, "%s needs tls { ca cert key }", url);
		return NULL;
	}
	rv = nng_tls_config_alloc(&cfg, server ? NNG_TLS_MODE_SERVER :
						 NNG_TLS_MODE_CLIENT);
	if (rv != 0) {
		snprintf(err, errlen, "TLS config: %s", nng_strerror(rv));
		return NULL;
	}
	rv = nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_REQUIRED);
	if (rv == 0)
		rv = nng_tls_config_ca_file(cfg, tls->ca_file);
	if (rv != 0) {
		snprintf(err, errlen, "loading CA %s: %s", tls->ca_file,
			 nng_strerror(rv));
		goto fail;
	}
	if (load_own_cert(cfg, tls, err, errlen) != 0)
		goto fail;
	if (!server && set_server_name(cfg, url, err, errlen) != 0)
		goto fail;
	return cfg;
fail:
	nng_tls_config_free(cfg);
	return NULL;
}
