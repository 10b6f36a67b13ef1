#include "ike/service.h"

#include <stdio.h>
#include <string.h>

#include "ike/conn_export.h"
#include "ike/exchange.h"
#include "ike/metrics.h"
#include "ike/initiate.h"
#include "ike/initiate_rpc.h"
#include "ike/sa_list.h"
#include "log.h"

/* Beyond the CPUs any machine here has; a typo should not start
 * thousands of threads. */
#define CRYPTO_THREADS_MAX 256

int ike_service_init(struct ike_service *svc)
{
	memset(svc, 0, sizeof(*svc));
	svc->sas = sa_table_create();
	if (!svc->sas)
		return -1;
	frag_budget_init(&svc->frag_budget, REASSEMBLY_TOTAL_MAX_DEFAULT);
	if (cookie_guard_init(&svc->cookies) < 0)
		return -1;
	if (lifetime_queue_init(&svc->lifetimes) < 0)
		return -1;
	return pthread_rwlock_init(&svc->config_lock, NULL) == 0 ? 0 : -1;
}

void ike_service_cleanup(struct ike_service *svc)
{
	request_wait_all(svc);
	config_free(svc->config);
	svc->config = NULL;
	sa_table_destroy(svc->sas);
	svc->sas = NULL;
	frag_budget_destroy(&svc->frag_budget);
	cookie_guard_destroy(&svc->cookies);
	lifetime_queue_destroy(&svc->lifetimes);
	conf_list_free(svc->settings.listen, svc->settings.n_listen);
	svc->settings.n_listen = 0;
	pthread_rwlock_destroy(&svc->config_lock);
}

static int load_port(const struct conf_section *root, const char *key,
		     long def, uint16_t *out, char *err, size_t errlen)
{
	long port;

	if (conf_get_int(root, key, def, &port) < 0 || port < 1 || port > 65535) {
		snprintf(err, errlen, "invalid %s", key);
		return -1;
	}
	*out = (uint16_t)port;
	return 0;
}

/* The pool is started once; a reload keeps its size. */
static int load_crypto_threads(const struct conf_section *root, size_t *out,
			       char *err, size_t errlen)
{
	long n;

	if (conf_get_int(root, "cygnet.ike.crypto_threads", 0, &n) < 0 ||
	    n < 0 || n > CRYPTO_THREADS_MAX) {
		snprintf(err, errlen, "cygnet.ike.crypto_threads must be 0..%d",
			 CRYPTO_THREADS_MAX);
		return -1;
	}
	*out = (size_t)n;
	return 0;
}

/* Sockets are bound once at start; a reload keeps them. */
static int load_settings(struct ike_service *svc, const struct conf *conf,
			 char *err, size_t errlen)
{
	const struct conf_section *root = conf_root(conf);
	struct ike_settings *s = &svc->settings;
	char *listen[CONFIG_MAX_ADDRS + 1];
	size_t n;

	if (load_port(root, "cygnet.ike.port", IKE_PORT, &s->port, err, errlen) < 0 ||
	    load_port(root, "cygnet.ike.port_nat_t", IKE_NATT_PORT, &s->port_nat_t,
		      err, errlen) < 0)
		return -1;
	if (retransmit_settings_load(root, &s->retransmit, err, errlen) < 0)
		return -1;
	if (cookie_configure(&svc->cookies, root, err, errlen) < 0)
		return -1;
	if (load_crypto_threads(root, &s->crypto_threads, err, errlen) < 0)
		return -1;
	if (s->port == s->port_nat_t) {
		snprintf(err, errlen, "cygnet.ike.port and port_nat_t must differ");
		return -1;
	}
	n = conf_get_list(root, "cygnet.ike.listen", listen, CONFIG_MAX_ADDRS + 1);
	if (n > CONFIG_MAX_ADDRS) {
		conf_list_free(listen, n);
		snprintf(err, errlen, "too many cygnet.ike.listen addresses");
		return -1;
	}
	memcpy(s->listen, listen, n * sizeof(listen[0]));
	s->n_listen = n;
	return 0;
}

