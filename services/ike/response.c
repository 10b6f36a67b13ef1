/* Responses to our requests, on the SA's worker: the initiator's
 * exchanges go on, our INFORMATIONAL requests complete. */
#include "ike/child_install.h"
#include "ike/child_out.h"
#include "ike/delete.h"
#include "ike/exchange.h"
#include "ike/initiate.h"
#include "log.h"

/* Returns -1 when the IKE_SA ends. */
static int informational_response(struct ike_request *req)
{
	struct ike_sa *sa = req->sa;
	enum info_kind kind = sa->info_kind;

	sa->info_kind = INFO_NONE;
	switch (kind) {
	case INFO_DELETE_IKE:
		DBG1(LOG_IKE, "IKE_SA deleted");
		return -1;
	case INFO_DELETE_CHILD:
		child_remove_by_id(req->svc, sa, sa->info_child);
		return 0;
	default:
		return 0;
	}
}

void initiating_abort(struct ike_service *svc, struct ike_sa *sa)
{
	if (!sa->initiating)
		return;
	/* The larval SA of our offered SPI. */
	if (sa->initiating->child.spi_in)
		child_uninstall(svc, sa, &sa->initiating->child);
	initiating_free(sa->initiating);
	sa->initiating = NULL;
}

void response_handle(struct ike_request *req)
{
	int rc;

	switch (req->response_to) {
	case IKE_SA_INIT:
		rc = initiator_init_handle(req);
		break;
	case IKE_AUTH:
		rc = initiator_auth_handle(req);
		break;
	case INFORMATIONAL:
		rc = informational_response(req);
		break;
	case CREATE_CHILD_SA:
		rc = child_out_response(req);
		break;
	default:
		DBG1(LOG_IKE, "%s response not handled, ignored",
		     exchange_name(req->response_to));
		return;
	}
	if (rc < 0) {
		initiating_abort(req->svc, req->sa);
		exchange_sa_gone(req->svc, req->sa);
	}
}
