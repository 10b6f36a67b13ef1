#include "ike/kernel_desired.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "ike/child_install.h"
#include "ike/child_kernel.h"
#include "ike/keymat.h"
#include "ike/prf.h"
#include "ike/service.h"
#include "ike/socket.h"
#include "kernel.pb-c.h"
#include "log.h"

#define KERNEL_TIMEOUT_MS 10000
#define SYNC_ROUNDS 3

void child_keep_keymat(struct child_sa *child, const uint8_t *keymat,
		       size_t len)
{
	child->keymat_len = len <= sizeof(child->keymat) ? len : 0;
	memcpy(child->keymat, keymat, child->keymat_len);
}

/* Adds the child's SAs and policies to want; false when its KEYMAT is
 * unknown (then the kernel's copy, if any, goes). */
static bool add_child(const struct ike_sa *sa, const struct child_sa *child,
		      struct child_kernel_msgs *m, Cygnet__DesiredState *want)
{
	if (!child->sa_in || !child->sa_out)
		return true;
	if (child_kernel_sas(sa, child, child->keymat, child->keymat_len, m) < 0)
		return false;
	want->sas[want->n_sas++] = &m->sa[0];
	want->sas[want->n_sas++] = &m->sa[1];
	if (child->policies) {
		child_kernel_policy(sa, child, m);
		want->policies[want->n_policies++] = &m->policy;
	}
	return true;
}

static size_t count_children(const struct ike_sa *sas, size_t n)
{
	size_t children = 0;

	for (size_t i = 0; i < n; i++)
		children += sas[i].n_children;
	return children;
}

static int send_desired(struct ike_service *svc, const Cygnet__DesiredState *want,
			size_t n_children)
{
	const Cygnet__ReconcileResult *r;
	struct rpc_result result;

	rpc_call(svc->kernel, CYGNET__KERNEL_METHOD__KERNEL_SET_DESIRED,
		 &want->base, &cygnet__reconcile_result__descriptor,
		 KERNEL_TIMEOUT_MS, &result);
	if (result.status != CYGNET__RPC_STATUS__RPC_OK) {
		DBG1(LOG_KNL, "reconciling kernel state failed: %s", result.error);
		return -1;
	}
	r = (const Cygnet__ReconcileResult *)result.reply;
	DBG1(LOG_KNL, "reconciled kernel state of %zu CHILD_SA%s with the kernel "
	     "service: %u SAs and %u policies added, %u SAs and %u policies "
	     "removed", n_children, n_children == 1 ? "" : "s", r->sas_added,
	     r->policies_added, r->sas_removed, r->policies_removed);
	protobuf_c_message_free_unpacked(result.reply, NULL);
	return 0;
}

static void wipe_sas(struct ike_sa *sas, size_t n)
{
	OPENSSL_cleanse(sas, n * sizeof(*sas));
	free(sas);
}

/* Which CHILD_SAs with kernel state a snapshot holds. */
struct fingerprint {
	size_t n;
	uint64_t sum;
};

static struct fingerprint fingerprint_of(const struct ike_sa *sas, size_t n)
{
	struct fingerprint fp = { 0, 0 };

	for (size_t i = 0; i < n; i++) {
		if (sas[i].state == IKE_SA_DELETING)
			continue;
		for (size_t c = 0; c < sas[i].n_children; c++) {
			const struct child_sa *child = &sas[i].children[c];

			if (!child->sa_in || !child->sa_out)
				continue;
			fp.n++;
			fp.sum += (uint64_t)child->unique_id << 32 | child->spi_in;
		}
	}
	return fp;
}

static int sync_once(struct ike_service *svc, struct fingerprint *sent)
{
	Cygnet__DesiredState want = CYGNET__DESIRED_STATE__INIT;
	size_t n_sas, n_children, used = 0;
	struct ike_sa *sas = sa_table_snapshot(svc->sas, &n_sas);
	struct child_kernel_msgs *msgs;
	int rc = -1;

	if (!sas)
		return -1;
	*sent = fingerprint_of(sas, n_sas);
	n_children = count_children(sas, n_sas);
	msgs = calloc(n_children + 1, sizeof(*msgs));
	want.sas = calloc(2 * n_children + 1, sizeof(*want.sas));
	want.policies = calloc(n_children + 1, sizeof(*want.policies));
	if (msgs && want.sas && want.policies) {
		for (size_t i = 0; i < n_sas; i++) {
			if (sas[i].state == IKE_SA_DELETING)
				continue;
			for (size_t c = 0; c < sas[i].n_children; c++, used++)
				if (!add_child(&sas[i], &sas[i].children[c],
					       &msgs[used], &want))
					DBG1(LOG_KNL, "no keys of CHILD_SA %s{%u} to "
					     "install it again",
					     sas[i].children[c].name,
					     sas[i].children[c].unique_id);
		}
		rc = send_desired(svc, &want, used);
	}
	if (msgs)
		OPENSSL_cleanse(msgs, (n_children + 1) * sizeof(*msgs));
	free(msgs);
	free(want.sas);
	free(want.policies);
	wipe_sas(sas, n_sas);
	return rc;
}

static bool changed_since(struct ike_service *svc, const struct fingerprint *sent)
{
	size_t n_sas;
	struct ike_sa *sas = sa_table_snapshot(svc->sas, &n_sas);
	struct fingerprint now;

	if (!sas)
		return true;
	now = fingerprint_of(sas, n_sas);
	wipe_sas(sas, n_sas);
	return now.n != sent->n || now.sum != sent->sum;
}

/* While the packet path keeps going, a CHILD_SA may be installed or
 * deleted between the snapshot and the kernel service's reconcile,
 * which then removes or keeps the wrong state: sent again until the
 * CHILD_SAs stayed the same over a round. */
int kernel_desired_sync(struct ike_service *svc)
{
	struct fingerprint sent;

	for (int round = 0; round < SYNC_ROUNDS; round++) {
		if (sync_once(svc, &sent) < 0)
			return -1;
		if (!changed_since(svc, &sent))
			return 0;
	}
	DBG1(LOG_KNL, "CHILD_SAs kept changing while reconciling kernel state");
	return -1;
}
