/* The IKE sockets on loopback (unprivileged ports): the arrival address
 * is reported, the non-ESP marker is stripped and added, ESP and
 * keepalives on the NAT-T port are not taken for IKE, and a reply
 * leaves from the port the request came to. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike/socket.h"
#include "testmain.h"

static uint16_t free_udp_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint16_t port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static int peer_socket(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)addr, sizeof(*addr)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)addr, &len), 0);
	return fd;
}

static void send_to(int fd, uint16_t port, const void *data, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(sendto(fd, data, len, 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)len);
}

START_TEST(marker_and_source)
{
	char *listen[] = { "127.0.0.1" };
	uint16_t port = free_udp_port(), natt = free_udp_port();
	struct ike_sockets s;
	struct packet *pkt = malloc(sizeof(*pkt));
	struct sockaddr_in peer, from;
	socklen_t from_len = sizeof(from);
	uint8_t buf[64], ike[32];
	char err[128], text[64];
	int fd;

	ck_assert_ptr_nonnull(pkt);
	ck_assert_msg(ike_sockets_open(&s, listen, 1, port, natt, err, sizeof(err)) == 0,
		      "%s", err);
	fd = peer_socket(&peer);
	memset(ike, 0x2a, sizeof(ike));

	/* Port 500 style: taken as is. */
	send_to(fd, port, ike, sizeof(ike));
	ck_assert_int_eq(ike_sockets_recv(&s, pkt, 1000), 1);
	ck_assert_uint_eq(pkt->len, sizeof(ike));
	ck_assert_uint_eq(sockaddr_port(&pkt->local), port);
	ck_assert_uint_eq(sockaddr_port(&pkt->remote), ntohs(peer.sin_port));
	sockaddr_format(&pkt->local, text, sizeof(text));
	snprintf(err, sizeof(err), "127.0.0.1[%u]", port);
	ck_assert_str_eq(text, err);

	/* NAT-T: the marker is stripped on receipt ... */
	memset(buf, 0, 4);
	memcpy(buf + 4, ike, sizeof(ike));
	send_to(fd, natt, buf, 4 + sizeof(ike));
	ck_assert_int_eq(ike_sockets_recv(&s, pkt, 1000), 1);
	ck_assert_uint_eq(pkt->len, sizeof(ike));
	ck_assert_mem_eq(pkt->data, ike, sizeof(ike));
	ck_assert_uint_eq(sockaddr_port(&pkt->local), natt);

	/* ... and added to the reply, which leaves from the NAT-T port. */
	ck_assert_int_eq(ike_sockets_send(&s, pkt), 0);
	ck_assert_int_eq(recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
				  &from_len), 4 + (ssize_t)sizeof(ike));
	ck_assert_mem_eq(buf, "\0\0\0\0", 4);
	ck_assert_mem_eq(buf + 4, ike, sizeof(ike));
	ck_assert_uint_eq(ntohs(from.sin_port), natt);

	/* ESP (no marker) and a keepalive are not IKE. */
	send_to(fd, natt, "\x12\x34\x56\x78\x00\x00\x00\x01", 8);
	ck_assert_int_eq(ike_sockets_recv(&s, pkt, 1000), 0);
	send_to(fd, natt, "\xff", 1);
	ck_assert_int_eq(ike_sockets_recv(&s, pkt, 1000), 0);
	/* Nothing pending: a timeout. */
	ck_assert_int_eq(ike_sockets_recv(&s, pkt, 10), 0);

	close(fd);
	ike_sockets_close(&s);
	free(pkt);
}
END_TEST

START_TEST(open_errors)
{
	char *bad[] = { "not-an-address" };
	char *busy[] = { "127.0.0.1" };
	uint16_t port = free_udp_port();
	struct ike_sockets s, t;
	char err[128];

	ck_assert_int_eq(ike_sockets_open(&s, bad, 1, port, port + 1, err,
					  sizeof(err)), -1);
	ck_assert_str_eq(err, "invalid listen address 'not-an-address'");
	/* A socket not on the local address for a reply. */
	ck_assert_int_eq(ike_sockets_open(&t, busy, 1, port, free_udp_port(), err,
					  sizeof(err)), 0);
	{
		struct packet *pkt = calloc(1, sizeof(*pkt));
		struct sockaddr_in *in = (struct sockaddr_in *)&pkt->local;

		in->sin_family = AF_INET;
		in->sin_port = htons(1);
		ck_assert_int_eq(ike_sockets_send(&t, pkt), -1);
		free(pkt);
	}
	ike_sockets_close(&t);
}
END_TEST

static Suite *socket_suite(void)
{
	Suite *s = suite_create("ike_socket");
	TCase *tc = tcase_create("socket");

	tcase_add_test(tc, marker_and_source);
	tcase_add_test(tc, open_errors);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(socket_suite)
