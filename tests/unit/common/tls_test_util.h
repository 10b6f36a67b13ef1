/* A throwaway PKI for tls+tcp:// tests, made with the openssl CLI in a
 * test's temp dir: make_ca("ca"), make_cert("server", "ca"), then
 * tls_files() points an rpc_tls at <dir>/<name>.crt/.key. */
#ifndef CYGNET_TLS_TEST_UTIL_H
#define CYGNET_TLS_TEST_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "settings.h"

static inline void make_ca(const char *dir, const char *name)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		 "-nodes -keyout %s.key -out %s.crt -subj '/CN=%s CA' -days 1 "
		 "2>/dev/null",
		 dir, name, name, name);
	ck_assert_int_eq(system(cmd), 0);
}

/* A leaf certificate with CN=name signed by ca. */
static inline void make_cert(const char *dir, const char *name,
			     const char *ca)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "cd %s && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		 "-nodes -keyout %s.key -out %s.csr -subj /CN=%s 2>/dev/null && "
		 "openssl x509 -req -in %s.csr -CA %s.crt -CAkey %s.key "
		 "-CAcreateserial -days 1 -out %s.crt 2>/dev/null",
		 dir, name, name, name, name, ca, ca, name);
	ck_assert_int_eq(system(cmd), 0);
}

static inline void tls_files(struct rpc_tls *tls, const char *dir,
			     const char *ca, const char *name)
{
	snprintf(tls->ca_file, sizeof(tls->ca_file), "%s/%s.crt", dir, ca);
	snprintf(tls->cert_file, sizeof(tls->cert_file), "%s/%s.crt", dir,
		 name);
	snprintf(tls->key_file, sizeof(tls->key_file), "%s/%s.key", dir, name);
}

#endif
