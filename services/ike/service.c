#include "ike/service.h"

#include <stdio.h>

#include "ike/conn_export.h"
#include "log.h"

int ike_service_init(struct ike_service *svc)
{
	svc->config = NULL;
	svc->sas = sa_table_create();
	if (!svc->sas)
		return -1;
	return pthread_rwlock_init(&svc->config_lock, NULL) == 0 ? 0 : -1;
}

void ike_service_cleanup(struct ike_service *svc)
{
	config_free(svc->config);
	svc->config = NULL;
	sa_table_destroy(svc->sas);
	svc->sas = NULL;
	pthread_rwlock_destroy(&svc->config_lock);
}

int ike_service_configure(void *arg, const struct conf *conf, bool reload,
			  char *err, size_t errlen)
{
	struct ike_service *svc = arg;
	struct ike_config *config = config_load(conf, err, errlen), *old;

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

const struct rpc_method ike_methods[] = {
	{ CYGNET__IKE_METHOD__IKE_LIST_VIRTUAL_IPS, "list-virtual-ips",
	  &cygnet__empty__descriptor, handle_list_vips },
	{ CYGNET__IKE_METHOD__IKE_LIST_CONNS, "list-conns",
	  &cygnet__empty__descriptor, handle_list_conns },
};

const size_t ike_n_methods = sizeof(ike_methods) / sizeof(ike_methods[0]);
