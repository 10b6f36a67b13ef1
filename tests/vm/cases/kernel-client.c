/* A line-driven RPC client of cygnet-kernel for the VM cases: each line on
 * stdin is one request to the real daemon, each answer one line on
 * stdout, so a shell script can drive the service and grep the results.
 *
 *   alloc-spi src=IP dst=IP reqid=N           -> spi XXXXXXXX
 *   sa add|update KEY=VALUE...                 -> ok | error STATUS TEXT
 *      src= dst= sport= dport= spi=HEX reqid= mode=tunnel|transport
 *      encr= bits= ekey=HEX integ= ikey=HEX encap=1 esn=1 replay=N
 *      soft_s= hard_s= soft_b= hard_b= soft_p= hard_p= inbound=1
 *      mark=HEX mask=HEX if_id=N
 *   del-sa dst=IP spi=HEX [mark=HEX mask=HEX] | free-spi dst=IP spi=HEX
 *   query-sa dst=IP spi=HEX                    -> usage bytes=N packets=N ...
 *   policy add|del local=IP remote=IP lts=CIDR[,CIDR] rts=CIDR[,CIDR]
 *      reqid=N mode=tunnel|transport
 *   bypass PORT...
 *   desired sa ... | desired policy ...        (collected)
 *   commit                                     -> reconcile ...
 *   list                                       -> list sas=N larval=N policies=N
 *   subscribe
 *   wait TOPIC SECONDS                         -> event ... | timeout
 *
 * usage: kernel-client RPC_URL [EVENTS_URL] < commands */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "kernel.pb-c.h"
#include "rpc.h"

#define CALL_TIMEOUT_MS 30000
#define MAX_ITEMS 32

static struct rpc_client *client;
static const char *events_url;

/* ---- KEY=VALUE arguments -------------------------------------------------- */

struct args {
	char *key[48];
	char *value[48];
	int n;
};

static void split_args(char *line, struct args *a)
{
	char *save = NULL;

	a->n = 0;
	for (char *w = strtok_r(line, " \t\n", &save); w && a->n < 48;
	     w = strtok_r(NULL, " \t\n", &save)) {
		char *eq = strchr(w, '=');

		a->key[a->n] = w;
		a->value[a->n] = eq ? eq + 1 : "";
		if (eq)
			*eq = '\0';
		a->n++;
	}
}

static const char *arg(const struct args *a, const char *key)
{
	for (int i = 0; i < a->n; i++)
		if (!strcmp(a->key[i], key))
			return a->value[i];
	return NULL;
}

static unsigned long long num(const struct args *a, const char *key, int base)
{
	const char *v = arg(a, key);

	return v ? strtoull(v, NULL, base) : 0;
}

/* Storage that must live as long as a request message. */
struct blob {
	uint8_t data[64];
	size_t len;
};

static void parse_ip(const char *text, ProtobufCBinaryData *out,
		     struct blob *b)
{
	if (text && inet_pton(AF_INET, text, b->data) == 1)
		b->len = 4;
	else if (text && inet_pton(AF_INET6, text, b->data) == 1)
		b->len = 16;
	else
		b->len = 0;
	out->data = b->data;
	out->len = b->len;
}

static void parse_hex(const char *text, ProtobufCBinaryData *out,
		      struct blob *b)
{
	b->len = 0;
	if (text && !strncmp(text, "0x", 2))
		text += 2;
	while (text && text[0] && text[1] && b->len < sizeof(b->data)) {
		unsigned int byte;

		if (sscanf(text, "%2x", &byte) != 1)
			break;
		b->data[b->len++] = (uint8_t)byte;
		text += 2;
	}
	out->data = b->data;
	out->len = b->len;
}

/* "192.0.2.0/24" -> a TrafficSelector covering the prefix. */
static void parse_cidr(const char *text, Cygnet__TrafficSelector *ts,
		       struct blob *from, struct blob *to)
{
	char addr[64];
	const char *slash = strchr(text, '/');
	unsigned prefix;

	snprintf(addr, sizeof(addr), "%.*s",
		 (int)(slash ? (size_t)(slash - text) : strlen(text)), text);
	cygnet__traffic_selector__init(ts);
	parse_ip(addr, &ts->start_addr, from);
	memcpy(to->data, from->data, from->len);
	to->len = from->len;
	prefix = slash ? (unsigned)atoi(slash + 1) : (unsigned)from->len * 8;
	for (size_t i = 0; i < from->len; i++) {
		int keep = (int)prefix - (int)i * 8;
		uint8_t mask = keep >= 8 ? 0xff
			       : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
		from->data[i] &= mask;
		to->data[i] |= (uint8_t)~mask;
	}
	ts->end_addr.data = to->data;
	ts->end_addr.len = to->len;
	ts->end_port = 65535;
}

