/* Listening and dialling for RPC and events sockets, with the ipc
 * permissions and TLS settings every Cygnet endpoint shares. */
#include <stdio.h>

#include "log.h"
#include "rpc_endpoint.h"

#define IPC_SOCKET_MODE 0660
#define RECONNECT_MIN_MS 100
#define RECONNECT_MAX_MS 2000

/* 0 for rv == 0, else -1 with "<what> <url>: <nng error>" in err. */
static int check(int rv, const char *what, const char *url, char *err,
		 size_t errlen)
{
	if (rv == 0)
		return 0;
	snprintf(err, errlen, "%s %s: %s", what, url, nng_strerror(rv));
	return -1;
}

static int listener_options(nng_listener l, const char *url,
			    const struct rpc_tls *tls, char *err, size_t errlen)
{
	nng_tls_config *cfg;
	int rv;

	if (ipc_path(url) != NULL) {
		rv = nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS,
					  IPC_SOCKET_MODE);
		if (rv != 0)
			return check(rv, "ipc permissions on", url, err, errlen);
	}
	if (!url_is_tls(url))
		return 0;
	cfg = tls_config_for(url, tls, true, err, errlen);
	if (cfg == NULL)
		return -1;
	rv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, cfg);
	nng_tls_config_free(cfg);	/* the listener holds its own reference */
	return check(rv, "TLS on", url, err, errlen);
}

int endpoint_listen(nng_socket sock, const char *url, const struct rpc_tls *tls,
		    char *err, size_t errlen)
{
	const char *path = ipc_path(url);
	nng_listener l;

	if (path != NULL && ipc_prepare_dir(path, err, errlen) != 0)
		return -1;
	if (path != NULL && ipc_listening(path)) {
		snprintf(err, errlen, "listening on %s: another process serves it",
			 url);
		return -1;
	}
	if (check(nng_listener_create(&l, sock, url), "listening on", url,
		  err, errlen) != 0)
		return -1;
	if (listener_options(l, url, tls, err, errlen) != 0 ||
	    check(nng_listener_start(l, 0), "listening on", url, err,
		  errlen) != 0) {
		nng_listener_close(l);
		return -1;
	}
	return 0;
}

static int dialer_options(nng_dialer d, const char *url,
			  const struct rpc_tls *tls, char *err, size_t errlen)
{
	nng_tls_config *cfg;
	int rv;

	rv = nng_dialer_set_ms(d, NNG_OPT_RECONNMINT, RECONNECT_MIN_MS);
	if (rv == 0)
		rv = nng_dialer_set_ms(d, NNG_OPT_RECONNMAXT, RECONNECT_MAX_MS);
	if (rv != 0)
		return check(rv, "reconnect times on", url, err, errlen);
	if (!url_is_tls(url))
		return 0;
	cfg = tls_config_for(url, tls, false, err, errlen);
	if (cfg == NULL)
		return -1;
	rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg);
	nng_tls_config_free(cfg);	/* the dialer holds its own reference */
	return check(rv, "TLS on", url, err, errlen);
}

int endpoint_dial(nng_socket sock, const char *url, const struct rpc_tls *tls,
		  char *err, size_t errlen)
{
	nng_dialer d;

	if (check(nng_dialer_create(&d, sock, url), "dialling", url, err,
		  errlen) != 0)
		return -1;
	if (dialer_options(d, url, tls, err, errlen) != 0 ||
	    check(nng_dialer_start(d, NNG_FLAG_NONBLOCK), "dialling", url, err,
		  errlen) != 0) {
		nng_dialer_close(d);
		return -1;
	}
	DBG2(LOG_LIB, "dialling %s", url);
	return 0;
}
