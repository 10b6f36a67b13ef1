#include "ike/vendor.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

#define MD5_LEN 16
#define MS_VERSION_LEN 4

/* Most vendor IDs are the MD5 of a name; the table keeps the names so
 * the derivation stays visible. */
static const char *const md5_names[] = {
	"MS-Negotiation Discovery Capable",
	"Vid-Initial-Contact",
	"IKE CGA version 1",
	"strongSwan",
};

/* Windows appends its version to this one. */
static const char ms_nt5[] = "MS NT5 ISAKMPOAKLEY";

static int md5_of(const char *name, uint8_t out[MD5_LEN])
{
	return EVP_Digest(name, strlen(name), out, NULL, EVP_md5(), NULL) ? 0 : -1;
}

static const char *known_md5(const uint8_t *vid)
{
	uint8_t hash[MD5_LEN];

	for (size_t i = 0; i < sizeof(md5_names) / sizeof(md5_names[0]); i++)
		if (md5_of(md5_names[i], hash) == 0 &&
		    memcmp(hash, vid, MD5_LEN) == 0)
			return md5_names[i];
	return NULL;
}

static void log_unknown(const uint8_t *vid, size_t len)
{
	char hex[3 * 64 + 1] = "";
	size_t used = 0;

	for (size_t i = 0; i < len && used + 4 < sizeof(hex); i++)
		used += (size_t)snprintf(hex + used, sizeof(hex) - used, "%s%02x",
					 i ? ":" : "", vid[i]);
	DBG1(LOG_IKE, "received unknown vendor ID: %s", hex);
}

void vendor_log(const uint8_t *vid, size_t len)
{
	uint8_t hash[MD5_LEN];
	const char *name;

	if (len == MD5_LEN + MS_VERSION_LEN && md5_of(ms_nt5, hash) == 0 &&
	    memcmp(hash, vid, MD5_LEN) == 0) {
		DBG1(LOG_IKE, "received %s v%u vendor ID", ms_nt5,
		     (unsigned)vid[MD5_LEN + 3]);
		return;
	}
	name = len == MD5_LEN ? known_md5(vid) : NULL;
	if (name)
		DBG1(LOG_IKE, "received %s vendor ID", name);
	else
		log_unknown(vid, len);
}