static Cygnet__IpsecMode parse_mode(const char *text)
{
	if (text && !strcmp(text, "transport"))
		return CYGNET__IPSEC_MODE__IPSEC_MODE_TRANSPORT;
	return CYGNET__IPSEC_MODE__IPSEC_MODE_TUNNEL;
}

/* ---- calls ------------------------------------------------------------------ */

static ProtobufCMessage *call(uint32_t method, const ProtobufCMessage *req,
			      const ProtobufCMessageDescriptor *reply_type)
{
	struct rpc_result res;

	rpc_call(client, method, req, reply_type, CALL_TIMEOUT_MS, &res);
	if (res.status != CYGNET__RPC_STATUS__RPC_OK) {
		printf("error %s %s\n", rpc_status_name(res.status), res.error);
		return NULL;
	}
	return res.reply;
}

static void call_ok(uint32_t method, const ProtobufCMessage *req,
		    const ProtobufCMessageDescriptor *reply_type)
{
	ProtobufCMessage *reply = call(method, req, reply_type);

	if (reply) {
		printf("ok\n");
		protobuf_c_message_free_unpacked(reply, NULL);
	}
}

/* An SaConfig with everything it points to. */
struct sa_msg {
	Cygnet__SaConfig sa;
	Cygnet__Address src, dst;
	Cygnet__Lifetime life;
	Cygnet__Mark mark;
	struct blob src_ip, dst_ip, ekey, ikey;
};

static void build_sa(const struct args *a, struct sa_msg *m)
{
	cygnet__sa_config__init(&m->sa);
	cygnet__address__init(&m->src);
	cygnet__address__init(&m->dst);
	cygnet__lifetime__init(&m->life);
	parse_ip(arg(a, "src"), &m->src.ip, &m->src_ip);
	parse_ip(arg(a, "dst"), &m->dst.ip, &m->dst_ip);
	m->src.port = (uint32_t)num(a, "sport", 10);
	m->dst.port = (uint32_t)num(a, "dport", 10);
	m->sa.src = &m->src;
	m->sa.dst = &m->dst;
	m->sa.spi = (uint32_t)num(a, "spi", 16);
	m->sa.reqid = (uint32_t)num(a, "reqid", 10);
	m->sa.mode = parse_mode(arg(a, "mode"));
	m->sa.encr_id = (uint32_t)num(a, "encr", 10);
	m->sa.encr_key_length = (uint32_t)num(a, "bits", 10);
	parse_hex(arg(a, "ekey"), &m->sa.encr_key, &m->ekey);
	m->sa.integ_id = (uint32_t)num(a, "integ", 10);
	parse_hex(arg(a, "ikey"), &m->sa.integ_key, &m->ikey);
	m->sa.udp_encap = num(a, "encap", 10) != 0;
	m->sa.esn = num(a, "esn", 10) != 0;
	m->sa.replay_window = (uint32_t)num(a, "replay", 10);
	m->sa.inbound = num(a, "inbound", 10) != 0;
	m->life.soft_seconds = num(a, "soft_s", 10);
	m->life.hard_seconds = num(a, "hard_s", 10);
	m->life.soft_bytes = num(a, "soft_b", 10);
	m->life.hard_bytes = num(a, "hard_b", 10);
	m->life.soft_packets = num(a, "soft_p", 10);
	m->life.hard_packets = num(a, "hard_p", 10);
	m->sa.lifetime = &m->life;
	cygnet__mark__init(&m->mark);
	m->mark.value = (uint32_t)num(a, "mark", 16);
	m->mark.mask = (uint32_t)num(a, "mask", 16);
	m->sa.mark = &m->mark;
	m->sa.if_id = (uint32_t)num(a, "if_id", 10);
}

struct sa_id_msg {
	Cygnet__SaId id;
	Cygnet__Address dst;
	Cygnet__Mark mark;
	struct blob ip;
};

