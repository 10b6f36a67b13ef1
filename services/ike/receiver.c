/* The packet thread: receives on the IKE sockets, processes one packet
 * at a time and sends what the exchange answers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "ike/exchange.h"
#include "log.h"

#define RECV_POLL_MS 500
/* charon's half_open_timeout default. */
#define HALF_OPEN_TIMEOUT 30

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
			last_expiry = now;
		}
		if (rc < 0) {
			DBG1(LOG_NET, "receiving from IKE sockets failed");
			break;
		}
		if (rc == 0 || ike_process(svc, in, out) == 0)
			continue;
		if (ike_sockets_send(&svc->sockets, out) == 0) {
			char a[64], b[64];

			sockaddr_format(&out->local, a, sizeof(a));
			sockaddr_format(&out->remote, b, sizeof(b));
			DBG1(LOG_NET, "sending packet: from %s to %s (%zu bytes)",
			     a, b, out->len);
		}
	}
	free(in);
	free(out);
	return NULL;
}

/* The authority client dials in the background, so the authority may
 * start later; until it answers no CERTREQ is sent. */
static int open_authority(struct ike_service *svc, struct daemon *d,
			  char *err, size_t errlen)
{
	struct service_settings s;

	if (settings_load(daemon_conf(d), "authority", &s, err, errlen) < 0)
		return -1;
	svc->certreq.authority = rpc_client_open(s.rpc_url,
		strncmp(s.rpc_url, "tls+", 4) == 0 ? &s.tls : NULL, err, errlen);
	return svc->certreq.authority ? 0 : -1;
}

int ike_service_start(void *arg, struct daemon *d, char *err, size_t errlen)
{
	struct ike_service *svc = arg;
	const struct ike_settings *s = &svc->settings;

	if (open_authority(svc, d, err, errlen) < 0)
		return -1;
	if (ike_sockets_open(&svc->sockets, s->listen, s->n_listen, s->port,
			     s->port_nat_t, err, errlen) < 0) {
		rpc_client_close(svc->certreq.authority);
		svc->certreq.authority = NULL;
		return -1;
	}
	svc->stopping = false;
	if (pthread_create(&svc->receiver, NULL, receive_loop, svc) != 0) {
		snprintf(err, errlen, "could not start the IKE packet thread");
		ike_sockets_close(&svc->sockets);
		rpc_client_close(svc->certreq.authority);
		svc->certreq.authority = NULL;
		return -1;
	}
	svc->receiving = true;
	return 0;
}

void ike_service_stop(void *arg)
{
	struct ike_service *svc = arg;

	if (!svc->receiving)
		return;
	svc->stopping = true;
	pthread_join(svc->receiver, NULL);
	ike_sockets_close(&svc->sockets);
	svc->receiving = false;
	rpc_client_close(svc->certreq.authority);
	svc->certreq.authority = NULL;
}
