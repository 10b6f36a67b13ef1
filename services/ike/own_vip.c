#include "ike/own_vip.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ike/child_kernel.h"
#include "ike/cp.h"
#include "ike/initiate.h"
#include "ike/socket.h"
#include "kernel.pb-c.h"
#include "log.h"

#define KERNEL_TIMEOUT_MS 3000

void own_vip_write_request(struct msg_builder *b, const struct peer_cfg *cfg)
{
	if (cfg->n_vips)
		cp_write_request(b, cfg->vips, cfg->n_vips);
}

static const char *vip_text(const uint8_t *addr, size_t len, char *buf,
			    size_t buflen)
{
	return inet_ntop(len == 16 ? AF_INET6 : AF_INET, addr, buf,
			 (socklen_t)buflen);
}

/* ADD_VIP or DEL_VIP on the interface holding our IKE address. */
static int kernel_vip(struct ike_service *svc, const struct ike_sa *sa,
		      uint32_t method, const uint8_t *addr, size_t len)
{
	Cygnet__VipRequest req = CYGNET__VIP_REQUEST__INIT;
	Cygnet__Address vip = CYGNET__ADDRESS__INIT, local;
	uint8_t local_ip[16];
	struct rpc_result res;

	child_kernel_address(&sa->local, local_ip, &local);
	vip.ip = (ProtobufCBinaryData){ len, (uint8_t *)addr };
	req.vip = &vip;
	req.local = &local;
	rpc_call(svc->kernel, method, &req.base, &cygnet__empty__descriptor,
		 KERNEL_TIMEOUT_MS, &res);
	if (res.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_KNL, "%s", res.error);
		return -1;
	}
	protobuf_c_message_free_unpacked(res.reply, NULL);
	return 0;
}

size_t own_vip_take_reply(struct ike_service *svc, struct ike_sa *sa,
			  const struct ike_message *msg)
{
	const struct payload *p = message_find(msg, PL_CP);
	struct cp_payload *cp;
	struct cp_wanted got;
	char text[INET6_ADDRSTRLEN];

	/* Addresses we did not ask for are not ours to install. */
	if (!p || !sa->initiating || !sa->initiating->cfg.n_vips ||
	    !(cp = malloc(sizeof(*cp))))
		return sa->n_own_vips;
	payload_cp_parse(p->body, p->len, cp);
	cp_assigned(cp, &got);
	free(cp);
	for (size_t i = 0; i < got.n && sa->n_own_vips < IKE_SA_MAX_VIPS; i++) {
		struct ike_sa_vip *v = &sa->own_vips[sa->n_own_vips];

		vip_text(got.addr[i], got.len[i], text, sizeof(text));
		DBG1(LOG_IKE, "installing new virtual IP %s", text);
		if (kernel_vip(svc, sa, CYGNET__KERNEL_METHOD__KERNEL_ADD_VIP,
			       got.addr[i], got.len[i]) < 0) {
			DBG1(LOG_IKE, "installing virtual IP %s failed", text);
			continue;
		}
		memset(v, 0, sizeof(*v));
		memcpy(v->addr, got.addr[i], got.len[i]);
		v->addr_len = (uint8_t)got.len[i];
		sa->n_own_vips++;
	}
	return sa->n_own_vips;
}

size_t own_vip_dynamic(const struct ike_sa *sa, uint8_t (*dyn)[16],
		       size_t *dyn_len)
{
	for (size_t i = 0; i < sa->n_own_vips; i++) {
		memcpy(dyn[i], sa->own_vips[i].addr, sa->own_vips[i].addr_len);
		dyn_len[i] = sa->own_vips[i].addr_len;
	}
	if (sa->n_own_vips)
		return sa->n_own_vips;
	dyn_len[0] = sockaddr_addr(&sa->local, dyn[0]);
	return 1;
}

static void whole_range(size_t len, const struct ts *like, struct ts *out)
{
	memset(out, 0, sizeof(*out));
	out->type = len == 4 ? TS_IPV4_ADDR_RANGE : TS_IPV6_ADDR_RANGE;
	memset(out->end, 0xff, len);
	out->protocol = like->protocol;
	out->start_port = like->start_port;
	out->end_port = like->end_port;
}

size_t own_vip_offer_ts(const struct ike_sa *sa, const struct peer_child *cfg,
			struct ts *out, size_t max)
{
	const struct peer_cfg *pc;
	size_t n = 0;

	if (!sa->initiating || sa->n_own_vips)
		return 0;
	pc = &sa->initiating->cfg;
	if (!pc->n_vips)
		return 0;
	for (size_t c = 0; c < cfg->n_local_ts && n < max; c++) {
		if (!cfg->local_ts[c].dynamic) {
			out[n++] = cfg->local_ts[c];
			continue;
		}
		for (size_t v = 0; v < pc->n_vips && n < max; v++)
			whole_range(pc->vips[v].len, &cfg->local_ts[c],
				    &out[n++]);
	}
	return n;
}

void own_vip_remove_all(struct ike_service *svc, struct ike_sa *sa)
{
	for (size_t i = 0; i < sa->n_own_vips; i++)
		kernel_vip(svc, sa, CYGNET__KERNEL_METHOD__KERNEL_DEL_VIP,
			   sa->own_vips[i].addr, sa->own_vips[i].addr_len);
	sa->n_own_vips = 0;
}
