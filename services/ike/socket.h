/* The IKE UDP sockets: ports 500 and 4500 (NAT-T, RFC 3948 non-ESP
 * marker), IPv4 and IPv6, on configured addresses or any.  Packets
 * carry the local address they arrived on (IP_PKTINFO/IPV6_PKTINFO) so
 * that replies leave from the address and port the request came to. */
#ifndef CYGNET_IKE_SOCKET_H
#define CYGNET_IKE_SOCKET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ike/message.h"

#define IKE_PORT 500
#define IKE_NATT_PORT 4500
#define IKE_SOCKETS_MAX 32
#define NON_ESP_MARKER_LEN 4

struct packet {
	struct sockaddr_storage local;	/* our address and port */
	struct sockaddr_storage remote;
	size_t len;
	uint8_t data[MESSAGE_MAX_LEN];	/* without the non-ESP marker */
};

struct ike_sockets {
	size_t count;
	int fds[IKE_SOCKETS_MAX];
	struct sockaddr_storage bound[IKE_SOCKETS_MAX];
	bool natt[IKE_SOCKETS_MAX];	/* carries the non-ESP marker */
};

/* Binds port and natt_port on each address (NULL/none = IPv4 and IPv6
 * any).  Returns 0, or -1 with a message in err. */
int ike_sockets_open(struct ike_sockets *s, char *const *addrs, size_t n_addrs,
		     uint16_t port, uint16_t natt_port, char *err,
		     size_t errlen);
void ike_sockets_close(struct ike_sockets *s);

/* Waits up to timeout_ms for a packet on any socket.  Returns 1 with
 * pkt filled, 0 on timeout or a packet to ignore (ESP, keepalive), -1
 * on error. */
int ike_sockets_recv(struct ike_sockets *s, struct packet *pkt, int timeout_ms);
/* Sends pkt->data from pkt->local to pkt->remote (adding the marker on
 * the NAT-T port).  Returns 0 or -1 (logged). */
int ike_sockets_send(struct ike_sockets *s, const struct packet *pkt);

/* A NAT keep-alive (RFC 3948 2.3: one octet 0xFF, no marker) from our
 * NAT-T address local.  Returns 0 or -1 (logged). */
int ike_sockets_keepalive(struct ike_sockets *s,
			  const struct sockaddr_storage *local,
			  const struct sockaddr_storage *remote);
uint16_t sockaddr_port(const struct sockaddr_storage *ss);
/* "192.0.2.1" without the port, "%any" for no address. */
void sockaddr_host(const struct sockaddr_storage *ss, char *buf, size_t len);
/* The address octets into out (room for 16); returns 4 or 16. */
size_t sockaddr_addr(const struct sockaddr_storage *ss, uint8_t *out);
/* "192.0.2.1[500]" as charon prints endpoints. */
void sockaddr_format(const struct sockaddr_storage *ss, char *buf, size_t len);
/* A numeric IPv4 or IPv6 address with port; -1 if text is neither. */
int sockaddr_parse(const char *text, uint16_t port,
		   struct sockaddr_storage *ss);

#endif
