/* Requests on an IKE_SA by exchange type (on a worker thread), and the
 * end of an IKE_SA. */
#include "ike/exchange.h"
#include "ike/eap.h"
#include "ike/lease.h"
#include "ike/own_vip.h"
#include "ike/persist.h"
#include "ike/child_install.h"
#include "ike/create_child.h"
#include "log.h"

int exchange_handle(struct ike_request *req, struct msg_builder *chain)
{
	switch (req->msg.hdr.exchange) {
	case IKE_AUTH:
		return ike_auth_handle(req, chain);
	case INFORMATIONAL:
		/* A peer giving up during IKE_AUTH (e.g. after a TLS
		 * alert in EAP-TLS) ends the IKE_SA. */
		if (req->sa->state == IKE_SA_CONNECTING &&
		    message_find_notify(&req->msg, N_AUTHENTICATION_FAILED)) {
			DBG1(LOG_IKE, "received AUTHENTICATION_FAILED notify error");
			return 1;
		}
		if (req->sa->state != IKE_SA_ESTABLISHED &&
		    req->sa->state != IKE_SA_REKEYED)
			break;
		return informational_handle(req, chain);
	case CREATE_CHILD_SA:
		if (req->sa->state != IKE_SA_ESTABLISHED &&
		    req->sa->state != IKE_SA_REKEYED)
			break;
		return create_child_sa_handle(req, chain);
	default:
		break;
	}
	DBG1(LOG_IKE, "%s request in state %s not handled, ignored",
	     exchange_name(req->msg.hdr.exchange),
	     req->sa->state == IKE_SA_CONNECTING ? "CONNECTING" : "ESTABLISHED");
	return -1;
}

void exchange_sa_gone(struct ike_service *svc, struct ike_sa *sa)
{
	eap_abort(svc, sa);
	persist_sa_remove(svc, sa);
	child_uninstall_all(svc, sa);
	lease_release_all(svc, sa);
	own_vip_remove_all(svc, sa);
	sa_table_set_state(svc->sas, sa->unique_id, IKE_SA_DELETING, NULL);
}
