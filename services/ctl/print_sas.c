/* The swanctl --list-sas format of cygnetctl --list-sas (cmd_sas.c). */
#include <stdio.h>
#include <string.h>

#include "print_sas.h"

static void print_list(FILE *out, const char *label, char **items, size_t n)
{
	fprintf(out, "%s", label);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? " " : "", items[i]);
	fprintf(out, "\n");
}

static void print_traffic(FILE *out, const char *dir, uint32_t spi,
			  uint64_t bytes, uint64_t packets, int64_t use)
{
	fprintf(out, "    %s %08x, %6llu bytes, %5llu packets", dir, spi,
		(unsigned long long)bytes, (unsigned long long)packets);
	if (use >= 0)
		fprintf(out, ", %5llds ago", (long long)use);
	fprintf(out, "\n");
}

static void print_child(FILE *out, const Cygnet__ChildSaInfo *c)
{
	fprintf(out, "  %s: #%u, reqid %u, %s, %s%s, ESP:%s\n", c->name,
		c->unique_id, c->reqid, c->state, c->mode,
		c->encap ? "-in-UDP" : "", c->algorithms);
	fprintf(out, "    installed %llus ago", (unsigned long long)c->installed);
	if (c->rekey_in)
		fprintf(out, ", rekeying in %llus", (unsigned long long)c->rekey_in);
	if (c->expires_in)
		fprintf(out, ", expires in %llus", (unsigned long long)c->expires_in);
	fprintf(out, "\n");
	print_traffic(out, "in ", c->spi_in, c->bytes_in, c->packets_in, c->use_in);
	print_traffic(out, "out", c->spi_out, c->bytes_out, c->packets_out,
		      c->use_out);
	print_list(out, "    local  ", c->local_ts, c->n_local_ts);
	print_list(out, "    remote ", c->remote_ts, c->n_remote_ts);
}

/* " [a b]" after the local or remote line, as swanctl. */
static void print_vips(FILE *out, char **vips, size_t n)
{
	if (!n)
		return;
	fprintf(out, " [");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? " " : "", vips[i]);
	fprintf(out, "]");
}

static void print_sa(FILE *out, const Cygnet__IkeSaInfo *sa)
{
	fprintf(out, "%s: #%llu, %s, IKEv2, %016llx_i%s %016llx_r%s\n", sa->name,
		(unsigned long long)sa->unique_id, sa->state,
		(unsigned long long)sa->spi_i, sa->initiator ? "*" : "",
		(unsigned long long)sa->spi_r, sa->initiator ? "" : "*");
	fprintf(out, "  local  '%s' @ %s[%u]", sa->local_id, sa->local_host,
		sa->local_port);
	print_vips(out, sa->local_vips, sa->n_local_vips);
	fprintf(out, "\n  remote '%s' @ %s[%u]", sa->remote_id, sa->remote_host,
		sa->remote_port);
	if (sa->remote_eap_id && *sa->remote_eap_id)
		fprintf(out, " EAP: '%s'", sa->remote_eap_id);
	print_vips(out, sa->remote_vips, sa->n_remote_vips);
	fprintf(out, "\n  %s\n", sa->algorithms);
	if (strcmp(sa->state, "ESTABLISHED") == 0) {
		fprintf(out, "  established %llus ago",
			(unsigned long long)sa->established);
		if (sa->reauth_in)
			fprintf(out, ", reauth in %llus",
				(unsigned long long)sa->reauth_in);
		fprintf(out, "\n");
	}
	for (size_t i = 0; i < sa->n_children; i++)
		print_child(out, sa->children[i]);
}

void ctl_print_sas(FILE *out, const Cygnet__IkeSaList *list)
{
	for (size_t i = 0; i < list->n_sas; i++)
		print_sa(out, list->sas[i]);
}