static void build_sa_id(const struct args *a, struct sa_id_msg *m)
{
	cygnet__sa_id__init(&m->id);
	cygnet__address__init(&m->dst);
	parse_ip(arg(a, "dst"), &m->dst.ip, &m->ip);
	m->id.dst = &m->dst;
	m->id.spi = (uint32_t)num(a, "spi", 16);
	cygnet__mark__init(&m->mark);
	m->mark.value = (uint32_t)num(a, "mark", 16);
	m->mark.mask = (uint32_t)num(a, "mask", 16);
	m->id.mark = &m->mark;
}

struct policy_msg {
	Cygnet__PolicyConfig p;
	Cygnet__Address local, remote;
	struct blob local_ip, remote_ip;
	Cygnet__TrafficSelector lts[4], rts[4];
	Cygnet__TrafficSelector *lptr[4], *rptr[4];
	struct blob lfrom[4], lto[4], rfrom[4], rto[4];
};

static size_t build_ts_list(const char *list, Cygnet__TrafficSelector *ts,
			    Cygnet__TrafficSelector **ptr, struct blob *from,
			    struct blob *to)
{
	char copy[256], *save = NULL;
	size_t n = 0;

	snprintf(copy, sizeof(copy), "%s", list ? list : "");
	for (char *c = strtok_r(copy, ",", &save); c && n < 4;
	     c = strtok_r(NULL, ",", &save)) {
		parse_cidr(c, &ts[n], &from[n], &to[n]);
		ptr[n] = &ts[n];
		n++;
	}
	return n;
}

static void build_policy(const struct args *a, struct policy_msg *m)
{
	cygnet__policy_config__init(&m->p);
	cygnet__address__init(&m->local);
	cygnet__address__init(&m->remote);
	parse_ip(arg(a, "local"), &m->local.ip, &m->local_ip);
	parse_ip(arg(a, "remote"), &m->remote.ip, &m->remote_ip);
	m->p.local = &m->local;
	m->p.remote = &m->remote;
	m->p.n_local_ts = build_ts_list(arg(a, "lts"), m->lts, m->lptr,
					m->lfrom, m->lto);
	m->p.local_ts = m->lptr;
	m->p.n_remote_ts = build_ts_list(arg(a, "rts"), m->rts, m->rptr,
					 m->rfrom, m->rto);
	m->p.remote_ts = m->rptr;
	m->p.reqid = (uint32_t)num(a, "reqid", 10);
	m->p.mode = parse_mode(arg(a, "mode"));
}

/* ---- desired state ------------------------------------------------------------ */

static struct sa_msg desired_sas[MAX_ITEMS];
static Cygnet__SaConfig *desired_sa_ptrs[MAX_ITEMS];
static size_t n_desired_sas;
static struct policy_msg desired_policies[MAX_ITEMS];
static Cygnet__PolicyConfig *desired_policy_ptrs[MAX_ITEMS];
static size_t n_desired_policies;

static void desired(const struct args *a)
{
	if (a->n >= 2 && !strcmp(a->key[1], "sa") &&
	    n_desired_sas < MAX_ITEMS) {
		build_sa(a, &desired_sas[n_desired_sas]);
		desired_sa_ptrs[n_desired_sas] = &desired_sas[n_desired_sas].sa;
		n_desired_sas++;
	} else if (a->n >= 2 && !strcmp(a->key[1], "policy") &&
		   n_desired_policies < MAX_ITEMS) {
		build_policy(a, &desired_policies[n_desired_policies]);
		desired_policy_ptrs[n_desired_policies] =
			&desired_policies[n_desired_policies].p;
		n_desired_policies++;
	} else {
		printf("error usage desired sa|policy ...\n");
		return;
	}
	printf("ok\n");
}

static void commit(void)
{
	Cygnet__DesiredState req = CYGNET__DESIRED_STATE__INIT;
	Cygnet__ReconcileResult *res;

	req.sas = desired_sa_ptrs;
	req.n_sas = n_desired_sas;
	req.policies = desired_policy_ptrs;
	req.n_policies = n_desired_policies;
	res = (Cygnet__ReconcileResult *)call(
		CYGNET__KERNEL_METHOD__KERNEL_SET_DESIRED, &req.base,
		&cygnet__reconcile_result__descriptor);
	if (!res)
		return;
	printf("reconcile sas_added=%u sas_removed=%u sas_kept=%u "
	       "policies_added=%u policies_removed=%u policies_kept=%u "
	       "errors=%zu\n", res->sas_added, res->sas_removed, res->sas_kept,
	       res->policies_added, res->policies_removed, res->policies_kept,
	       res->n_errors);
	for (size_t i = 0; i < res->n_errors; i++)
		printf("  %s\n", res->errors[i]);
	protobuf_c_message_free_unpacked(&res->base, NULL);
	n_desired_sas = n_desired_policies = 0;
}

