/* The packet thread: receives on the IKE sockets, processes one packet
 * at a time and sends what the exchange answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "ike/child_install.h"
#include "ike/exchange.h"
#include "ike/initiate.h"
#include "ike/lease.h"
#include "ike/sa_timers.h"
#include "ike/persist.h"
#include "log.h"

#define RECV_POLL_MS 500

static void *receive_loop(void *arg)
{
	struct ike_service *svc = arg;
	struct packet *in = malloc(sizeof(*in)), *out = malloc(sizeof(*out));
	time_t last_expiry = 0;

	while (in && out && !svc->stopping) {
		int rc = ike_sockets_recv(&svc->sockets, in, RECV_POLL_MS);
		time_t now = sa_table_now();

		if (now != last_expiry) {
			sa_table_expire_half_open(svc->sas, now - HALF_OPEN_TIMEOUT);
			sa_timers_tick(svc);
			sa_table_reap(svc->sas);
			lifetime_tick(svc, now);
			last_expiry = now;
		}
		if (rc < 0) {
			DBG1(LOG_NET, "receiving from IKE sockets failed");
			break;
		}
		if (rc == 0 || ike_process(svc, in, out) == 0)
			continue;
		ike_send_logged(svc, out);
	}
	free(in);
	free(out);
	return NULL;
}

/* Clients dial in the background, so the other services may start
 * later; until the authority answers no CERTREQ is sent. */
static struct rpc_client *open_client(struct daemon *d, const char *name,
				      char *err, size_t errlen)
{
	struct service_settings s;

	if (settings_load(daemon_conf(d), name, &s, err, errlen) < 0)
		return NULL;
	return rpc_client_open(s.rpc_url,
		strncmp(s.rpc_url, "tls+", 4) == 0 ? &s.tls : NULL, err, errlen);
}

static void close_clients(struct ike_service *svc)
{
	rpc_client_close(svc->certreq.authority);
	rpc_client_close(svc->pool);
	rpc_client_close(svc->kernel);
	svc->certreq.authority = svc->pool = svc->kernel = NULL;
}

static int open_clients(struct ike_service *svc, struct daemon *d,
			char *err, size_t errlen)
{
	svc->certreq.authority = open_client(d, "authority", err, errlen);
	svc->pool = open_client(d, "pool", err, errlen);
	svc->kernel = open_client(d, "kernel", err, errlen);
	if (svc->certreq.authority && svc->pool && svc->kernel)
		return 0;
	close_clients(svc);
	return -1;
}

int ike_service_start(void *arg, struct daemon *d, char *err, size_t errlen)
{
	struct ike_service *svc = arg;
	const struct ike_settings *s = &svc->settings;

	if (open_clients(svc, d, err, errlen) < 0)
		return -1;
	if (ike_sockets_open(&svc->sockets, s->listen, s->n_listen, s->port,
			     s->port_nat_t, err, errlen) < 0) {
		close_clients(svc);
		return -1;
	}
	if (crypto_pool_start(&svc->crypto, s->crypto_threads) < 0) {
		snprintf(err, errlen, "could not start the crypto threads");
		ike_sockets_close(&svc->sockets);
		close_clients(svc);
		return -1;
	}
	persist_start(svc, daemon_conf(d));
	svc->stopping = false;
	if (pthread_create(&svc->receiver, NULL, receive_loop, svc) != 0) {
		snprintf(err, errlen, "could not start the IKE packet thread");
		crypto_pool_stop(&svc->crypto);
		ike_sockets_close(&svc->sockets);
		close_clients(svc);
		return -1;
	}
	svc->receiving = true;
	initiate_start_actions(svc);
	return 0;
}

void ike_service_stop(void *arg)
{
	struct ike_service *svc = arg;

	if (!svc->receiving)
		return;
	svc->stopping = true;
	pthread_join(svc->receiver, NULL);
	/* Queued IKE_SA_INIT jobs still answer, then the sockets close. */
	crypto_pool_stop(&svc->crypto);
	request_wait_all(svc);
	ike_sockets_close(&svc->sockets);
	svc->receiving = false;
	persist_stop(svc);
	close_clients(svc);
}
