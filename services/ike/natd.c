#include "ike/natd.h"

#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include "ike/message.h"
#include "log.h"

int natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8],
	      const struct sockaddr_storage *addr, uint8_t out[NATD_HASH_LEN])
{
	uint8_t input[16 + 16 + 2];
	size_t len = 16;

	memcpy(input, spi_i, 8);
	memcpy(input + 8, spi_r, 8);
	if (addr->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;

		memcpy(input + len, &in6->sin6_addr, 16);
		len += 16;
		memcpy(input + len, &in6->sin6_port, 2);
	} else {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;

		memcpy(input + len, &in->sin_addr, 4);
		len += 4;
		memcpy(input + len, &in->sin_port, 2);
	}
	len += 2;
	return EVP_Digest(input, len, out, NULL, EVP_sha1(), NULL) ? 0 : -1;
}

bool natd_matches(const uint8_t spi_i[8], const uint8_t spi_r[8],
		  const struct sockaddr_storage *addr, const uint8_t *hash,
		  size_t len)
{
	uint8_t expected[NATD_HASH_LEN];

	return len == NATD_HASH_LEN &&
	       natd_hash(spi_i, spi_r, addr, expected) == 0 &&
	       CRYPTO_memcmp(expected, hash, NATD_HASH_LEN) == 0;
}

void natd_write(struct msg_builder *b, const struct ike_header *h,
		const struct sockaddr_storage *local,
		const struct sockaddr_storage *remote)
{
	uint8_t hash[NATD_HASH_LEN];
	struct notify_payload n = { .data = hash, .len = NATD_HASH_LEN };

	n.type = N_NAT_DETECTION_SOURCE_IP;
	natd_hash(h->spi_i, h->spi_r, local, hash);
	payload_notify_write(b, &n);
	n.type = N_NAT_DETECTION_DESTINATION_IP;
	natd_hash(h->spi_i, h->spi_r, remote, hash);
	payload_notify_write(b, &n);
}

bool natd_detect(const struct ike_message *msg,
		 const struct sockaddr_storage *local,
		 const struct sockaddr_storage *remote, bool *local_nat)
{
	const struct payload *src = message_find_notify(msg, N_NAT_DETECTION_SOURCE_IP);
	const struct payload *dst = message_find_notify(msg, N_NAT_DETECTION_DESTINATION_IP);
	struct notify_payload n;

	*local_nat = false;
	if (!src || !dst)
		return false;
	payload_notify_parse(dst->body, dst->len, &n);
	*local_nat = !natd_matches(msg->hdr.spi_i, msg->hdr.spi_r, local,
				   n.data, n.len);
	if (*local_nat)
		DBG1(LOG_IKE, "local host is behind NAT, sending keep alives");
	/* Any NATD_S_IP may match: the peer may have several addresses. */
	for (size_t i = 0; i < msg->n_payloads; i++) {
		const struct payload *p = &msg->payloads[i];

		if (p->type != PL_NOTIFY)
			continue;
		payload_notify_parse(p->body, p->len, &n);
		if (n.type == N_NAT_DETECTION_SOURCE_IP &&
		    natd_matches(msg->hdr.spi_i, msg->hdr.spi_r, remote,
				 n.data, n.len))
			return *local_nat;
	}
	DBG1(LOG_IKE, "remote host is behind NAT");
	return true;
}
