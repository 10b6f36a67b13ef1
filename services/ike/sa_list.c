#include "ike/sa_list.h"

#include <arpa/inet.h>
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.pb-c.h"
#include "log.h"

#define KERNEL_QUERY_TIMEOUT_MS 1000
#define IPPROTO_ESP_NUM 50

void proposal_format_swanctl(const struct proposal *p, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->count && used < len; i++) {
		const struct transform *t = &p->transforms[i];
		char name[64], *bits;

		if (t->type == TRANS_ESN && t->id == ESN_NO)
			continue;
		transform_format(t, name, sizeof(name));
		/* charon prints "AES_CBC_256", swanctl "AES_CBC-256". */
		bits = t->type == TRANS_ENCR && t->key_length ? strrchr(name, '_') : NULL;
		if (bits)
			*bits = '-';
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 used ? "/" : "", name);
	}
}

static char *dup_text(const char *s)
{
	return strdup(s ? s : "");
}

static void query(struct ike_service *svc, const struct sockaddr_storage *dst,
		  uint32_t spi, uint64_t *bytes, uint64_t *packets, int64_t *use)
{
	Cygnet__SaId id = CYGNET__SA_ID__INIT;
	Cygnet__Address a = CYGNET__ADDRESS__INIT;
	const Cygnet__SaUsage *u;
	struct rpc_result result;
	time_t now = time(NULL);
	uint8_t ip[16];

	*use = -1;
	a.ip = (ProtobufCBinaryData){ sockaddr_addr(dst, ip), ip };
	id.dst = &a;
	id.spi = spi;
	id.protocol = IPPROTO_ESP_NUM;
	rpc_call(svc->kernel, CYGNET__KERNEL_METHOD__KERNEL_QUERY_SA, &id.base,
		 &cygnet__sa_usage__descriptor, KERNEL_QUERY_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_KNL, "querying SAD entry with SPI %08x failed: %s", spi,
		     result.error);
		return;
	}
	u = (const Cygnet__SaUsage *)result.reply;
	*bytes = u->bytes;
	*packets = u->packets;
	if (u->last_used)
		*use = now > (time_t)u->last_used ? now - (time_t)u->last_used : 0;
	protobuf_c_message_free_unpacked(result.reply, NULL);
}

static char **ts_texts(const struct ts *ts, size_t n)
{
	char **texts = calloc(n ? n : 1, sizeof(*texts));
	char one[128];

	for (size_t i = 0; texts && i < n; i++) {
		ts_format(&ts[i], one, sizeof(one));
		texts[i] = strdup(one);
	}
	return texts;
}

static Cygnet__ChildSaInfo *child_info(struct ike_service *svc,
				       const struct ike_sa *sa,
				       const struct child_sa *c, time_t now)
{
	Cygnet__ChildSaInfo *info = calloc(1, sizeof(*info));
	char algs[256];
	uint64_t age = (uint64_t)(now - c->installed);

	if (!info)
		return NULL;
	cygnet__child_sa_info__init(info);
	info->name = dup_text(c->name);
	info->unique_id = c->unique_id;
	info->reqid = c->reqid;
	info->state = dup_text("INSTALLED");
	info->mode = dup_text(c->tunnel ? "TUNNEL" : "TRANSPORT");
	info->encap = c->encap;
	proposal_format_swanctl(&c->proposal, algs, sizeof(algs));
	info->algorithms = dup_text(algs);
	info->spi_in = c->spi_in;
	info->spi_out = c->spi_out;
	query(svc, &sa->local, c->spi_in, &info->bytes_in, &info->packets_in,
	      &info->use_in);
	query(svc, &sa->remote, c->spi_out, &info->bytes_out, &info->packets_out,
	      &info->use_out);
	info->installed = age;
	if (c->rekey_time > 0 && (uint64_t)c->rekey_time > age)
		info->rekey_in = (uint64_t)c->rekey_time - age;
	if (c->life_time > 0 && (uint64_t)c->life_time > age)
		info->expires_in = (uint64_t)c->life_time - age;
	info->local_ts = ts_texts(c->local_ts, c->n_local_ts);
	info->n_local_ts = info->local_ts ? c->n_local_ts : 0;
	info->remote_ts = ts_texts(c->remote_ts, c->n_remote_ts);
	info->n_remote_ts = info->remote_ts ? c->n_remote_ts : 0;
	return info;
}

