#include "ike/mobike.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include "ike/payload.h"
#include "ike/service.h"
#include "ike/socket.h"

/* The address of an interface address entry charon would announce
 * (regular, not loopback, not link-local), else 0. */
static size_t usable(const struct ifaddrs *ifa, uint8_t *out)
{
	const struct sockaddr *sa = ifa->ifa_addr;

	if (!sa || !(ifa->ifa_flags & IFF_UP) || (ifa->ifa_flags & IFF_LOOPBACK))
		return 0;
	if (sa->sa_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_LOOPBACK(a))
			return 0;
		memcpy(out, a, 16);
		return 16;
	}
	return 0;
}

size_t mobike_local_addresses(const struct sockaddr_storage *local,
			      struct mobike_addr *out, size_t max)
{
	struct ifaddrs *list;
	uint8_t ours[16];
	size_t ours_len = sockaddr_addr(local, ours), n = 0;

	if (getifaddrs(&list) < 0)
		return 0;
	for (const struct ifaddrs *ifa = list; ifa && n < max; ifa = ifa->ifa_next) {
		struct mobike_addr a;

		a.len = usable(ifa, a.addr);
		if (!a.len || (a.len == ours_len && memcmp(a.addr, ours, a.len) == 0))
			continue;
		out[n++] = a;
	}
	freeifaddrs(list);
	return n;
}

void mobike_write_supported(struct msg_builder *b,
			    const struct sockaddr_storage *local)
{
	struct mobike_addr addrs[MOBIKE_ADDRS_MAX];
	size_t n = mobike_local_addresses(local, addrs, MOBIKE_ADDRS_MAX);

	payload_notify_write(b, &(struct notify_payload){
		.type = N_MOBIKE_SUPPORTED });
	for (size_t i = 0; i < n; i++)
		payload_notify_write(b, &(struct notify_payload){
			.type = addrs[i].len == 4 ? N_ADDITIONAL_IP4_ADDRESS :
						    N_ADDITIONAL_IP6_ADDRESS,
			.data = addrs[i].addr, .len = addrs[i].len });
	if (n == 0)
		payload_notify_write(b, &(struct notify_payload){
			.type = N_NO_ADDITIONAL_ADDRESSES });
}

bool mobike_enabled(struct ike_service *svc, const char *conn_name)
{
	const struct conn_cfg *conn;
	bool enabled;

	pthread_rwlock_rdlock(&svc->config_lock);
	conn = svc->config ? config_find(svc->config, conn_name) : NULL;
	enabled = conn && conn->mobike;
	pthread_rwlock_unlock(&svc->config_lock);
	return enabled;
}
