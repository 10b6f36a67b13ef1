/* Bringing up a connection as the initiator: the connection and child
 * looked up, our addresses, a new IKE_SA and its IKE_SA_INIT request
 * (initiator_init.c).  Runs on RPC threads and at start. */
#include "ike/initiate.h"

#include <arpa/inet.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ike/child_out.h"
#include "ike/dh.h"
#include "log.h"

#define OUR_NONCE_LEN 32
#define BUSY_STEP_MS 50
#define BUSY_WAIT_MS 5000

void initiating_free(struct initiating *ini)
{
	if (!ini)
		return;
	dh_free(ini->dh);
	free(ini->init_request);
	free(ini);
}

/* The child named child (in connection ike, if given), or the first
 * child of connection ike; *index gets its position. */
static const struct conn_cfg *find_child(const struct ike_config *config,
					 const char *child, const char *ike,
					 size_t *index)
{
	for (size_t i = 0; i < config->n_conns; i++) {
		const struct conn_cfg *c = &config->conns[i];

		if (ike && *ike && strcmp(c->name, ike) != 0)
			continue;
		if (!child || !*child) {
			*index = 0;
			return c;
		}
		for (size_t k = 0; k < c->n_children; k++) {
			if (strcmp(c->children[k].name, child) == 0) {
				*index = k;
				return c;
			}
		}
	}
	return NULL;
}

/* The connection's part an initiation needs, copied under the lock. */
struct initiate_cfg {
	char remote[128];
	char local[128];
	enum fragmentation fragmentation;
};

static int load(struct ike_service *svc, const char *child, const char *ike,
		struct initiating *ini, struct initiate_cfg *ic, char *err,
		size_t errlen)
{
	const struct conn_cfg *c = NULL;
	size_t index = 0;
	int rc = -1;

	pthread_rwlock_rdlock(&svc->config_lock);
	if (svc->config)
		c = find_child(svc->config, child, ike, &index);
	if (!c)
		snprintf(err, errlen, "%s '%s' not found",
			 child && *child ? "CHILD_SA config" : "peer config",
			 child && *child ? child : ike ? ike : "");
	else if (c->n_remote_addrs == 0 || strcmp(c->remote_addrs[0], "%any") == 0)
		snprintf(err, errlen, "unable to initiate to %%any");
	else if (c->n_children == 0)
		snprintf(err, errlen, "no CHILD_SA config in '%s'", c->name);
	else {
		peer_cfg_from_conn(c, index, &ini->cfg);
		ini->n_proposals = c->n_proposals;
		memcpy(ini->proposals, c->proposals,
		       c->n_proposals * sizeof(c->proposals[0]));
		ini->send_certreq = c->send_certreq;
		snprintf(ic->remote, sizeof(ic->remote), "%s", c->remote_addrs[0]);
		snprintf(ic->local, sizeof(ic->local), "%s",
			 c->n_local_addrs ? c->local_addrs[0] : "%any");
		ic->fragmentation = c->fragmentation;
		rc = 0;
	}
	pthread_rwlock_unlock(&svc->config_lock);
	return rc;
}

/* The source address the routing table picks for remote. */
static int route_source(const struct sockaddr_storage *remote,
			struct sockaddr_storage *local)
{
	socklen_t len = sizeof(*local);
	int fd = socket(remote->ss_family, SOCK_DGRAM, 0), rc = -1;

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)remote,
		    remote->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						    sizeof(struct sockaddr_in)) == 0 &&
	    getsockname(fd, (struct sockaddr *)local, &len) == 0)
		rc = 0;
	close(fd);
	return rc;
}

void sockaddr_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

static int addresses(struct ike_service *svc, const struct initiate_cfg *ic,
		     struct sockaddr_storage *local,
		     struct sockaddr_storage *remote, char *err, size_t errlen)
{
	uint16_t port = svc->settings.port;

	if (sockaddr_parse(ic->remote, port, remote) < 0) {
		snprintf(err, errlen, "unable to resolve %s", ic->remote);
		return -1;
	}
	if (strcmp(ic->local, "%any") != 0 &&
	    sockaddr_parse(ic->local, port, local) == 0 &&
	    local->ss_family == remote->ss_family)
		return 0;
	if (route_source(remote, local) < 0) {
		snprintf(err, errlen, "no local address found to reach %s",
			 ic->remote);
		return -1;
	}
	sockaddr_set_port(local, port);
	return 0;
}

/* A new SA in the table, claimed (busy) for the caller. */
static struct ike_sa *new_sa(struct ike_service *svc)
{
	uint64_t spi_i = 0, id;

	while (spi_i == 0)
		if (RAND_bytes((uint8_t *)&spi_i, 8) != 1)
			return NULL;
	id = sa_table_add(svc->sas, spi_i, 0);
	return id ? sa_table_claim(svc->sas, id) : NULL;
}

