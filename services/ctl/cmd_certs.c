/* cygnetctl --list-certs: the authority's certificates and CRLs, printed
 * the way swanctl --list-certs prints them.  Options: --subject TEXT
 * (only certificates whose subject contains TEXT), --utc. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_certs.h"
#include "ctl.h"

struct certs_opts {
	const char *subject;
	bool utc;
};

static void print_time(FILE *out, int64_t t, bool utc)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];

	if (utc)
		gmtime_r(&tt, &tm);
	else
		localtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%b %d %H:%M:%S %Y", &tm);
	fputs(buf, out);
}

/* strongSwan's %V: seconds, minutes, hours or days. */
static void print_delta(FILE *out, int64_t a, int64_t b)
{
	uint64_t delta = (uint64_t)(a > b ? a - b : b - a);
	const char *unit = "second";

	if (delta > 2 * 60 * 60 * 24) {
		delta /= 60 * 60 * 24;
		unit = "day";
	} else if (delta > 2 * 60 * 60) {
		delta /= 60 * 60;
		unit = "hour";
	} else if (delta > 2 * 60) {
		delta /= 60;
		unit = "minute";
	}
	fprintf(out, "%" PRIu64 " %s%s", delta, unit, delta == 1 ? "" : "s");
}

/* strongSwan's %#B, leading zero bytes skipped as for serials. */
static void print_hex(FILE *out, const ProtobufCBinaryData *data, bool skip_zero)
{
	size_t start = 0;

	while (skip_zero && start + 1 < data->len && data->data[start] == 0)
		start++;
	for (size_t i = start; i < data->len; i++)
		fprintf(out, "%s%02x", i > start ? ":" : "", data->data[i]);
}

static void print_list(FILE *out, const char *label, char **items, size_t n,
		       const char *sep)
{
	for (size_t i = 0; i < n; i++) {
		if (i == 0)
			fprintf(out, "%s%s", label, items[i]);
		else
			fprintf(out, "%s%s", sep, items[i]);
	}
	if (n)
		fputc('\n', out);
}

static void print_hex_line(FILE *out, const char *label,
			   const ProtobufCBinaryData *data, bool skip_zero)
{
	fputs(label, out);
	print_hex(out, data, skip_zero);
	fputc('\n', out);
}

/* A validity start: ok, or how long until it is reached. */
static void print_start(FILE *out, int64_t start, int64_t now, bool utc)
{
	print_time(out, start, utc);
	if (now < start) {
		fputs(", not valid yet (valid in ", out);
		print_delta(out, now, start);
		fputs(")\n", out);
	} else {
		fputs(", ok\n", out);
	}
}

/* A validity end: how long ago it passed, or how long until it does. */
static void print_end(FILE *out, int64_t end, int64_t now, bool utc)
{
	print_time(out, end, utc);
	fputs(now > end ? ", expired (" : ", ok (expires in ", out);
	print_delta(out, now, end);
	fputs(now > end ? " ago)\n" : ")\n", out);
}

static void print_cert(FILE *out, const Cygnet__CertInfo *c, int64_t now, bool utc)
{
	fprintf(out, "\n  subject:  \"%s\"\n", c->subject);
	fprintf(out, "  issuer:   \"%s\"\n", c->issuer);
	fputs("  validity:  not before ", out);
	print_start(out, c->not_before, now, utc);
	fputs("             not after  ", out);
	print_end(out, c->not_after, now, utc);
	print_hex_line(out, "  serial:    ", &c->serial, true);
	print_list(out, "  altNames:  ", c->alt_names, c->n_alt_names, ", ");
	fputs("  flags:     ", out);
	for (size_t i = 0; i < c->n_flags; i++)
		fprintf(out, "%s ", c->flags[i]);
	fputc('\n', out);
	if (c->pathlen >= 0)
		fprintf(out, "  pathlen:   %d\n", c->pathlen);
	print_list(out, "  CRL URIs:  ", c->crl_uris, c->n_crl_uris, "\n             ");
	print_list(out, "  OCSP URIs: ", c->ocsp_uris, c->n_ocsp_uris, "\n             ");
	if (c->authkey_id.len)
		print_hex_line(out, "  authkeyId: ", &c->authkey_id, false);
	if (c->subjkey_id.len)
		print_hex_line(out, "  subjkeyId: ", &c->subjkey_id, false);
	fprintf(out, "  pubkey:    %s %u bits%s\n", c->pubkey_type, c->pubkey_bits,
		c->has_private_key ? ", has private key" : "");
	print_hex_line(out, "  keyid:     ", &c->keyid, false);
	print_hex_line(out, "  subjkey:   ", &c->subjkey, false);
}