static const char *state_name(enum ike_sa_state state)
{
	switch (state) {
	case IKE_SA_ESTABLISHED:
		return "ESTABLISHED";
	case IKE_SA_DELETING:
		return "DELETING";
	case IKE_SA_REKEYED:
		return "REKEYED";
	default:
		return "CONNECTING";
	}
}

static char **vip_texts(const struct ike_sa_vip *vips, size_t n)
{
	char **texts = calloc(n ? n : 1, sizeof(*texts));
	char one[INET6_ADDRSTRLEN];

	for (size_t i = 0; texts && i < n; i++) {
		inet_ntop(vips[i].addr_len == 16 ? AF_INET6 : AF_INET,
			  vips[i].addr, one, sizeof(one));
		texts[i] = strdup(one);
	}
	return texts;
}

static Cygnet__IkeSaInfo *sa_info(struct ike_service *svc,
				  const struct ike_sa *sa)
{
	Cygnet__IkeSaInfo *info = calloc(1, sizeof(*info));
	char host[INET6_ADDRSTRLEN], algs[256];
	time_t mono = sa_table_now();

	if (!info)
		return NULL;
	cygnet__ike_sa_info__init(info);
	info->name = dup_text(sa->conn);
	info->unique_id = sa->unique_id;
	info->state = dup_text(state_name(sa->state));
	info->spi_i = be64toh(sa->spi_i);
	info->spi_r = be64toh(sa->spi_r);
	info->initiator = sa->initiator;
	info->local_id = dup_text(sa->local_id);
	sockaddr_host(&sa->local, host, sizeof(host));
	info->local_port = sockaddr_port(&sa->local);
	info->local_host = dup_text(host);
	info->remote_id = dup_text(sa->remote_id);
	sockaddr_host(&sa->remote, host, sizeof(host));
	info->remote_port = sockaddr_port(&sa->remote);
	info->remote_host = dup_text(host);
	info->remote_vips = vip_texts(sa->vips, sa->n_vips);
	info->n_remote_vips = info->remote_vips ? sa->n_vips : 0;
	info->local_vips = vip_texts(sa->own_vips, sa->n_own_vips);
	info->n_local_vips = info->local_vips ? sa->n_own_vips : 0;
	proposal_format_swanctl(&sa->proposal, algs, sizeof(algs));
	info->algorithms = dup_text(algs);
	if (sa->established)
		info->established = (uint64_t)(mono - sa->established);
	if (sa->reauth_at > mono)
		info->reauth_in = (uint64_t)(sa->reauth_at - mono);
	info->remote_eap_id = dup_text(sa->remote_eap_id);
	info->children = calloc(sa->n_children ? sa->n_children : 1,
				sizeof(*info->children));
	for (size_t i = 0; info->children && i < sa->n_children; i++) {
		info->children[info->n_children] = child_info(svc, sa,
			&sa->children[i], mono);
		if (info->children[info->n_children])
			info->n_children++;
	}
	return info;
}

Cygnet__IkeSaList *sa_list_build(struct ike_service *svc)
{
	Cygnet__IkeSaList *list = calloc(1, sizeof(*list));
	size_t n = 0;
	struct ike_sa *sas = sa_table_snapshot(svc->sas, &n);

	if (!list || !sas) {
		free(list);
		free(sas);
		return NULL;
	}
	cygnet__ike_sa_list__init(list);
	list->sas = calloc(n ? n : 1, sizeof(*list->sas));
	for (size_t i = 0; list->sas && i < n; i++) {
		list->sas[list->n_sas] = sa_info(svc, &sas[i]);
		if (list->sas[list->n_sas])
			list->n_sas++;
	}
	free(sas);
	return list;
}

void sa_list_free(Cygnet__IkeSaList *list)
{
	/* Every string and array was allocated separately, as protobuf-c's
	 * own unpacker does: its free function releases them all. */
	if (list)
		protobuf_c_message_free_unpacked(&list->base, NULL);
}