int ike_service_configure(void *arg, const struct conf *conf, bool reload,
			  char *err, size_t errlen)
{
	struct ike_service *svc = arg;
	struct ike_config *config, *old;

	if (!reload && load_settings(svc, conf, err, errlen) < 0)
		return -1;
	config = config_load(conf, err, errlen);
	if (!config)
		return -1;
	for (size_t i = 0; i < config->n_conns; i++)
		DBG1(LOG_CFG, "added connection: %s", config->conns[i].name);
	pthread_rwlock_wrlock(&svc->config_lock);
	old = svc->config;
	svc->config = config;
	pthread_rwlock_unlock(&svc->config_lock);
	config_free(old);
	if (reload)
		DBG1(LOG_CFG, "reloaded %zu connection%s", config->n_conns,
		     config->n_conns == 1 ? "" : "s");
	if (reload && svc->receiving)
		initiate_start_actions(svc);
	return 0;
}

void ike_service_fill_status(void *arg, struct status_builder *b)
{
	struct ike_service *svc = arg;
	size_t conns;

	pthread_rwlock_rdlock(&svc->config_lock);
	conns = svc->config ? svc->config->n_conns : 0;
	pthread_rwlock_unlock(&svc->config_lock);
	status_gauge(b, "ike_connections_loaded",
		     "Connections loaded from connections { }", (double)conns,
		     NULL, NULL);
	status_gauge(b, "ike_sas", "IKE_SAs in the SA table",
		     (double)sa_table_count(svc->sas), NULL, NULL);
	status_gauge(b, "ike_sas_half_open", "IKE_SAs still in IKE_SA_INIT",
		     (double)sa_table_count_half_open(svc->sas), NULL, NULL);
	metrics_fill(svc, b);
}

static void handle_list_vips(void *arg, const ProtobufCMessage *request,
			     struct rpc_reply *reply)
{
	struct ike_service *svc = arg;
	Cygnet__VirtualIpList list;

	(void)request;
	if (sa_table_list_vips(svc->sas, &list) < 0) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"out of memory");
		return;
	}
	rpc_reply_message(reply, &list.base);
	sa_table_vips_free(&list);
}

static void handle_list_conns(void *arg, const ProtobufCMessage *request,
			      struct rpc_reply *reply)
{
	struct ike_service *svc = arg;
	Cygnet__ConnList *list;
	struct ike_config empty = { 0 };

	(void)request;
	pthread_rwlock_rdlock(&svc->config_lock);
	list = conn_export(svc->config ? svc->config : &empty);
	pthread_rwlock_unlock(&svc->config_lock);
	if (!list) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"out of memory");
		return;
	}
	rpc_reply_message(reply, &list->base);
	protobuf_c_message_free_unpacked(&list->base, NULL);
}

static void handle_list_sas(void *arg, const ProtobufCMessage *request,
			    struct rpc_reply *reply)
{
	Cygnet__IkeSaList *list = sa_list_build(arg);

	(void)request;
	if (!list) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"out of memory");
		return;
	}
	rpc_reply_message(reply, &list->base);
	sa_list_free(list);
}

const struct rpc_method ike_methods[] = {
	{ CYGNET__IKE_METHOD__IKE_LIST_VIRTUAL_IPS, "list-virtual-ips",
	  &cygnet__empty__descriptor, handle_list_vips },
	{ CYGNET__IKE_METHOD__IKE_LIST_CONNS, "list-conns",
	  &cygnet__empty__descriptor, handle_list_conns },
	{ CYGNET__IKE_METHOD__IKE_LIST_SAS, "list-sas",
	  &cygnet__empty__descriptor, handle_list_sas },
	{ CYGNET__IKE_METHOD__IKE_INITIATE, "initiate",
	  &cygnet__initiate_request__descriptor, ike_handle_initiate },
	{ CYGNET__IKE_METHOD__IKE_TERMINATE, "terminate",
	  &cygnet__terminate_request__descriptor, ike_handle_terminate },
};

const size_t ike_n_methods = sizeof(ike_methods) / sizeof(ike_methods[0]);
