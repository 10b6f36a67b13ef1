#include "ike/proposal.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

struct keyword {
	const char *word;
	uint8_t type;
	uint16_t id;
	uint16_t key_length;
};

/* strongSwan's proposal keywords for the algorithms we implement. */
static const struct keyword keywords[] = {
	{ "aes", TRANS_ENCR, ENCR_AES_CBC, 128 },
	{ "aes128", TRANS_ENCR, ENCR_AES_CBC, 128 },
	{ "aes192", TRANS_ENCR, ENCR_AES_CBC, 192 },
	{ "aes256", TRANS_ENCR, ENCR_AES_CBC, 256 },
	{ "aes128gcm16", TRANS_ENCR, ENCR_AES_GCM_16, 128 },
	{ "aes128gcm128", TRANS_ENCR, ENCR_AES_GCM_16, 128 },
	{ "aes192gcm16", TRANS_ENCR, ENCR_AES_GCM_16, 192 },
	{ "aes192gcm128", TRANS_ENCR, ENCR_AES_GCM_16, 192 },
	{ "aes256gcm16", TRANS_ENCR, ENCR_AES_GCM_16, 256 },
	{ "aes256gcm128", TRANS_ENCR, ENCR_AES_GCM_16, 256 },
	{ "sha", TRANS_INTEG, INTEG_HMAC_SHA1_96, 0 },
	{ "sha1", TRANS_INTEG, INTEG_HMAC_SHA1_96, 0 },
	{ "sha256", TRANS_INTEG, INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha2_256", TRANS_INTEG, INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha384", TRANS_INTEG, INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha2_384", TRANS_INTEG, INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha512", TRANS_INTEG, INTEG_HMAC_SHA2_512_256, 0 },
	{ "sha2_512", TRANS_INTEG, INTEG_HMAC_SHA2_512_256, 0 },
	{ "prfsha1", TRANS_PRF, PRF_HMAC_SHA1, 0 },
	{ "prfsha256", TRANS_PRF, PRF_HMAC_SHA2_256, 0 },
	{ "prfsha384", TRANS_PRF, PRF_HMAC_SHA2_384, 0 },
	{ "prfsha512", TRANS_PRF, PRF_HMAC_SHA2_512, 0 },
	{ "modp2048", TRANS_DH, DH_MODP_2048, 0 },
	{ "modp3072", TRANS_DH, DH_MODP_3072, 0 },
	{ "modp4096", TRANS_DH, DH_MODP_4096, 0 },
	{ "ecp256", TRANS_DH, DH_ECP_256, 0 },
	{ "ecp384", TRANS_DH, DH_ECP_384, 0 },
	{ "ecp521", TRANS_DH, DH_ECP_521, 0 },
	{ "curve25519", TRANS_DH, DH_CURVE_25519, 0 },
	{ "x25519", TRANS_DH, DH_CURVE_25519, 0 },
	{ "esn", TRANS_ESN, ESN_YES, 0 },
	{ "noesn", TRANS_ESN, ESN_NO, 0 },
};

struct name {
	uint8_t type;
	uint16_t id;
	const char *text;
};

/* Names as charon prints them (its transform enum names). */
static const struct name names[] = {
	{ TRANS_ENCR, ENCR_AES_CBC, "AES_CBC" },
	{ TRANS_ENCR, ENCR_AES_GCM_16, "AES_GCM_16" },
	{ TRANS_PRF, PRF_HMAC_SHA1, "PRF_HMAC_SHA1" },
	{ TRANS_PRF, PRF_HMAC_SHA2_256, "PRF_HMAC_SHA2_256" },
	{ TRANS_PRF, PRF_HMAC_SHA2_384, "PRF_HMAC_SHA2_384" },
	{ TRANS_PRF, PRF_HMAC_SHA2_512, "PRF_HMAC_SHA2_512" },
	{ TRANS_INTEG, INTEG_NONE, "NONE" },
	{ TRANS_INTEG, INTEG_HMAC_SHA1_96, "HMAC_SHA1_96" },
	{ TRANS_INTEG, INTEG_HMAC_SHA2_256_128, "HMAC_SHA2_256_128" },
	{ TRANS_INTEG, INTEG_HMAC_SHA2_384_192, "HMAC_SHA2_384_192" },
	{ TRANS_INTEG, INTEG_HMAC_SHA2_512_256, "HMAC_SHA2_512_256" },
	{ TRANS_DH, DH_NONE, "NONE" },
	{ TRANS_DH, DH_MODP_2048, "MODP_2048" },
	{ TRANS_DH, DH_MODP_3072, "MODP_3072" },
	{ TRANS_DH, DH_MODP_4096, "MODP_4096" },
	{ TRANS_DH, DH_ECP_256, "ECP_256" },
	{ TRANS_DH, DH_ECP_384, "ECP_384" },
	{ TRANS_DH, DH_ECP_521, "ECP_521" },
	{ TRANS_DH, DH_CURVE_25519, "CURVE_25519" },
	{ TRANS_ESN, ESN_NO, "NO_EXT_SEQ" },
	{ TRANS_ESN, ESN_YES, "EXT_SEQ" },
};