/* ---- events ----------------------------------------------------------------------- */

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ev_cond = PTHREAD_COND_INITIALIZER;
static char ev_lines[64][256];
static size_t ev_head, ev_tail;

static void on_event(void *arg, const char *topic, const uint8_t *body,
		     size_t len)
{
	char line[256];

	(void)arg;
	if (!strcmp(topic, "kernel.expire")) {
		Cygnet__KernelExpire *e = cygnet__kernel_expire__unpack(
			NULL, len, body);
		if (!e)
			return;
		snprintf(line, sizeof(line), "event %s spi=%08x reqid=%u hard=%d",
			 topic, e->sa ? e->sa->spi : 0, e->reqid, e->hard);
		cygnet__kernel_expire__free_unpacked(e, NULL);
	} else if (!strcmp(topic, "kernel.acquire")) {
		Cygnet__KernelAcquire *e = cygnet__kernel_acquire__unpack(
			NULL, len, body);
		if (!e)
			return;
		snprintf(line, sizeof(line), "event %s reqid=%u", topic,
			 e->reqid);
		cygnet__kernel_acquire__free_unpacked(e, NULL);
	} else {
		return;
	}
	pthread_mutex_lock(&ev_lock);
	if (ev_tail - ev_head < 64) {
		snprintf(ev_lines[ev_tail % 64], sizeof(ev_lines[0]), "%s", line);
		ev_tail++;
	}
	pthread_cond_broadcast(&ev_cond);
	pthread_mutex_unlock(&ev_lock);
}

static void wait_event(const char *topic, int seconds)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&ev_lock);
	for (;;) {
		while (ev_head < ev_tail) {
			char *line = ev_lines[ev_head++ % 64];
			if (strstr(line, topic)) {
				printf("%s\n", line);
				pthread_mutex_unlock(&ev_lock);
				return;
			}
		}
		if (pthread_cond_timedwait(&ev_cond, &ev_lock, &until)) {
			printf("timeout waiting for %s\n", topic);
			pthread_mutex_unlock(&ev_lock);
			return;
		}
	}
}

/* ---- commands ------------------------------------------------------------------- */

static void cmd_alloc_spi(const struct args *a)
{
	Cygnet__AllocSpiRequest req = CYGNET__ALLOC_SPI_REQUEST__INIT;
	Cygnet__Address src = CYGNET__ADDRESS__INIT, dst = CYGNET__ADDRESS__INIT;
	Cygnet__AllocSpiReply *rep;
	struct blob s, d;

	parse_ip(arg(a, "src"), &src.ip, &s);
	parse_ip(arg(a, "dst"), &dst.ip, &d);
	req.src = &src;
	req.dst = &dst;
	req.reqid = (uint32_t)num(a, "reqid", 10);
	rep = (Cygnet__AllocSpiReply *)call(
		CYGNET__KERNEL_METHOD__KERNEL_ALLOC_SPI, &req.base,
		&cygnet__alloc_spi_reply__descriptor);
	if (rep) {
		printf("spi %08x\n", rep->spi);
		protobuf_c_message_free_unpacked(&rep->base, NULL);
	}
}

static void cmd_sa(const struct args *a)
{
	struct sa_msg m;
	bool update = a->n >= 2 && !strcmp(a->key[1], "update");

	build_sa(a, &m);
	call_ok(update ? CYGNET__KERNEL_METHOD__KERNEL_UPDATE_SA
		       : CYGNET__KERNEL_METHOD__KERNEL_ADD_SA,
		&m.sa.base, &cygnet__empty__descriptor);
}

static void cmd_query(const struct args *a)
{
	struct sa_id_msg m;
	Cygnet__SaUsage *u;

	build_sa_id(a, &m);
	u = (Cygnet__SaUsage *)call(CYGNET__KERNEL_METHOD__KERNEL_QUERY_SA,
				    &m.id.base, &cygnet__sa_usage__descriptor);
	if (!u)
		return;
	printf("usage bytes=%llu packets=%llu use_time=%llu last_used=%llu "
	       "now=%llu\n", (unsigned long long)u->bytes,
	       (unsigned long long)u->packets,
	       (unsigned long long)u->use_time,
	       (unsigned long long)u->last_used,
	       (unsigned long long)time(NULL));
	protobuf_c_message_free_unpacked(&u->base, NULL);
}