static int start(struct ike_service *svc, struct ike_sa *sa,
		 struct initiating *ini, const struct initiate_cfg *ic,
		 const struct sockaddr_storage *local,
		 const struct sockaddr_storage *remote)
{
	char host[64];

	sa->initiator = true;
	sa->initiating = ini;
	sa->local = *local;
	sa->remote = *remote;
	sa->created = sa->last_received = sa_table_now();
	sa->fragmentation = ic->fragmentation;
	reassembly_init(&sa->reassembly, &svc->frag_budget,
			FRAGMENTS_MAX_DEFAULT, REASSEMBLY_SA_MAX_DEFAULT);
	sa->ni_len = OUR_NONCE_LEN;
	if (RAND_bytes(sa->ni, OUR_NONCE_LEN) != 1)
		return -1;
	sa_table_set_state(svc->sas, sa->unique_id, IKE_SA_CONNECTING,
			   ini->cfg.name);
	sockaddr_host(remote, host, sizeof(host));
	DBG1(LOG_IKE, "initiating IKE_SA %s[%llu] to %s", ini->cfg.name,
	     (unsigned long long)sa->unique_id, host);
	return initiator_init_send(svc, sa);
}

/* An IKE_SA of connection conn that is up (or, unless established,
 * coming up): its unique id, 0 if none. */
static uint64_t conn_sa(struct ike_service *svc, const char *conn,
			bool established)
{
	size_t n;
	struct ike_sa *all = sa_table_snapshot(svc->sas, &n);
	uint64_t found = 0;

	for (size_t i = 0; all && i < n && !found; i++)
		if (all[i].state != IKE_SA_DELETING &&
		    (!established || all[i].state == IKE_SA_ESTABLISHED) &&
		    strcmp(all[i].conn, conn) == 0)
			found = all[i].unique_id;
	free(all);
	return found;
}

/* The CHILD_SA on IKE_SA id with CREATE_CHILD_SA; a request of ours
 * under way (DPD, a rekeying) is waited for up to BUSY_WAIT_MS. */
static int initiate_on(struct ike_service *svc, uint64_t id, const char *child,
		       char *err, size_t errlen)
{
	struct timespec step = { 0, BUSY_STEP_MS * 1000000L };
	int rc;

	for (unsigned waited = 0;; waited += BUSY_STEP_MS) {
		rc = child_out_create(svc, id, child);
		if (rc != 1 || waited >= BUSY_WAIT_MS)
			break;
		nanosleep(&step, NULL);
	}
	if (rc != 0)
		snprintf(err, errlen, "establishing CHILD_SA '%s' failed", child);
	return rc == 0 ? 0 : -1;
}

int initiate(struct ike_service *svc, const char *child, const char *ike,
	     uint64_t *unique_id, char *err, size_t errlen)
{
	struct initiating *ini = calloc(1, sizeof(*ini));
	struct initiate_cfg ic;
	struct sockaddr_storage local = { 0 }, remote = { 0 };
	struct ike_sa *sa;

	if (!ini) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (load(svc, child, ike, ini, &ic, err, errlen) < 0) {
		initiating_free(ini);
		return -1;
	}
	/* A child of an IKE_SA that is up comes with CREATE_CHILD_SA. */
	*unique_id = child && *child ? conn_sa(svc, ini->cfg.name, true) : 0;
	if (*unique_id) {
		initiating_free(ini);
		return initiate_on(svc, *unique_id, child, err, errlen);
	}
	if (addresses(svc, &ic, &local, &remote, err, errlen) < 0) {
		initiating_free(ini);
		return -1;
	}
	sa = new_sa(svc);
	if (!sa) {
		initiating_free(ini);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*unique_id = sa->unique_id;
	if (start(svc, sa, ini, &ic, &local, &remote) < 0) {
		snprintf(err, errlen, "establishing IKE_SA failed");
		sa_table_set_state(svc->sas, sa->unique_id, IKE_SA_DELETING, NULL);
		sa->busy = false;
		return -1;
	}
	sa_release(svc, sa);
	return 0;
}

#define START_MAX 64

void initiate_start_actions(struct ike_service *svc)
{
	char names[START_MAX][2][64];
	size_t n = 0;
	char err[256];
	uint64_t id;

	pthread_rwlock_rdlock(&svc->config_lock);
	for (size_t i = 0; svc->config && i < svc->config->n_conns; i++) {
		const struct conn_cfg *c = &svc->config->conns[i];

		for (size_t k = 0; k < c->n_children && n < START_MAX; k++) {
			if (c->children[k].start_action != ACTION_START)
				continue;
			snprintf(names[n][0], sizeof(names[n][0]), "%s", c->name);
			snprintf(names[n][1], sizeof(names[n][1]), "%s",
				 c->children[k].name);
			n++;
		}
	}
	pthread_rwlock_unlock(&svc->config_lock);
	for (size_t i = 0; i < n; i++) {
		if (conn_sa(svc, names[i][0], false))
			continue;
		if (initiate(svc, names[i][1], names[i][0], &id, err,
			     sizeof(err)) < 0)
			DBG1(LOG_CFG, "initiating '%s' failed: %s", names[i][1], err);
	}
}
