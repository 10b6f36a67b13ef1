/* Builders for the seed's messages, shared by the message tests. */
#ifndef CYGNET_TEST_IKE_MSG_HELPERS_H
#define CYGNET_TEST_IKE_MSG_HELPERS_H

#include <string.h>

#include "ike/message.h"

static inline struct ike_header test_header(uint8_t exchange, bool response,
					    uint32_t id)
{
	struct ike_header h = {
		.spi_i = { 0x8a, 0xb1, 0x7b, 0x51, 0x3b, 0x1c, 0x15, 0x14 },
		.version = 0x20,
		.exchange = exchange,
		.flags = response ? FLAG_RESPONSE : FLAG_INITIATOR,
		.message_id = id,
	};

	if (exchange != IKE_SA_INIT || response)
		memcpy(h.spi_r, "\x80\xfd\x19\x86\xe5\xc0\xe1\x79", 8);
	return h;
}

static inline void test_notify(struct msg_builder *b, uint16_t type,
			       const uint8_t *data, size_t len)
{
	struct notify_payload n = { .type = type, .data = data, .len = len };

	payload_notify_write(b, &n);
}

#endif