static void cmd_policy(const struct args *a)
{
	struct policy_msg m;
	bool del = a->n >= 2 && !strcmp(a->key[1], "del");
	Cygnet__PolicyReply *rep;

	build_policy(a, &m);
	rep = (Cygnet__PolicyReply *)call(
		del ? CYGNET__KERNEL_METHOD__KERNEL_DEL_POLICY
		    : CYGNET__KERNEL_METHOD__KERNEL_ADD_POLICY,
		&m.p.base, &cygnet__policy_reply__descriptor);
	if (rep) {
		printf("policies %u\n", rep->installed);
		protobuf_c_message_free_unpacked(&rep->base, NULL);
	}
}

static void cmd_bypass(const struct args *a)
{
	Cygnet__BypassRequest req = CYGNET__BYPASS_REQUEST__INIT;
	uint32_t ports[8];

	for (int i = 1; i < a->n && i <= 8; i++)
		ports[req.n_ports++] = (uint32_t)strtoul(a->key[i], NULL, 10);
	req.ports = ports;
	call_ok(CYGNET__KERNEL_METHOD__KERNEL_INSTALL_BYPASS, &req.base,
		&cygnet__empty__descriptor);
}

static void cmd_list(void)
{
	Cygnet__Empty req = CYGNET__EMPTY__INIT;
	Cygnet__KernelTables *t;
	size_t larval = 0;

	t = (Cygnet__KernelTables *)call(CYGNET__KERNEL_METHOD__KERNEL_LIST,
					 &req.base,
					 &cygnet__kernel_tables__descriptor);
	if (!t)
		return;
	for (size_t i = 0; i < t->n_sas; i++)
		larval += t->sas[i]->larval;
	printf("list sas=%zu larval=%zu policies=%zu\n", t->n_sas, larval,
	       t->n_policies);
	protobuf_c_message_free_unpacked(&t->base, NULL);
}

static void cmd_subscribe(void)
{
	char err[256];

	if (!events_url ||
	    !events_sub_open(events_url, NULL, "kernel.", on_event, NULL, err,
			     sizeof(err)))
		printf("error subscribe %s\n", events_url ? err : "no URL");
	else
		printf("ok\n");
}

static void run_line(char *line)
{
	struct args a;
	const char *cmd;

	split_args(line, &a);
	if (a.n == 0)
		return;
	cmd = a.key[0];
	if (!strcmp(cmd, "alloc-spi"))
		cmd_alloc_spi(&a);
	else if (!strcmp(cmd, "sa"))
		cmd_sa(&a);
	else if (!strcmp(cmd, "del-sa") || !strcmp(cmd, "free-spi")) {
		struct sa_id_msg m;

		build_sa_id(&a, &m);
		call_ok(!strcmp(cmd, "del-sa")
				? CYGNET__KERNEL_METHOD__KERNEL_DEL_SA
				: CYGNET__KERNEL_METHOD__KERNEL_FREE_SPI,
			&m.id.base, &cygnet__empty__descriptor);
	} else if (!strcmp(cmd, "query-sa"))
		cmd_query(&a);
	else if (!strcmp(cmd, "policy"))
		cmd_policy(&a);
	else if (!strcmp(cmd, "bypass"))
		cmd_bypass(&a);
	else if (!strcmp(cmd, "desired"))
		desired(&a);
	else if (!strcmp(cmd, "commit"))
		commit();
	else if (!strcmp(cmd, "list"))
		cmd_list();
	else if (!strcmp(cmd, "subscribe"))
		cmd_subscribe();
	else if (!strcmp(cmd, "wait") && a.n >= 3)
		wait_event(a.key[1], atoi(a.key[2]));
	else
		printf("error unknown command %s\n", cmd);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	char line[2048], err[256];

	if (argc < 2) {
		fprintf(stderr, "usage: kernel-client RPC_URL [EVENTS_URL]\n");
		return 2;
	}
	events_url = argc > 2 ? argv[2] : NULL;
	client = rpc_client_open(argv[1], NULL, err, sizeof(err));
	if (!client) {
		fprintf(stderr, "kernel-client: %s\n", err);
		return 1;
	}
	while (fgets(line, sizeof(line), stdin))
		run_line(line);
	rpc_client_close(client);
	return 0;
}