/* Our subset of strongSwan's default proposals, in its preference order. */
static const char *const ike_defaults[] = {
	"aes128-aes192-aes256-sha256-sha384-sha512-sha1-prfsha256-prfsha384-"
	"prfsha512-prfsha1-ecp256-ecp384-ecp521-curve25519-modp3072-modp4096-"
	"modp2048",
	"aes128gcm16-aes192gcm16-aes256gcm16-prfsha256-prfsha384-prfsha512-"
	"prfsha1-ecp256-ecp384-ecp521-curve25519-modp3072-modp4096-modp2048",
};

static const char *const esp_defaults[] = {
	"aes128gcm16-aes192gcm16-aes256gcm16",
	"aes128-aes192-aes256-sha256-sha384-sha512-sha1",
};

static const uint8_t print_order[] = {
	TRANS_ENCR, TRANS_INTEG, TRANS_PRF, TRANS_DH, TRANS_ESN,
};

bool proposal_add(struct proposal *p, uint8_t type, uint16_t id,
		  uint16_t key_length)
{
	if (p->count >= PROPOSAL_MAX_TRANSFORMS)
		return false;
	p->transforms[p->count++] = (struct transform){
		.type = type, .id = id, .key_length = key_length,
	};
	return true;
}

void proposal_drop_type(struct proposal *p, uint8_t type)
{
	size_t kept = 0;

	for (size_t i = 0; i < p->count; i++)
		if (p->transforms[i].type != type)
			p->transforms[kept++] = p->transforms[i];
	p->count = kept;
}

bool proposal_has(const struct proposal *p, uint8_t type, uint16_t id,
		  uint16_t key_length)
{
	for (size_t i = 0; i < p->count; i++) {
		const struct transform *t = &p->transforms[i];

		if (t->type == type && t->id == id && t->key_length == key_length)
			return true;
	}
	return false;
}

const struct transform *proposal_first(const struct proposal *p, uint8_t type)
{
	for (size_t i = 0; i < p->count; i++)
		if (p->transforms[i].type == type)
			return &p->transforms[i];
	return NULL;
}

bool proposal_is_aead(const struct proposal *p)
{
	const struct transform *encr = proposal_first(p, TRANS_ENCR);

	return encr && encr->id == ENCR_AES_GCM_16;
}

static const char *transform_name(uint8_t type, uint16_t id)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type && names[i].id == id)
			return names[i].text;
	return NULL;
}

void transform_format(const struct transform *t, char *buf, size_t len)
{
	const char *name = transform_name(t->type, t->id);

	if (!name)
		snprintf(buf, len, "UNKNOWN_%u_%u", t->type, t->id);
	else if (t->key_length)
		snprintf(buf, len, "%s_%u", name, t->key_length);
	else
		snprintf(buf, len, "%s", name);
}

static const char *protocol_name(uint8_t protocol)
{
	switch (protocol) {
	case PROTO_IKE:
		return "IKE";
	case PROTO_AH:
		return "AH";
	case PROTO_ESP:
		return "ESP";
	default:
		return "UNKNOWN";
	}
}

void proposal_format(const struct proposal *p, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "%s:", protocol_name(p->protocol));
	bool first = true;

	for (size_t o = 0; o < sizeof(print_order); o++) {
		for (size_t i = 0; i < p->count && used < len; i++) {
			char one[48];

			if (p->transforms[i].type != print_order[o])
				continue;
			transform_format(&p->transforms[i], one, sizeof(one));
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 first ? "" : "/", one);
			first = false;
		}
	}
}

static const struct keyword *keyword_find(const char *word)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcmp(keywords[i].word, word) == 0)
			return &keywords[i];
	return NULL;
}

