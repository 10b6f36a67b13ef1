/* Internal: how RPC and events sockets reach their URLs.  Servers and
 * publishers listen, clients and subscribers dial; both understand
 * ipc://, tcp:// and tls+tcp:// (mutual TLS with the files in rpc_tls). */
#ifndef CYGNET_RPC_ENDPOINT_H
#define CYGNET_RPC_ENDPOINT_H

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>
#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

/* Listens on url.  An ipc:// socket's directory is created 0750 when
 * missing and the socket is made 0660. */
int endpoint_listen(nng_socket sock, const char *url, const struct rpc_tls *tls,
		    char *err, size_t errlen);

/* Dials url without waiting for the peer; nng reconnects with back-off
 * (100 ms doubling to 2 s) for as long as the socket is open. */
int endpoint_dial(nng_socket sock, const char *url, const struct rpc_tls *tls,
		  char *err, size_t errlen);

/* Removes an ipc:// socket file after its listener closed. */
void endpoint_remove(const char *url);

/* ipc_path.c: the filesystem side of ipc:// URLs. */
const char *ipc_path(const char *url);	/* NULL unless ipc:// */
int ipc_prepare_dir(const char *path, char *err, size_t errlen);
bool ipc_listening(const char *path);

/* nng_tls.c: a TLS configuration for one end of a tls+tcp:// URL that
 * requires and verifies the peer's certificate against tls->ca_file. */
nng_tls_config *tls_config_for(const char *url, const struct rpc_tls *tls,
			       bool server, char *err, size_t errlen);
bool url_is_tls(const char *url);

#endif
