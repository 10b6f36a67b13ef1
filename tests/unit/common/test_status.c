/* Status building and its JSON and Prometheus renderings. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "status.h"
#include "testmain.h"

static void fill_pool(void *ctx, struct status_builder *b)
{
	(void)ctx;
	status_set_uptime(b, 42);
	status_gauge(b, "pool_leases_online", "Leases online.", 3, "pool",
		     "ipv4");
	status_counter(b, "pool_acquires_total", "Leases handed out.", 17,
		       NULL, NULL);
	status_gauge(b, "pool_leases_online", "Leases online.", 1, "pool",
		     "ipv6");
}

static void fill_degraded(void *ctx, struct status_builder *b)
{
	(void)ctx;
	status_set_state(b, "degraded");
}

static void fill_tricky(void *ctx, struct status_builder *b)
{
	(void)ctx;
	status_gauge(b, "odd-name.x", "line one\nback\\slash", 0.5, "id",
		     "say \"hi\"\\\n");
	status_gauge(b, "broken", "", NAN, "1label", "v");
	status_counter(b, "huge", "h", INFINITY, NULL, NULL);
}

static char *render(status_fill_fn fill,
		    char *(*to_text)(const Cygnet__Status *status))
{
	Cygnet__Status *status = status_build("pool", fill, NULL);
	char *text;

	ck_assert_ptr_nonnull(status);
	text = to_text(status);
	status_free(status);
	ck_assert_ptr_nonnull(text);
	return text;
}

static char *render_json(status_fill_fn fill)
{
	return render(fill, status_to_json);
}

static char *render_prometheus(status_fill_fn fill)
{
	return render(fill, status_to_prometheus);
}

START_TEST(build_fields)
{
	Cygnet__Status *status = status_build("pool", fill_pool, NULL);

	ck_assert_ptr_nonnull(status);
	ck_assert_str_eq(status->service, "pool");
	ck_assert_str_eq(status->version, CYGNET_VERSION);
	ck_assert_uint_eq(status->pid, (uint32_t)getpid());
	ck_assert_uint_eq(status->uptime_s, 42);
	ck_assert_str_eq(status->state, "running");
	ck_assert_uint_eq(status->n_metrics, 3);
	ck_assert_str_eq(status->metrics[0]->name, "pool_leases_online");
	ck_assert_int_eq(status->metrics[0]->kind, CYGNET__METRIC__KIND__GAUGE);
	ck_assert_uint_eq(status->metrics[0]->n_labels, 1);
	ck_assert_str_eq(status->metrics[0]->labels[0]->name, "pool");
	ck_assert_str_eq(status->metrics[0]->labels[0]->value, "ipv4");
	ck_assert_int_eq(status->metrics[1]->kind,
			 CYGNET__METRIC__KIND__COUNTER);
	ck_assert_uint_eq(status->metrics[1]->n_labels, 0);
	ck_assert(status->metrics[1]->value == 17);
	status_free(status);
}
END_TEST

START_TEST(build_state_and_no_fill)
{
	Cygnet__Status *status = status_build("ike", fill_degraded, NULL);

	ck_assert_str_eq(status->state, "degraded");
	status_free(status);
	status = status_build("ike", NULL, NULL);
	ck_assert_str_eq(status->state, "running");
	ck_assert_uint_eq(status->n_metrics, 0);
	ck_assert_uint_eq(status->uptime_s, 0);
	status_free(status);
}
END_TEST

/* The builder owns copies: a fill function may pass stack buffers. */
static void fill_from_stack(void *ctx, struct status_builder *b)
{
	char name[32] = "pool_size";
	char value[32] = "ipv4";

	(void)ctx;
	status_gauge(b, name, "Addresses.", 62, "pool", value);
	memset(name, 'x', sizeof(name) - 1);
	memset(value, 'y', sizeof(value) - 1);
}

START_TEST(build_copies_strings)
{
	Cygnet__Status *status = status_build("pool", fill_from_stack, NULL);

	ck_assert_str_eq(status->metrics[0]->name, "pool_size");
	ck_assert_str_eq(status->metrics[0]->labels[0]->value, "ipv4");
	status_free(status);
}
END_TEST

START_TEST(json_document)
{
	char *json = render_json(fill_pool);
	char expect[512];

	snprintf(expect, sizeof(expect),
		 "{\"service\":\"pool\",\"version\":\"%s\",\"pid\":%d,"
		 "\"uptime\":42,\"state\":\"running\",\"metrics\":["
		 "{\"name\":\"pool_leases_online\",\"type\":\"gauge\","
		 "\"help\":\"Leases online.\",\"value\":3,"
		 "\"labels\":{\"pool\":\"ipv4\"}},"
		 "{\"name\":\"pool_acquires_total\",\"type\":\"counter\","
		 "\"help\":\"Leases handed out.\",\"value\":17,\"labels\":{}},"
		 "{\"name\":\"pool_leases_online\",\"type\":\"gauge\","
		 "\"help\":\"Leases online.\",\"value\":1,"
		 "\"labels\":{\"pool\":\"ipv6\"}}]}\n",
		 CYGNET_VERSION, (int)getpid());
	ck_assert_str_eq(json, expect);
	free(json);
}
END_TEST

