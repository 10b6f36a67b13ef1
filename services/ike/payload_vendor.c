/* Vendor ID payload (RFC 7296 3.12): opaque octets. */
#include "ike/message.h"
#include "ike/payload.h"

int payload_vendor_validate(const uint8_t *body, size_t len)
{
	(void)body;
	return len > 0 ? 0 : -1;
}

void payload_vendor_write(struct msg_builder *b, const uint8_t *vid, size_t len)
{
	builder_begin(b, PL_VENDOR, false);
	wbuf_put(&b->w, vid, len);
	builder_end(b);
}
