/* libFuzzer target: EAP-TLS framing as a peer drives it.  The input is a
 * sequence of EAP packets, each prefixed by a 2-byte length; they go
 * through the parser and the reassembly with a small message limit, and
 * every step answers with the next outgoing packet. */
#include <stdint.h>
#include <string.h>

#include "authority/eap_tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eap_tls_frag frag;
	uint8_t out[256];
	char why[256];
	size_t off = 0;

	if (size < 1)
		return 0;
	/* the first byte picks the fragment size and queues outgoing data */
	eap_tls_frag_init(&frag, EAP_TLS_MIN_FRAGMENT + data[0], 4096);
	if (eap_tls_queue(&frag, data, size > 600 ? 600 : size) < 0)
		return 0;
	off = 1;
	while (off + 2 <= size) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		struct eap_tls_msg msg;

		off += 2;
		if (len > size - off)
			len = size - off;
		if (eap_tls_parse(data + off, len, EAP_CODE_RESPONSE, &msg, why,
				  sizeof(why)) == 0) {
			enum eap_tls_rx rx = eap_tls_receive(&frag, &msg, why, sizeof(why));
			if (rx == EAP_TLS_RX_ERROR)
				break;
			if (rx == EAP_TLS_RX_DONE)
				eap_tls_consumed(&frag);
		}
		eap_tls_next_packet(&frag, EAP_CODE_REQUEST, 1, 0, out, sizeof(out));
		off += len;
	}
	eap_tls_frag_free(&frag);
	return 0;
}
