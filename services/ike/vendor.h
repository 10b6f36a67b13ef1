/* Vendor IDs we recognise, logged as charon does ("received MS NT5
 * ISAKMPOAKLEY v9 vendor ID", "received unknown vendor ID: 01:52:..."). */
#ifndef CYGNET_IKE_VENDOR_H
#define CYGNET_IKE_VENDOR_H

#include <stddef.h>
#include <stdint.h>

void vendor_log(const uint8_t *vid, size_t len);

#endif
