#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "ike/ike_state.h"
#include "ike/persist.h"
#include "ike/service.h"
#include "log.h"
#include "testmain.h"

static void addr4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, ip, &in->sin_addr);
}

static void fill_child(struct child_sa *c)
{
	strcpy(c->name, "win");
	c->unique_id = 7;
	c->reqid = 3;
	c->spi_in = 0xcaf527c5;
	c->spi_out = 0x9bcd9c12;
	proposal_add(&c->proposal, TRANS_ENCR, ENCR_AES_CBC, 256);
	proposal_add(&c->proposal, TRANS_INTEG, INTEG_HMAC_SHA1_96, 0);
	c->proposal.protocol = PROTO_ESP;
	c->proposal.spi_size = 4;
	memcpy(c->proposal.spi, "\x9b\xcd\x9c\x12", 4);
	c->tunnel = c->encap = c->initiated = true;
	c->n_local_ts = 1;
	c->local_ts[0] = (struct ts){ .type = TS_IPV4_ADDR_RANGE,
		.end_port = 65535, .end = { 255, 255, 255, 255 } };
	c->n_remote_ts = 1;
	c->remote_ts[0] = (struct ts){ .type = TS_IPV4_ADDR_RANGE,
		.end_port = 65535, .start = { 198, 51, 100, 65 },
		.end = { 198, 51, 100, 65 } };
	c->sa_in = c->sa_out = c->policies = true;
	c->installed = sa_table_now() - 30;
	c->life_time = 3600;
	c->keymat_len = 104;
	memset(c->keymat, 0x5a, c->keymat_len);
}

/* An established responder SA as IKE_AUTH and one DPD leave it. */
static struct ike_sa *make_sa(void)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	static const uint8_t resp1[] = "first fragment", resp2[] = "second";

	sa->unique_id = 1;
	sa->spi_i = 0x1514c13b517bb18aULL;
	sa->spi_r = 0x79e1c0e58619fd80ULL;
	strcpy(sa->conn, "win");
	sa->state = IKE_SA_ESTABLISHED;
	addr4(&sa->local, "203.0.113.1", 4500);
	addr4(&sa->remote, "198.51.100.2", 4500);
	sa->nat = true;
	sa->peer_frag_supported = true;
	sa->fragmentation = FRAG_YES;
	proposal_add(&sa->proposal, TRANS_ENCR, ENCR_AES_CBC, 256);
	proposal_add(&sa->proposal, TRANS_PRF, PRF_HMAC_SHA2_256, 0);
	sa->proposal.protocol = PROTO_IKE;
	sa->keys.prf = PRF_HMAC_SHA2_256;
	sa->keys.encr = ENCR_AES_CBC;
	sa->keys.encr_bits = 256;
	sa->keys.integ = INTEG_HMAC_SHA2_256_128;
	sa->keys.prf_len = 32;
	sa->keys.integ_key_len = 32;
	sa->keys.encr_key_len = 32;
	memset(sa->keys.sk_d, 1, 32);
	memset(sa->keys.sk_ar, 2, 32);
	memset(sa->keys.sk_er, 3, 32);
	memset(sa->keys.sk_pr, 4, 32);
	sa->ni_len = sa->nr_len = 32;
	memset(sa->ni, 5, 32);
	memset(sa->nr, 6, 32);
	strcpy(sa->local_id, "vpn.example.org");
	strcpy(sa->remote_id, "C=CH, O=Cygnet, CN=win.example.org");
	strcpy(sa->remote_eap_id, "alice@example.org");
	sa->reauth_at = sa_table_now() + 3000;
	sa->created = sa_table_now() - 40;
	sa->established = sa_table_now() - 39;
	sa->next_request_id = 3;
	sa->last_response_id = 2;
	sa_table_cache_response(sa, 2, resp1, sizeof(resp1));
	sa_table_cache_append(sa, resp2, sizeof(resp2));
	sa->n_vips = 1;
	sa->vips[0] = (struct ike_sa_vip){ .pool = "ipv4", .addr_len = 4,
		.addr = { 198, 51, 100, 65 },
		.identity = "C=CH, O=Cygnet, CN=win.example.org" };
	sa->n_children = 1;
	fill_child(&sa->children[0]);
	sa->initiator = true;
	sa->our_next_id = 5;
	sa->dpd_delay = 30;
	sa->dpd_action = ACTION_RESTART;
	sa->local_nat = true;
	return sa;
}

