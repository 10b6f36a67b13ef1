#include "authority/x509name.h"

#include <arpa/inet.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* charon names emailAddress "E"; everything else uses OpenSSL's short names. */
static const char *rdn_type_name(const ASN1_OBJECT *obj, char *buf, size_t len)
{
	int nid = OBJ_obj2nid(obj);

	if (nid == NID_pkcs9_emailAddress)
		return "E";
	if (nid != NID_undef)
		return OBJ_nid2sn(nid);
	OBJ_obj2txt(buf, (int)len, obj, 1);
	return buf;
}

int dn_format(const X509_NAME *name, char *buf, size_t len)
{
	size_t used = 0;
	int count = X509_NAME_entry_count(name);

	buf[0] = '\0';
	for (int i = 0; i < count; i++) {
		const X509_NAME_ENTRY *entry = X509_NAME_get_entry(name, i);
		char oidbuf[64];
		const char *type = rdn_type_name(X509_NAME_ENTRY_get_object(entry),
						 oidbuf, sizeof(oidbuf));
		unsigned char *value = NULL;
		int vlen = ASN1_STRING_to_UTF8(&value, X509_NAME_ENTRY_get_data(entry));
		if (vlen < 0)
			return -1;
		int n = snprintf(buf + used, len - used, "%s%s=%.*s",
				 i ? ", " : "", type, vlen, (char *)value);
		OPENSSL_free(value);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

time_t asn1_time_to_unix(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

void time_format(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%b %d %H:%M:%S %Y", &tm);
}

const char *pkey_type_name(const EVP_PKEY *key)
{
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		return "RSA";
	case EVP_PKEY_EC:
		return "ECDSA";
	case EVP_PKEY_ED25519:
		return "ED25519";
	case EVP_PKEY_ED448:
		return "ED448";
	default:
		return "unknown";
	}
}

int pubkey_keyid(const EVP_PKEY *key, unsigned char out[20])
{
	unsigned char *der = NULL;
	int len = i2d_PUBKEY((EVP_PKEY *)key, &der);

	if (len <= 0)
		return -1;
	SHA1(der, (size_t)len, out);
	OPENSSL_free(der);
	return 0;
}

int pubkey_subjkey(X509 *x509, unsigned char out[20])
{
	const ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(x509);

	if (!bits)
		return -1;
	SHA1(ASN1_STRING_get0_data(bits), (size_t)ASN1_STRING_length(bits), out);
	return 0;
}

static char *alt_name_text(const GENERAL_NAME *gen)
{
	char buf[INET6_ADDRSTRLEN];
	const ASN1_STRING *str;
	int af;

	switch (gen->type) {
	case GEN_DNS:
	case GEN_EMAIL:
	case GEN_URI:
		str = gen->d.ia5;
		return strndup((const char *)ASN1_STRING_get0_data(str),
			       (size_t)ASN1_STRING_length(str));
	case GEN_IPADD:
		str = gen->d.iPAddress;
		af = ASN1_STRING_length(str) == 4 ? AF_INET :
		     ASN1_STRING_length(str) == 16 ? AF_INET6 : 0;
		if (!af || !inet_ntop(af, ASN1_STRING_get0_data(str), buf, sizeof(buf)))
			return NULL;
		return strdup(buf);
	default:
		return NULL;
	}
}

size_t cert_alt_names(X509 *x509, char **out, size_t max)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(x509, NID_subject_alt_name,
						NULL, NULL);
	size_t n = 0;

	for (int i = 0; names && i < sk_GENERAL_NAME_num(names) && n < max; i++) {
		char *text = alt_name_text(sk_GENERAL_NAME_value(names, i));
		if (text)
			out[n++] = text;
	}
	GENERAL_NAMES_free(names);
	return n;
}

static size_t add_uris(const GENERAL_NAMES *names, char **out, size_t n,
		       size_t max)
{
	for (int i = 0; names && i < sk_GENERAL_NAME_num(names) && n < max; i++) {
		const GENERAL_NAME *gen = sk_GENERAL_NAME_value(names, i);
		if (gen->type == GEN_URI) {
			char *uri = alt_name_text(gen);
			if (uri)
				out[n++] = uri;
		}
	}
	return n;
}

size_t cert_crl_uris(X509 *x509, char **out, size_t max)
{
	STACK_OF(DIST_POINT) *points = X509_get_ext_d2i(x509, NID_crl_distribution_points,
						       NULL, NULL);
	size_t n = 0;

	for (int i = 0; points && i < sk_DIST_POINT_num(points); i++) {
		const DIST_POINT *point = sk_DIST_POINT_value(points, i);
		if (point->distpoint && point->distpoint->type == 0)
			n = add_uris(point->distpoint->name.fullname, out, n, max);
	}
	sk_DIST_POINT_pop_free(points, DIST_POINT_free);
	return n;
}

size_t cert_ocsp_uris(X509 *x509, char **out, size_t max)
{
	AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x509, NID_info_access,
						      NULL, NULL);
	size_t n = 0;

	for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia) && n < max; i++) {
		const ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		if (OBJ_obj2nid(ad->method) == NID_ad_OCSP &&
		    ad->location->type == GEN_URI) {
			char *uri = alt_name_text(ad->location);
			if (uri)
				out[n++] = uri;
		}
	}
	AUTHORITY_INFO_ACCESS_free(aia);
	return n;
}

void strings_free(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
}

const char *crl_reason_name(int reason)
{
	static const char *const names[] = {
		"unspecified", "key compromise", "ca compromise",
		"affiliation changed", "superseded", "cessation of operation",
		"certificate hold", "reason #7", "remove from crl",
		"privilege withdrawn", "aa compromise",
	};

	if (reason < 0 || (size_t)reason >= sizeof(names) / sizeof(names[0]))
		return "unspecified";
	return names[reason];
}