void ctl_print_certs(FILE *out, const Cygnet__CertList *list, bool utc)
{
	static const struct {
		Cygnet__CertInfo__Kind kind;
		const char *title;
	} groups[] = {
		{ CYGNET__CERT_INFO__KIND__END_ENTITY, "X.509 End Entity Certificates" },
		{ CYGNET__CERT_INFO__KIND__CA, "X.509 CA Certificates" },
		{ CYGNET__CERT_INFO__KIND__OCSP_SIGNER, "X.509 OCSP Signer Certificates" },
	};

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		bool first = true;
		for (size_t i = 0; i < list->n_certs; i++) {
			if (list->certs[i]->kind != groups[g].kind)
				continue;
			if (first)
				fprintf(out, "\nList of %s\n", groups[g].title);
			first = false;
			print_cert(out, list->certs[i], list->now, utc);
		}
	}
}

static void print_crl(FILE *out, const Cygnet__CrlInfo *c, int64_t now, bool utc)
{
	size_t shown = c->n_revoked > 10 ? 10 : c->n_revoked;

	fprintf(out, "\n  issuer:   \"%s\"\n", c->issuer);
	fputs("  update:    this on ", out);
	print_start(out, c->this_update, now, utc);
	if (c->next_update) {
		fputs("             next on ", out);
		print_end(out, c->next_update, now, utc);
	}
	print_hex_line(out, "  serial:    ", &c->serial, true);
	if (c->authkey_id.len)
		print_hex_line(out, "  authKeyId: ", &c->authkey_id, false);
	if (c->n_revoked)
		fprintf(out, "  %zu revoked certificate%s%s:\n", c->n_revoked,
			c->n_revoked == 1 ? "" : "s",
			c->n_revoked > 10 ? ", only 10 shown" : "");
	for (size_t i = 0; i < shown; i++) {
		fputs("    ", out);
		print_hex(out, &c->revoked[i]->serial, true);
		fputs(": ", out);
		print_time(out, c->revoked[i]->date, utc);
		fprintf(out, ", %s\n", c->revoked[i]->reason);
	}
}

void ctl_print_crls(FILE *out, const Cygnet__CrlList *list, bool utc)
{
	if (list->n_crls)
		fputs("\nList of X.509 CRLs\n", out);
	for (size_t i = 0; i < list->n_crls; i++)
		print_crl(out, list->crls[i], list->now, utc);
}

static int parse_opts(struct ctl *ctl, struct certs_opts *opts)
{
	for (int i = 0; i < ctl->argc; i++) {
		if (strcmp(ctl->argv[i], "--utc") == 0 || strcmp(ctl->argv[i], "-U") == 0) {
			opts->utc = true;
		} else if ((strcmp(ctl->argv[i], "--subject") == 0 ||
			    strcmp(ctl->argv[i], "-s") == 0) && i + 1 < ctl->argc) {
			opts->subject = ctl->argv[++i];
		} else {
			fprintf(stderr, "cygnetctl --list-certs: unknown option '%s'\n",
				ctl->argv[i]);
			return -1;
		}
	}
	return 0;
}

static int call(struct ctl *ctl, struct rpc_client *client, uint32_t method,
		const ProtobufCMessage *req, const ProtobufCMessageDescriptor *type,
		struct rpc_result *res)
{
	rpc_call(client, method, req, type, ctl->timeout_ms, res);
	if (res->status != CYGNET__RPC_STATUS__RPC_OK) {
		fprintf(stderr, "listing certificates failed: %s\n", res->error);
		return -1;
	}
	return 0;
}

int ctl_cmd_list_certs(struct ctl *ctl)
{
	struct certs_opts opts = { NULL, false };
	Cygnet__ListCertsRequest req = CYGNET__LIST_CERTS_REQUEST__INIT;
	Cygnet__Empty empty = CYGNET__EMPTY__INIT;
	struct rpc_result certs, crls;
	struct rpc_client *client;
	int rc = 1;

	if (parse_opts(ctl, &opts) < 0)
		return 1;
	client = ctl_connect(ctl, "authority");
	if (!client)
		return 1;
	req.subject = (char *)(opts.subject ? opts.subject : "");
	if (call(ctl, client, CYGNET__AUTHORITY_METHOD__AUTHORITY_LIST_CERTS, &req.base,
		 &cygnet__cert_list__descriptor, &certs) == 0) {
		ctl_print_certs(ctl->out, (const Cygnet__CertList *)certs.reply, opts.utc);
		protobuf_c_message_free_unpacked(certs.reply, NULL);
		if (call(ctl, client, CYGNET__AUTHORITY_METHOD__AUTHORITY_LIST_CRLS,
			 &empty.base, &cygnet__crl_list__descriptor, &crls) == 0) {
			if (!opts.subject)
				ctl_print_crls(ctl->out, (const Cygnet__CrlList *)crls.reply,
					   opts.utc);
			protobuf_c_message_free_unpacked(crls.reply, NULL);
			rc = 0;
		}
	}
	rpc_client_close(client);
	return rc;
}
