/* Finding the connection for an IKE_SA_INIT by its addresses. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "ike/config.h"

/* One entry of local_addrs/remote_addrs against an address: %any,
 * %any4, %any6, an IP address or a subnet.  Host names never match
 * here (they are not resolved). */
static bool addr_matches(const char *entry, const struct sockaddr_storage *ss)
{
	uint8_t want[16], have[16];
	char copy[64], *slash;
	int family = ss->ss_family, bits;
	size_t len = family == AF_INET6 ? 16 : 4;

	if (strcmp(entry, "%any") == 0)
		return true;
	if (strcmp(entry, "%any4") == 0 || strcmp(entry, "%any6") == 0)
		return (entry[4] == '6') == (family == AF_INET6);
	if (family == AF_INET6)
		memcpy(have, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	else
		memcpy(have, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	snprintf(copy, sizeof(copy), "%s", entry);
	slash = strchr(copy, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(family, copy, want) != 1)
		return false;
	bits = slash ? atoi(slash + 1) : (int)len * 8;
	if (bits < 0 || bits > (int)len * 8)
		return false;
	for (int i = 0; i < bits; i++) {
		uint8_t mask = (uint8_t)(0x80 >> (i % 8));

		if ((want[i / 8] & mask) != (have[i / 8] & mask))
			return false;
	}
	return true;
}

static bool list_matches(char *const *entries, size_t n,
			 const struct sockaddr_storage *ss)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (addr_matches(entries[i], ss))
			return true;
	return false;
}

bool config_conn_matches(const struct conn_cfg *c,
			 const struct sockaddr_storage *local,
			 const struct sockaddr_storage *remote)
{
	return list_matches(c->local_addrs, c->n_local_addrs, local) &&
	       list_matches(c->remote_addrs, c->n_remote_addrs, remote);
}

const struct conn_cfg *config_match(const struct ike_config *config,
				    const struct sockaddr_storage *local,
				    const struct sockaddr_storage *remote)
{
	for (size_t i = 0; i < config->n_conns; i++)
		if (config_conn_matches(&config->conns[i], local, remote))
			return &config->conns[i];
	return NULL;
}
