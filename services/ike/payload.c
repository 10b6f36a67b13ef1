#include "ike/payload.h"

#include <stddef.h>

struct payload_kind {
	uint8_t type;
	const char *short_name;		/* as charon prints it */
	int (*validate)(const uint8_t *body, size_t len);
};

static const struct payload_kind kinds[] = {
	{ PL_SA, "SA", payload_sa_validate },
	{ PL_KE, "KE", payload_ke_validate },
	{ PL_IDI, "IDi", payload_id_validate },
	{ PL_IDR, "IDr", payload_id_validate },
	{ PL_CERT, "CERT", payload_cert_validate },
	{ PL_CERTREQ, "CERTREQ", payload_certreq_validate },
	{ PL_AUTH, "AUTH", payload_auth_validate },
	{ PL_NONCE, "No", payload_nonce_validate },
	{ PL_NOTIFY, "N", payload_notify_validate },
	{ PL_DELETE, "D", payload_delete_validate },
	{ PL_VENDOR, "V", payload_vendor_validate },
	{ PL_TSI, "TSi", payload_ts_validate },
	{ PL_TSR, "TSr", payload_ts_validate },
	{ PL_SK, "E", payload_sk_validate },
	{ PL_CP, "CP", payload_cp_validate },
	{ PL_EAP, "EAP", payload_eap_validate },
	{ PL_SKF, "EF", payload_skf_validate },
};

static const struct payload_kind *kind(uint8_t type)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].type == type)
			return &kinds[i];
	return NULL;
}

const char *payload_short_name(uint8_t type)
{
	const struct payload_kind *k = kind(type);

	return k ? k->short_name : NULL;
}

bool payload_known(uint8_t type)
{
	return kind(type) != NULL;
}

int payload_validate(uint8_t type, const uint8_t *body, size_t len)
{
	const struct payload_kind *k = kind(type);

	return k ? k->validate(body, len) : -1;
}
