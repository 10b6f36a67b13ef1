#include "ike/metrics.h"

#include <stdatomic.h>
#include <stdio.h>

#include "ike/service.h"

/* IKE_SA_INIT (34) to INFORMATIONAL (37); other types are never
 * parsed as messages of ours. */
#define EXCHANGE_FIRST IKE_SA_INIT
#define EXCHANGES (INFORMATIONAL - IKE_SA_INIT + 1)

enum kind { REQUEST_IN, RESPONSE_OUT, REQUEST_OUT, RESPONSE_IN, KINDS };

static struct {
	atomic_ulong messages[KINDS][EXCHANGES];
	atomic_ulong retransmits;
	atomic_ulong retransmits_sent;	/* of our requests */
	atomic_ulong invalid[METRICS_INVALID_MAX];
} counters;

static void count(enum kind kind, uint8_t exchange)
{
	if (exchange >= EXCHANGE_FIRST && exchange < EXCHANGE_FIRST + EXCHANGES)
		atomic_fetch_add(&counters.messages[kind][exchange - EXCHANGE_FIRST], 1);
}

void metrics_received(const struct ike_header *h)
{
	count(message_is_request(h) ? REQUEST_IN : RESPONSE_IN, h->exchange);
}

void metrics_sent(uint8_t exchange, bool response)
{
	count(response ? RESPONSE_OUT : REQUEST_OUT, exchange);
}

void metrics_retransmit_received(void)
{
	atomic_fetch_add(&counters.retransmits, 1);
}

void metrics_retransmit_sent(void)
{
	atomic_fetch_add(&counters.retransmits_sent, 1);
}

void metrics_invalid(enum metrics_invalid reason)
{
	if (reason < METRICS_INVALID_MAX)
		atomic_fetch_add(&counters.invalid[reason], 1);
}

static void fill_messages(struct status_builder *b)
{
	static const struct {
		const char *name;
		const char *help;
	} kinds[KINDS] = {
		[REQUEST_IN] = { "ike_requests_received_total",
				 "IKE requests received, by exchange" },
		[RESPONSE_OUT] = { "ike_responses_sent_total",
				   "IKE responses sent, by exchange" },
		[REQUEST_OUT] = { "ike_requests_sent_total",
				  "IKE requests sent, by exchange" },
		[RESPONSE_IN] = { "ike_responses_received_total",
				  "IKE responses received, by exchange" },
	};

	for (int k = 0; k < KINDS; k++)
		for (int e = 0; e < EXCHANGES; e++)
			status_counter(b, kinds[k].name, kinds[k].help,
				       (double)atomic_load(&counters.messages[k][e]),
				       "exchange", exchange_name((uint8_t)(EXCHANGE_FIRST + e)));
}

static void fill_invalid(struct status_builder *b)
{
	static const char *const reasons[METRICS_INVALID_MAX] = {
		[METRICS_PARSE_ERROR] = "parse_error",
		[METRICS_DECRYPTION_FAILED] = "decryption_failed",
		[METRICS_OUT_OF_WINDOW] = "out_of_window",
		[METRICS_NO_SA] = "no_sa",
		[METRICS_UNSUPPORTED_EXCHANGE] = "unsupported_exchange",
	};

	for (int r = 0; r < METRICS_INVALID_MAX; r++)
		status_counter(b, "ike_invalid_messages_total",
			       "IKE messages dropped, by reason",
			       (double)atomic_load(&counters.invalid[r]), "reason",
			       reasons[r]);
	status_counter(b, "ike_retransmits_received_total",
		       "Retransmitted requests answered from the cache",
		       (double)atomic_load(&counters.retransmits), NULL, NULL);
	status_counter(b, "ike_retransmits_sent_total",
		       "Our requests sent again for want of a response",
		       (double)atomic_load(&counters.retransmits_sent), NULL, NULL);
}

static void fill_sas(struct ike_service *svc, struct status_builder *b)
{
	static const char *const states[] = {
		[IKE_SA_CREATED] = "CREATED", [IKE_SA_CONNECTING] = "CONNECTING",
		[IKE_SA_ESTABLISHED] = "ESTABLISHED", [IKE_SA_DELETING] = "DELETING",
		[IKE_SA_REKEYED] = "REKEYED",
	};
	size_t by_state[IKE_SA_STATES], children;

	sa_table_count_states(svc->sas, by_state, &children);
	for (size_t s = 0; s < IKE_SA_STATES; s++)
		status_gauge(b, "ike_sas_by_state", "IKE_SAs, by state",
			     (double)by_state[s], "state", states[s]);
	status_gauge(b, "ike_child_sas", "CHILD_SAs on all IKE_SAs",
		     (double)children, NULL, NULL);
	status_counter(b, "ike_cookies_sent_total",
		       "IKE_SA_INIT requests answered with N(COOKIE)",
		       (double)atomic_load(&svc->cookies.sent), NULL, NULL);
	status_counter(b, "ike_cookies_accepted_total",
		       "IKE_SA_INIT requests with a valid cookie",
		       (double)atomic_load(&svc->cookies.accepted), NULL, NULL);
	status_counter(b, "ike_init_blocked_total",
		       "IKE_SA_INIT requests ignored, peer over block_threshold",
		       (double)atomic_load(&svc->cookies.blocked), NULL, NULL);
}

static void fill_rpc(struct status_builder *b, const char *service,
		     struct rpc_client *client)
{
	struct rpc_client_stats s = { 0 };

	if (client)
		rpc_client_get_stats(client, &s);
	status_counter(b, "ike_rpc_calls_total", "Calls to other services",
		       (double)s.calls, "service", service);
	status_counter(b, "ike_rpc_errors_total",
		       "Calls to other services that failed or timed out",
		       (double)s.errors, "service", service);
	status_counter(b, "ike_rpc_latency_seconds_sum",
		       "Time calls to other services took, summed",
		       (double)s.latency_us / 1e6, "service", service);
}

void metrics_fill(struct ike_service *svc, struct status_builder *b)
{
	fill_sas(svc, b);
	fill_messages(b);
	fill_invalid(b);
	fill_rpc(b, "authority", svc->certreq.authority);
	fill_rpc(b, "pool", svc->pool);
	fill_rpc(b, "kernel", svc->kernel);
}
