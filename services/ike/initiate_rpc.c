/* IKE_INITIATE and IKE_TERMINATE (cygnetctl --initiate/--terminate):
 * started here, then waited for by watching the SA table, as vici
 * waits for charon's tasks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ike/delete.h"
#include "ike/initiate.h"
#include "ike/initiate_rpc.h"
#include "log.h"

#define WAIT_STEP_MS 50
#define TERMINATE_MAX 64

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A copy of SA unique_id taken under the lock; false when it is gone
 * or being removed. */
static bool sa_copy(struct ike_service *svc, uint64_t unique_id,
		    struct ike_sa *out)
{
	size_t n;
	struct ike_sa *all = sa_table_snapshot(svc->sas, &n);
	bool found = false;

	for (size_t i = 0; all && i < n && !found; i++) {
		if (all[i].unique_id != unique_id ||
		    all[i].state == IKE_SA_DELETING)
			continue;
		*out = all[i];
		found = true;
	}
	free(all);
	return found;
}

/* 0 when up, else the reason in err, in vici's words (charon says
 * "establishing CHILD_SA failed" whether the IKE_SA or the CHILD_SA
 * failed). */
static int wait_initiated(struct ike_service *svc, uint64_t id,
			  const char *child, uint32_t timeout_ms, char *err,
			  size_t errlen)
{
	struct ike_sa *sa = malloc(sizeof(*sa));
	int rc = -1;

	if (!sa) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (uint32_t waited = 0;; waited += WAIT_STEP_MS) {
		bool found = sa_copy(svc, id, sa);

		if (found && sa->initiated == INITIATE_DONE) {
			rc = 0;
			break;
		}
		if (!found || sa->initiated == INITIATE_CHILD_FAILED) {
			snprintf(err, errlen, "establishing CHILD_SA '%s' failed",
				 child);
			break;
		}
		if (waited >= timeout_ms) {
			snprintf(err, errlen, "CHILD_SA '%s' not established after "
				 "%ums", child, timeout_ms);
			break;
		}
		sleep_ms(WAIT_STEP_MS);
	}
	free(sa);
	return rc;
}

void ike_handle_initiate(void *arg, const ProtobufCMessage *request,
			 struct rpc_reply *reply)
{
	const Cygnet__InitiateRequest *req = (const Cygnet__InitiateRequest *)request;
	struct ike_service *svc = arg;
	Cygnet__InitiateReply out = CYGNET__INITIATE_REPLY__INIT;
	char err[256];
	uint64_t id;

	if (initiate(svc, req->child, req->ike, &id, err, sizeof(err)) < 0 ||
	    (req->timeout_ms &&
	     wait_initiated(svc, id, *req->child ? req->child : req->ike,
			    req->timeout_ms, err, sizeof(err)) < 0)) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED, "%s", err);
		return;
	}
	out.ike_sa_unique_id = id;
	rpc_reply_message(reply, &out.base);
}

struct target {
	uint64_t ike_id;
	uint32_t child_id;	/* 0: the IKE_SA */
};

static bool ike_matches(const Cygnet__TerminateRequest *req,
			const struct ike_sa *sa)
{
	if (sa->state == IKE_SA_DELETING)
		return false;
	if (req->ike_id)
		return sa->unique_id == req->ike_id;
	return !*req->ike || strcmp(sa->conn, req->ike) == 0;
}

/* The SAs (or CHILD_SAs) the request names. */
static size_t targets(struct ike_service *svc, const Cygnet__TerminateRequest *req,
		      struct target *out)
{
	bool children = *req->child || req->child_id;
	size_t n, count = 0;
	struct ike_sa *all = sa_table_snapshot(svc->sas, &n);

	for (size_t i = 0; all && i < n; i++) {
		const struct ike_sa *sa = &all[i];

		if (!ike_matches(req, sa))
			continue;
		for (size_t k = 0; children && k < sa->n_children; k++) {
			const struct child_sa *c = &sa->children[k];

			if (count < TERMINATE_MAX &&
			    (req->child_id ? c->unique_id == req->child_id :
					     strcmp(c->name, req->child) == 0))
				out[count++] = (struct target){ sa->unique_id,
								c->unique_id };
		}
		if (!children && count < TERMINATE_MAX)
			out[count++] = (struct target){ sa->unique_id, 0 };
	}
	free(all);
	return count;
}

static bool target_gone(struct ike_service *svc, const struct target *t)
{
	struct ike_sa *sa = malloc(sizeof(*sa));
	bool gone = true;

	if (!sa)
		return false;
	if (sa_copy(svc, t->ike_id, sa)) {
		gone = t->child_id != 0;
		for (size_t k = 0; t->child_id && k < sa->n_children; k++)
			if (sa->children[k].unique_id == t->child_id)
				gone = false;
	}
	free(sa);
	return gone;
}

static int start_delete(struct ike_service *svc, const struct target *t)
{
	return t->child_id ? child_sa_delete(svc, t->ike_id, t->child_id) :
			     ike_sa_delete(svc, t->ike_id);
}

/* Sends the DELETEs (retrying while an SA is busy) and waits for the
 * SAs to go; returns how many went. */
static uint32_t terminate(struct ike_service *svc, const struct target *t,
			  size_t n, uint32_t timeout_ms)
{
	bool started[TERMINATE_MAX] = { false };
	uint32_t done = 0, waited = 0;

	for (;; waited += WAIT_STEP_MS) {
		done = 0;
		for (size_t i = 0; i < n; i++) {
			if (!started[i])
				started[i] = start_delete(svc, &t[i]) <= 0;
			done += started[i] && target_gone(svc, &t[i]);
		}
		if (done == n || waited >= timeout_ms)
			return done;
		sleep_ms(WAIT_STEP_MS);
	}
}

void ike_handle_terminate(void *arg, const ProtobufCMessage *request,
			  struct rpc_reply *reply)
{
	const Cygnet__TerminateRequest *req = (const Cygnet__TerminateRequest *)request;
	struct ike_service *svc = arg;
	Cygnet__TerminateReply out = CYGNET__TERMINATE_REPLY__INIT;
	struct target *t = calloc(TERMINATE_MAX, sizeof(*t));
	size_t n = t ? targets(svc, req, t) : 0;

	if (n == 0) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED,
				"no matching SAs to terminate found");
		free(t);
		return;
	}
	out.terminated = terminate(svc, t, n, req->timeout_ms);
	free(t);
	if (req->timeout_ms && out.terminated < n) {
		rpc_reply_error(reply, CYGNET__RPC_STATUS__RPC_FAILED, "%s",
				n == 1 ? "terminating SA failed" :
				"not all matching SAs could be terminated");
		return;
	}
	rpc_reply_message(reply, &out.base);
}