static void check_same(const struct ike_sa *a, const struct ike_sa *b)
{
	ck_assert_uint_eq(b->spi_i, a->spi_i);
	ck_assert_uint_eq(b->spi_r, a->spi_r);
	ck_assert_str_eq(b->conn, a->conn);
	ck_assert_int_eq(b->state, IKE_SA_ESTABLISHED);
	ck_assert_mem_eq(&b->local, &a->local, sizeof(struct sockaddr_in));
	ck_assert_mem_eq(&b->remote, &a->remote, sizeof(struct sockaddr_in));
	ck_assert(b->nat && b->peer_frag_supported);
	ck_assert_int_eq(b->fragmentation, FRAG_YES);
	ck_assert_uint_eq(b->proposal.count, a->proposal.count);
	ck_assert_mem_eq(&b->keys, &a->keys, sizeof(a->keys) - 0);
	ck_assert_mem_eq(b->ni, a->ni, 32);
	ck_assert_mem_eq(b->nr, a->nr, 32);
	ck_assert_str_eq(b->remote_id, a->remote_id);
	ck_assert_str_eq(b->remote_eap_id, "alice@example.org");
	ck_assert_int_le(labs((long)(b->reauth_at - a->reauth_at)), 1);
	ck_assert_uint_eq(b->next_request_id, 3);
	ck_assert_uint_eq(b->last_response_id, 2);
	ck_assert_uint_eq(b->last_response_count, 2);
	ck_assert_uint_eq(b->last_response_len, a->last_response_len);
	ck_assert_mem_eq(b->last_response, a->last_response, a->last_response_len);
	ck_assert_uint_eq(b->last_response_lens[1], a->last_response_lens[1]);
	ck_assert_uint_eq(b->n_vips, 1);
	ck_assert_mem_eq(&b->vips[0], &a->vips[0], sizeof(a->vips[0]));
	ck_assert(b->initiator && b->local_nat);
	ck_assert_uint_eq(b->our_next_id, 5);
	ck_assert_int_eq(b->dpd_delay, 30);
	ck_assert_int_eq(b->dpd_action, ACTION_RESTART);
	ck_assert_uint_eq(b->n_children, 1);
	ck_assert_mem_eq(&b->children[0], &a->children[0],
			 sizeof(a->children[0]));
	/* Times travel as wall-clock seconds: back within a second. */
	ck_assert_int_le(labs((long)(b->established - a->established)), 1);
}

START_TEST(round_trip_keeps_everything)
{
	struct ike_sa *sa = make_sa(), *back = calloc(1, sizeof(*back));
	char why[256] = "";
	size_t len;
	uint8_t *rec = ike_state_pack(sa, &len);

	ck_assert_ptr_nonnull(rec);
	ck_assert_int_eq(ike_state_unpack(rec, len, back, why, sizeof(why)), 0);
	/* installed went through wall-clock seconds too */
	back->children[0].installed = sa->children[0].installed;
	back->established = sa->established;
	check_same(sa, back);
	ike_state_clear(back);
	ike_state_clear(sa);
	free(rec);
	free(back);
	free(sa);
}
END_TEST

START_TEST(truncated_records_refused)
{
	struct ike_sa *sa = make_sa(), *back = calloc(1, sizeof(*back));
	char why[256];
	size_t len, refused = 0;
	uint8_t *rec = ike_state_pack(sa, &len);

	for (size_t cut = 0; cut < len; cut++) {
		memset(back, 0, sizeof(*back));
		if (ike_state_unpack(rec, cut, back, why, sizeof(why)) < 0)
			refused++;
		else
			ike_state_clear(back);
	}
	/* Cutting after a whole field may leave a valid, shorter record;
	 * most cuts do not. */
	ck_assert_uint_gt(refused, len / 2);
	ike_state_clear(sa);
	free(rec);
	free(back);
	free(sa);
}
END_TEST