START_TEST(json_escapes_and_numbers)
{
	char *json = render_json(fill_tricky);

	ck_assert_ptr_nonnull(strstr(json,
		"\"help\":\"line one\\nback\\\\slash\",\"value\":0.5,"
		"\"labels\":{\"id\":\"say \\\"hi\\\"\\\\\\n\"}"));
	/* JSON has no NaN or Infinity. */
	ck_assert_ptr_nonnull(strstr(json, "\"value\":null,"
					   "\"labels\":{\"1label\":\"v\"}"));
	ck_assert_ptr_nonnull(strstr(json, "\"name\":\"huge\",\"type\":"
					   "\"counter\",\"help\":\"h\","
					   "\"value\":null"));
	free(json);
}
END_TEST

static char *escape(const char *s)
{
	char *buf = NULL;
	size_t len;
	FILE *out = open_memstream(&buf, &len);

	json_write_escaped(out, s);
	fclose(out);
	return buf;
}

START_TEST(json_string_escaping)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "plain", "\"plain\"" },
		{ "", "\"\"" },
		{ "tab\there", "\"tab\\there\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
		{ "r\xc3\xa9sum\xc3\xa9", "\"r\xc3\xa9sum\xc3\xa9\"" },
		{ "\xe2\x82\xac \xf0\x9f\x90\xa6", "\"\xe2\x82\xac \xf0\x9f\x90\xa6\"" },
		/* stray continuation, truncated, overlong, surrogate */
		{ "a\x80z", "\"a\\ufffdz\"" },
		{ "\xc3", "\"\\ufffd\"" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = escape(cases[i].in);

		ck_assert_msg(strcmp(got, cases[i].out) == 0,
			      "case %zu: got %s want %s", i, got,
			      cases[i].out);
		free(got);
	}
}
END_TEST

START_TEST(json_writer_nesting)
{
	struct json_writer w;
	char *buf = NULL;
	size_t len;
	FILE *out = open_memstream(&buf, &len);

	json_init(&w, out);
	json_array_begin(&w);
	json_object_begin(&w);
	json_object_end(&w);
	json_array_begin(&w);
	json_uint(&w, 1);
	json_bool(&w, true);
	json_array_end(&w);
	json_object_begin(&w);
	json_key(&w, "k");
	json_number(&w, -2.25);
	json_key(&w, "n");
	json_number(&w, 1e300);
	json_object_end(&w);
	json_array_end(&w);
	fclose(out);
	ck_assert_str_eq(buf, "[{},[1,true],{\"k\":-2.25,\"n\":1.0000000000000001e+300}]");
	free(buf);
}
END_TEST

START_TEST(prometheus_groups_families)
{
	char *text = render_prometheus(fill_pool);

	ck_assert_str_eq(text,
		"# HELP cygnet_pool_leases_online Leases online.\n"
		"# TYPE cygnet_pool_leases_online gauge\n"
		"cygnet_pool_leases_online{pool=\"ipv4\"} 3\n"
		"cygnet_pool_leases_online{pool=\"ipv6\"} 1\n"
		"# HELP cygnet_pool_acquires_total Leases handed out.\n"
		"# TYPE cygnet_pool_acquires_total counter\n"
		"cygnet_pool_acquires_total 17\n");
	free(text);
}
END_TEST

START_TEST(prometheus_escapes_and_names)
{
	char *text = render_prometheus(fill_tricky);

	ck_assert_str_eq(text,
		"# HELP cygnet_odd_name_x line one\\nback\\\\slash\n"
		"# TYPE cygnet_odd_name_x gauge\n"
		"cygnet_odd_name_x{id=\"say \\\"hi\\\"\\\\\\n\"} 0.5\n"
		"# HELP cygnet_broken \n"
		"# TYPE cygnet_broken gauge\n"
		"cygnet_broken{_1label=\"v\"} NaN\n"
		"# HELP cygnet_huge h\n"
		"# TYPE cygnet_huge counter\n"
		"cygnet_huge +Inf\n");
	free(text);
}
END_TEST

START_TEST(prometheus_empty)
{
	char *text = render_prometheus(NULL);

	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST

static Suite *status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *build = tcase_create("build");
	TCase *json = tcase_create("json");
	TCase *prom = tcase_create("prometheus");

	tcase_add_test(build, build_fields);
	tcase_add_test(build, build_state_and_no_fill);
	tcase_add_test(build, build_copies_strings);
	tcase_add_test(json, json_document);
	tcase_add_test(json, json_escapes_and_numbers);
	tcase_add_test(json, json_string_escaping);
	tcase_add_test(json, json_writer_nesting);
	tcase_add_test(prom, prometheus_groups_families);
	tcase_add_test(prom, prometheus_escapes_and_names);
	tcase_add_test(prom, prometheus_empty);
	suite_add_tcase(s, build);
	suite_add_tcase(s, json);
	suite_add_tcase(s, prom);
	return s;
}

TEST_MAIN(status_suite)