static uint16_t prf_for_integ(uint16_t integ)
{
	switch (integ) {
	case INTEG_HMAC_SHA1_96:
		return PRF_HMAC_SHA1;
	case INTEG_HMAC_SHA2_256_128:
		return PRF_HMAC_SHA2_256;
	case INTEG_HMAC_SHA2_384_192:
		return PRF_HMAC_SHA2_384;
	default:
		return PRF_HMAC_SHA2_512;
	}
}

/* The algorithms of one proposal string, sorted by role. */
struct parsed {
	struct proposal cbc;	/* non-AEAD encryption */
	struct proposal aead;
	struct proposal integ;
	struct proposal prf;
	struct proposal dh;
	struct proposal esn;
};

static struct proposal *parsed_list(struct parsed *ps, const struct keyword *k)
{
	switch (k->type) {
	case TRANS_ENCR:
		return k->id == ENCR_AES_GCM_16 ? &ps->aead : &ps->cbc;
	case TRANS_INTEG:
		return &ps->integ;
	case TRANS_PRF:
		return &ps->prf;
	case TRANS_DH:
		return &ps->dh;
	default:
		return &ps->esn;
	}
}

static int split_keywords(const char *text, struct parsed *ps, char *err,
			  size_t errlen)
{
	char copy[512];
	char *save = NULL;

	if (strlen(text) >= sizeof(copy)) {
		snprintf(err, errlen, "proposal '%.32s...' too long", text);
		return -1;
	}
	strcpy(copy, text);
	for (char *w = strtok_r(copy, "-", &save); w; w = strtok_r(NULL, "-", &save)) {
		const struct keyword *k = keyword_find(w);
		struct proposal *list;

		if (!k) {
			snprintf(err, errlen, "algorithm '%s' not recognized", w);
			return -1;
		}
		list = parsed_list(ps, k);
		if (!proposal_has(list, k->type, k->id, k->key_length) &&
		    !proposal_add(list, k->type, k->id, k->key_length)) {
			snprintf(err, errlen, "too many algorithms in '%s'", text);
			return -1;
		}
	}
	return 0;
}

static void append(struct proposal *dst, const struct proposal *src)
{
	for (size_t i = 0; i < src->count; i++)
		proposal_add(dst, src->transforms[i].type, src->transforms[i].id,
			     src->transforms[i].key_length);
}

static void append_prfs_from_integ(struct proposal *dst,
				   const struct proposal *integ)
{
	for (size_t i = 0; i < integ->count; i++) {
		uint16_t prf = prf_for_integ(integ->transforms[i].id);

		if (!proposal_has(dst, TRANS_PRF, prf, 0))
			proposal_add(dst, TRANS_PRF, prf, 0);
	}
}

static int check_parsed(const struct parsed *ps, enum ike_protocol protocol,
			const char *text, char *err, size_t errlen)
{
	if (!ps->cbc.count && !ps->aead.count) {
		snprintf(err, errlen, "no encryption algorithm in '%s'", text);
		return -1;
	}
	if (ps->cbc.count && !ps->integ.count) {
		snprintf(err, errlen, "no integrity algorithm in '%s'", text);
		return -1;
	}
	if (protocol == PROTO_IKE) {
		if (!ps->dh.count) {
			snprintf(err, errlen, "no DH group in '%s'", text);
			return -1;
		}
		if (!ps->prf.count && !ps->integ.count) {
			snprintf(err, errlen, "no PRF in '%s'", text);
			return -1;
		}
		if (ps->esn.count) {
			snprintf(err, errlen, "ESN not allowed in IKE proposal '%s'", text);
			return -1;
		}
	} else if (ps->prf.count) {
		snprintf(err, errlen, "PRF not allowed in ESP proposal '%s'", text);
		return -1;
	}
	return 0;
}

static void build(struct proposal *out, const struct parsed *ps,
		  const struct proposal *encr, enum ike_protocol protocol)
{
	bool aead = encr == &ps->aead;

	memset(out, 0, sizeof(*out));
	out->protocol = (uint8_t)protocol;
	append(out, encr);
	if (!aead)
		append(out, &ps->integ);
	if (protocol == PROTO_IKE) {
		if (ps->prf.count)
			append(out, &ps->prf);
		else
			append_prfs_from_integ(out, &ps->integ);
	}
	append(out, &ps->dh);
	if (protocol == PROTO_ESP) {
		if (ps->esn.count)
			append(out, &ps->esn);
		else
			proposal_add(out, TRANS_ESN, ESN_NO, 0);
	}
}

