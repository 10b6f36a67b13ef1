/* The IKE service's metrics as /metrics shows them: messages by
 * exchange and direction, drops by reason, retransmits, IKE_SAs by
 * state, cookies, and RPC calls to the other services. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/delete.h"
#include "ike/dh.h"
#include "ike/exchange.h"
#include "ike/metrics.h"
#include "ike/request_out.h"
#include "ike_peer.h"
#include "testmain.h"

static const char gw_conf[] =
	"connections {\n"
	"  rw {\n"
	"    proposals = aes256-sha256-modp2048\n"
	"  }\n"
	"}\n";

static char *metrics_text(struct ike_service *svc)
{
	Cygnet__Status *st = status_build("ike", ike_service_fill_status, svc);
	char *text;

	ck_assert_ptr_nonnull(st);
	text = status_to_prometheus(st);
	status_free(st);
	ck_assert_ptr_nonnull(text);
	return text;
}

static void assert_metric(const char *text, const char *line)
{
	ck_assert_msg(strstr(text, line) != NULL, "no '%s' in\n%s", line, text);
}

START_TEST(packet_path_counted)
{
	static struct ike_service svc;
	static struct test_peer peer;
	struct conf_error cerr;
	struct conf *conf = conf_load_string(gw_conf, "gw.conf", &cerr);
	uint8_t buf[64];
	struct msg_builder chain;
	struct ike_sa *sa;
	char err[256], *text;

	ck_assert_ptr_nonnull(conf);
	ck_assert_int_eq(ike_service_init(&svc), 0);
	ck_assert_msg(ike_service_configure(&svc, conf, false, err, sizeof(err)) == 0,
		      "%s", err);
	peer_establish(&peer, &svc, "aes256-sha256-modp2048", DH_MODP_2048, "rw");
	/* An empty INFORMATIONAL, then the same again (retransmit). */
	builder_init_chain(&chain, buf, sizeof(buf));
	peer_request(&peer, INFORMATIONAL, &chain);
	ck_assert_int_eq(ike_process(&svc, &peer.in, &peer.out), 1);
	/* The same request when the SA expects another ID; garbage. */
	sa = peer_sa(&peer);
	sa->next_request_id = 5;
	ck_assert_int_eq(ike_process(&svc, &peer.in, &peer.out), 0);
	peer.in.len = 10;
	ck_assert_int_eq(ike_process(&svc, &peer.in, &peer.out), 0);
	/* Our DPD, unanswered past its first timeout: sent once more. */
	sa->busy = true;
	ck_assert_int_eq(ike_sa_send_dpd(&svc, sa), 0);
	sa_release(&svc, sa);
	ck_assert_int_eq(request_tick(&svc, sa, UINT64_MAX / 2), 0);
	text = metrics_text(&svc);
	assert_metric(text, "cygnet_ike_requests_received_total{exchange=\"IKE_SA_INIT\"} 1\n");
	assert_metric(text, "cygnet_ike_responses_sent_total{exchange=\"IKE_SA_INIT\"} 1\n");
	assert_metric(text, "cygnet_ike_requests_received_total{exchange=\"INFORMATIONAL\"} 3\n");
	assert_metric(text, "cygnet_ike_responses_sent_total{exchange=\"INFORMATIONAL\"} 1\n");
	assert_metric(text, "cygnet_ike_retransmits_received_total 1\n");
	assert_metric(text, "cygnet_ike_retransmits_sent_total 1\n");
	assert_metric(text, "cygnet_ike_requests_sent_total{exchange=\"INFORMATIONAL\"} 1\n");
	assert_metric(text, "cygnet_ike_invalid_messages_total{reason=\"out_of_window\"} 1\n");
	assert_metric(text, "cygnet_ike_invalid_messages_total{reason=\"parse_error\"} 1\n");
	assert_metric(text, "cygnet_ike_sas_by_state{state=\"ESTABLISHED\"} 1\n");
	assert_metric(text, "cygnet_ike_sas_by_state{state=\"CONNECTING\"} 0\n");
	assert_metric(text, "cygnet_ike_child_sas 0\n");
	assert_metric(text, "cygnet_ike_rpc_calls_total{service=\"kernel\"} 0\n");
	free(text);
	ike_service_cleanup(&svc);
	conf_free(conf);
}
END_TEST

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("ike_metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_test(tc, packet_path_counted);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(metrics_suite)