START_TEST(bad_values_refused)
{
	struct ike_sa *sa = make_sa(), *back = calloc(1, sizeof(*back));
	char why[256] = "";
	size_t len;
	uint8_t *rec;

	sa->keys.prf_len = 16;	/* SK_d then does not match prf_len... */
	rec = ike_state_pack(sa, &len);
	ck_assert_int_eq(ike_state_unpack(rec, len, back, why, sizeof(why)), 0);
	free(rec);
	ike_state_clear(back);
	sa->vips[0].addr_len = 5;	/* ...but a 5 octet address is wrong */
	rec = ike_state_pack(sa, &len);
	memset(back, 0, sizeof(*back));
	ck_assert_int_eq(ike_state_unpack(rec, len, back, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "virtual IP of 5 octets");
	ck_assert_ptr_null(back->last_response);
	free(rec);
	ck_assert_int_eq(ike_state_unpack((const uint8_t *)"\x08\x02", 2, back,
					  why, sizeof(why)), -1);
	ck_assert_str_eq(why, "version 2, we know 1");
	ike_state_clear(sa);
	free(back);
	free(sa);
}
END_TEST

/* ---- the state directory (persist.c) ---- */

static char state_dir[64];

static void open_service(struct ike_service *svc)
{
	char text[256];
	struct conf_error err;
	struct conf *conf;

	snprintf(text, sizeof(text), "cygnet { ike { state_dir = %s/ike } }\n",
		 state_dir);
	conf = conf_load_string(text, "test.conf", &err);
	ck_assert_ptr_nonnull(conf);
	ck_assert_int_eq(ike_service_init(svc), 0);
	ck_assert_int_eq(persist_open(svc, conf), 0);
	conf_free(conf);
}

static void close_service(struct ike_service *svc)
{
	persist_close(svc);
	ike_service_cleanup(svc);
}

/* The SA of make_sa in svc's table, as IKE_AUTH leaves it there. */
static struct ike_sa *add_sa(struct ike_service *svc)
{
	struct ike_sa *made = make_sa(), *sa;
	uint64_t id = sa_table_add(svc->sas, made->spi_i, made->spi_r);
	struct ike_sa *next;

	sa = sa_table_find_spis(svc->sas, made->spi_i, made->spi_r);
	ck_assert_ptr_nonnull(sa);
	next = sa->next;
	*sa = *made;
	sa->unique_id = id;
	sa->next = next;
	free(made);
	return sa;
}

static size_t files_in(const char *dir, const char *suffix, char *name,
		       size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l > strlen(suffix) &&
		    strcmp(e->d_name + l - strlen(suffix), suffix) == 0) {
			snprintf(name, len, "%s/%s", dir, e->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

static void setup(void)
{
	snprintf(state_dir, sizeof(state_dir), "/tmp/cygnet-persist-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(state_dir));
	log_set_all_levels(0);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", state_dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(saved_sa_restored_by_next_process)
{
	struct ike_service *svc = calloc(2, sizeof(*svc));
	char dir[128], file[512];
	struct ike_sa *sa, *back;
	struct stat st;

	open_service(&svc[0]);
	snprintf(dir, sizeof(dir), "%s/ike", state_dir);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	sa = add_sa(&svc[0]);
	persist_sa_save(&svc[0], sa);
	ck_assert_uint_eq(files_in(dir, ".sa", file, sizeof(file)), 1);
	ck_assert_int_eq(stat(file, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);

	/* The next process: everything back, counters past the child. */
	open_service(&svc[1]);
	ck_assert_uint_eq(persist_restore(&svc[1]), 1);
	back = sa_table_find_spis(svc[1].sas, sa->spi_i, sa->spi_r);
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(back->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(back->next_request_id, 3);
	ck_assert_uint_eq(back->last_response_count, 2);
	ck_assert_mem_eq(&back->keys, &sa->keys, sizeof(sa->keys));
	ck_assert_uint_eq(back->n_children, 1);
	ck_assert_uint_eq(atomic_load(&svc[1].next_reqid), 3);
	ck_assert_uint_eq(atomic_load(&svc[1].next_child_id), 7);

	/* Deleted: the record goes. */
	persist_sa_remove(&svc[1], back);
	ck_assert_uint_eq(files_in(dir, ".sa", file, sizeof(file)), 0);
	close_service(&svc[0]);
	close_service(&svc[1]);
	free(svc);
}
END_TEST

START_TEST(unreadable_record_set_aside)
{
	struct ike_service *svc = calloc(1, sizeof(*svc));
	char dir[128], file[512], bad[512];
	FILE *f;

	open_service(svc);
	snprintf(dir, sizeof(dir), "%s/ike", state_dir);
	snprintf(file, sizeof(file), "%s/0000000000000001_0000000000000002.sa",
		 dir);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not a record", f);
	fclose(f);
	/* A write the previous process did not finish. */
	snprintf(bad, sizeof(bad), "%s/x.tmp", dir);
	f = fopen(bad, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_uint_eq(persist_restore(svc), 0);
	ck_assert_uint_eq(sa_table_count(svc->sas), 0);
	ck_assert_uint_eq(files_in(dir, ".sa", bad, sizeof(bad)), 0);
	ck_assert_uint_eq(files_in(dir, ".tmp", bad, sizeof(bad)), 0);
	ck_assert_uint_eq(files_in(dir, ".sa.bad", bad, sizeof(bad)), 1);
	close_service(svc);
	free(svc);
}
END_TEST

static Suite *persist_suite(void)
{
	Suite *s = suite_create("ike_persist");
	TCase *tc = tcase_create("state record");

	tcase_add_test(tc, round_trip_keeps_everything);
	tcase_add_test(tc, truncated_records_refused);
	tcase_add_test(tc, bad_values_refused);
	suite_add_tcase(s, tc);
	tc = tcase_create("state directory");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, saved_sa_restored_by_next_process);
	tcase_add_test(tc, unreadable_record_set_aside);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(persist_suite)