static int parse_defaults(enum ike_protocol protocol, struct proposal *out,
			  size_t max, char *err, size_t errlen)
{
	const char *const *list = protocol == PROTO_IKE ? ike_defaults : esp_defaults;
	size_t added = 0;

	for (size_t i = 0; i < 2; i++) {
		int n = proposal_parse(list[i], protocol, out + added, max - added,
				       err, errlen);

		if (n < 0)
			return -1;
		added += (size_t)n;
	}
	return (int)added;
}

int proposal_parse(const char *text, enum ike_protocol protocol,
		   struct proposal *out, size_t max, char *err, size_t errlen)
{
	struct parsed ps;
	size_t needed;

	if (strcmp(text, "default") == 0)
		return parse_defaults(protocol, out, max, err, errlen);
	memset(&ps, 0, sizeof(ps));
	if (split_keywords(text, &ps, err, errlen) < 0 ||
	    check_parsed(&ps, protocol, text, err, errlen) < 0)
		return -1;
	needed = (ps.cbc.count ? 1 : 0) + (ps.aead.count ? 1 : 0);
	if (needed > max) {
		snprintf(err, errlen, "too many proposals");
		return -1;
	}
	if (ps.cbc.count)
		build(out++, &ps, &ps.cbc, protocol);
	if (ps.aead.count)
		build(out, &ps, &ps.aead, protocol);
	return (int)needed;
}

/* A type the configuration does not name is acceptable only if the
 * peer does not offer it either, or offers just NONE (e.g. integrity
 * with AEAD, DH in an ESP proposal without PFS). */
static bool peer_lacks(const struct proposal *received, uint8_t type)
{
	for (size_t i = 0; i < received->count; i++) {
		const struct transform *t = &received->transforms[i];

		if (t->type == type && t->id != 0)
			return false;
	}
	return true;
}

static bool select_type(const struct proposal *conf,
			const struct proposal *received, uint8_t type,
			struct proposal *selected)
{
	bool configured = false;

	for (size_t i = 0; i < conf->count; i++) {
		const struct transform *t = &conf->transforms[i];

		if (t->type != type)
			continue;
		configured = true;
		if (proposal_has(received, type, t->id, t->key_length))
			return proposal_add(selected, type, t->id, t->key_length);
	}
	return !configured && peer_lacks(received, type);
}

static bool match_one(const struct proposal *conf,
		      const struct proposal *received, struct proposal *selected)
{
	memset(selected, 0, sizeof(*selected));
	if (conf->protocol != received->protocol)
		return false;
	for (size_t o = 0; o < sizeof(print_order); o++)
		if (!select_type(conf, received, print_order[o], selected))
			return false;
	selected->protocol = received->protocol;
	selected->number = received->number;
	selected->spi_size = received->spi_size;
	memcpy(selected->spi, received->spi, sizeof(selected->spi));
	return true;
}

/* "IKE:AES_CBC_256/..., IKE:AES_GCM_16_256/..." as charon lists them. */
static void format_list(const struct proposal *p, size_t n, char *buf,
			size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		char one[1024];

		proposal_format(&p[i], one, sizeof(one));
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? ", " : "", one);
	}
}

static void log_mismatch(const struct proposal *configured, size_t n_configured,
			 const struct proposal *received, size_t n_received)
{
	char list[4096];

	format_list(received, n_received, list, sizeof(list));
	DBG1(LOG_CFG, "received proposals: %s", list);
	format_list(configured, n_configured, list, sizeof(list));
	DBG1(LOG_CFG, "configured proposals: %s", list);
}

bool proposal_find(const struct proposal *configured, size_t n_configured,
		   const struct proposal *received, size_t n_received,
		   struct proposal *selected)
{
	for (size_t c = 0; c < n_configured; c++)
		for (size_t r = 0; r < n_received; r++)
			if (match_one(&configured[c], &received[r], selected))
				return true;
	return false;
}

void proposal_log_selected(const struct proposal *selected)
{
	char text[1024];

	proposal_format(selected, text, sizeof(text));
	DBG1(LOG_CFG, "selected proposal: %s", text);
}

bool proposal_select(const struct proposal *configured, size_t n_configured,
		     const struct proposal *received, size_t n_received,
		     struct proposal *selected)
{
	if (proposal_find(configured, n_configured, received, n_received,
			  selected)) {
		proposal_log_selected(selected);
		return true;
	}
	log_mismatch(configured, n_configured, received, n_received);
	return false;
}
