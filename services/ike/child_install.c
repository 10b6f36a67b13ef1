#include "ike/child_install.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "ike/child_kernel.h"
#include "ike/kernel_desired.h"
#include "ike/keymat.h"
#include "ike/prf.h"
#include "ike/rekey_child.h"
#include "ike/vip_route.h"
#include "kernel.pb-c.h"
#include "log.h"

#define KERNEL_TIMEOUT_MS 3000

static int call(struct ike_service *svc, uint32_t method,
		const ProtobufCMessage *req,
		const ProtobufCMessageDescriptor *reply_type, const char *what,
		ProtobufCMessage **reply)
{
	struct rpc_result result;

	rpc_call(svc->kernel, method, req, reply_type, KERNEL_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_KNL, "%s: %s", what, result.error);
		return -1;
	}
	if (reply)
		*reply = result.reply;
	else
		protobuf_c_message_free_unpacked(result.reply, NULL);
	return 0;
}

int child_alloc_spi(struct ike_service *svc, const struct ike_sa *sa,
		    struct child_sa *child)
{
	Cygnet__AllocSpiRequest req = CYGNET__ALLOC_SPI_REQUEST__INIT;
	Cygnet__Address src, dst;
	uint8_t src_ip[16], dst_ip[16];
	ProtobufCMessage *reply;

	child_kernel_address(&sa->remote, src_ip, &src);
	child_kernel_address(&sa->local, dst_ip, &dst);
	src.port = dst.port = 0;
	req.src = &src;
	req.dst = &dst;
	req.protocol = CHILD_KERNEL_ESP;
	req.reqid = child->reqid;
	if (call(svc, CYGNET__KERNEL_METHOD__KERNEL_ALLOC_SPI, &req.base,
		 &cygnet__alloc_spi_reply__descriptor,
		 "unable to allocate SPI from kernel", &reply) < 0)
		return -1;
	child->spi_in = ((Cygnet__AllocSpiReply *)reply)->spi;
	protobuf_c_message_free_unpacked(reply, NULL);
	return 0;
}

static int add_sa(struct ike_service *svc, Cygnet__SaConfig *cfg)
{
	char what[96];

	snprintf(what, sizeof(what), "unable to add SAD entry with SPI %08x",
		 cfg->spi);
	return call(svc, cfg->inbound ? CYGNET__KERNEL_METHOD__KERNEL_UPDATE_SA :
					CYGNET__KERNEL_METHOD__KERNEL_ADD_SA,
		    &cfg->base, &cygnet__empty__descriptor, what, NULL);
}

static int policies(struct ike_service *svc, const struct ike_sa *sa,
		    const struct child_sa *child, bool add)
{
	struct child_kernel_msgs m;

	child_kernel_policy(sa, child, &m);
	return call(svc, add ? CYGNET__KERNEL_METHOD__KERNEL_ADD_POLICY :
			       CYGNET__KERNEL_METHOD__KERNEL_DEL_POLICY,
		    &m.policy.base, &cygnet__policy_reply__descriptor,
		    add ? "unable to install IPsec policies (SPD) in kernel" :
			  "unable to delete IPsec policies (SPD) from kernel",
		    NULL);
}

int child_install(struct ike_service *svc, const struct ike_sa *sa,
		  struct child_sa *child, const uint8_t *keymat, size_t len)
{
	struct child_kernel_msgs m;

	if (child_kernel_sas(sa, child, keymat, len, &m) < 0)
		return -1;
	child_keep_keymat(child, keymat, len);
	child->sa_in = add_sa(svc, &m.sa[0]) == 0;
	child->sa_out = child->sa_in && add_sa(svc, &m.sa[1]) == 0;
	if (!child->sa_in || !child->sa_out) {
		DBG1(LOG_IKE, "unable to install inbound and outbound IPsec SA "
		     "(SAD) in kernel");
		child_uninstall(svc, sa, child);
		return -1;
	}
	child->policies = policies(svc, sa, child, true) == 0;
	if (!child->policies) {
		child_uninstall(svc, sa, child);
		return -1;
	}
	vip_route_install(svc, sa, child);
	child->installed = sa_table_now();
	return 0;
}

static void del_sa(struct ike_service *svc, const struct sockaddr_storage *dst,
		   uint32_t spi)
{
	Cygnet__SaId id = CYGNET__SA_ID__INIT;
	Cygnet__Address a;
	uint8_t ip[16];
	char what[64];

	child_kernel_address(dst, ip, &a);
	a.port = 0;
	id.dst = &a;
	id.spi = spi;
	id.protocol = CHILD_KERNEL_ESP;
	snprintf(what, sizeof(what), "unable to delete SAD entry with SPI %08x", spi);
	call(svc, CYGNET__KERNEL_METHOD__KERNEL_DEL_SA, &id.base,
	     &cygnet__empty__descriptor, what, NULL);
}

void child_uninstall(struct ike_service *svc, const struct ike_sa *sa,
		     struct child_sa *child)
{
	if (child->policies) {
		policies(svc, sa, child, false);
		vip_route_remove(svc, sa, child);
	}
	if (child->sa_out)
		del_sa(svc, &sa->remote, child->spi_out);
	/* Also a larval SA from ALLOC_SPI. */
	if (child->spi_in)
		del_sa(svc, &sa->local, child->spi_in);
	child->policies = child->sa_in = child->sa_out = false;
	child->spi_in = 0;
}

void child_log_closing(const struct child_sa *child)
{
	char text[1200];

	child_describe(child, text, sizeof(text));
	DBG1(LOG_CHD, "closing CHILD_SA %s{%u} %s", child->name,
	     child->unique_id, text);
}

void child_uninstall_all(struct ike_service *svc, struct ike_sa *sa)
{
	while (sa->n_children) {
		struct child_sa child = sa->children[sa->n_children - 1];

		child_log_closing(&child);
		sa_table_remove_child(svc->sas, sa, sa->n_children - 1);
		child_uninstall(svc, sa, &child);
	}
}

int child_delete_by_peer_spi(struct ike_service *svc, struct ike_sa *sa,
			     uint32_t spi, uint32_t *our_spi)
{
	for (size_t i = 0; i < sa->n_children; i++) {
		struct child_sa child = sa->children[i];

		if (child.spi_out != spi)
			continue;
		rekey_child_concluded(sa, &child);
		child_log_closing(&child);
		*our_spi = child.spi_in;
		DBG1(LOG_IKE, "sending DELETE for ESP CHILD_SA with SPI %08x",
		     child.spi_in);
		sa_table_remove_child(svc->sas, sa, i);
		child_uninstall(svc, sa, &child);
		DBG1(LOG_CHD, "CHILD_SA closed");
		return 0;
	}
	return -1;
}

int child_remove_by_id(struct ike_service *svc, struct ike_sa *sa,
		       uint32_t unique_id)
{
	for (size_t i = 0; i < sa->n_children; i++) {
		struct child_sa child = sa->children[i];

		if (child.unique_id != unique_id)
			continue;
		sa_table_remove_child(svc->sas, sa, i);
		child_uninstall(svc, sa, &child);
		DBG1(LOG_CHD, "CHILD_SA closed");
		return 0;
	}
	return -1;
}
