#include "authority/certinfo.h"

#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "authority/x509name.h"

#define LIST_MAX 32

static ProtobufCBinaryData copy_bytes(const unsigned char *data, size_t len)
{
	ProtobufCBinaryData out = { 0, NULL };

	if (data && len) {
		out.data = malloc(len);
		if (out.data) {
			memcpy(out.data, data, len);
			out.len = len;
		}
	}
	return out;
}

static ProtobufCBinaryData copy_asn1(const ASN1_STRING *str)
{
	if (!str)
		return copy_bytes(NULL, 0);
	return copy_bytes(ASN1_STRING_get0_data(str), (size_t)ASN1_STRING_length(str));
}

static ProtobufCBinaryData copy_integer(const ASN1_INTEGER *serial)
{
	ProtobufCBinaryData out = { 0, NULL };
	BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
	int len = bn ? BN_num_bytes(bn) : 0;

	if (bn && (out.data = malloc(len ? (size_t)len : 1))) {
		out.len = (size_t)BN_bn2bin(bn, out.data);
		if (out.len == 0) {
			out.data[0] = 0;
			out.len = 1;
		}
	}
	BN_free(bn);
	return out;
}

static char **copy_strings(char **items, size_t n, size_t *count)
{
	char **out = malloc((n ? n : 1) * sizeof(*out));

	if (!out) {
		strings_free(items, n);
		*count = 0;
		return NULL;
	}
	memcpy(out, items, n * sizeof(*out));
	*count = n;
	return out;
}

/* OpenSSL reports every usage when the extension is absent; swanctl
 * shows only what the extension lists. */
static uint32_t listed_eku(X509 *x509)
{
	if (!(X509_get_extension_flags(x509) & EXFLAG_XKUSAGE))
		return 0;
	return X509_get_extended_key_usage(x509);
}

/* swanctl's flag order. */
static void add_flags(Cygnet__CertInfo *info, X509 *x509, bool ca)
{
	uint32_t usage = X509_get_key_usage(x509);
	uint32_t eku = listed_eku(x509);
	bool has_usage = X509_get_extension_flags(x509) & EXFLAG_KUSAGE;
	char *flags[8];
	size_t n = 0;

	if (ca)
		flags[n++] = strdup("CA");
	if ((has_usage && (usage & KU_CRL_SIGN)) || (ca && !has_usage))
		flags[n++] = strdup("CRLSign");
	if (eku & XKU_OCSP_SIGN)
		flags[n++] = strdup("ocspSigning");
	if (eku & XKU_SSL_SERVER)
		flags[n++] = strdup("serverAuth");
	if (eku & XKU_SSL_CLIENT)
		flags[n++] = strdup("clientAuth");
	if (X509_self_signed(x509, 1) == 1)
		flags[n++] = strdup("self-signed");
	info->flags = copy_strings(flags, n, &info->n_flags);
}

static void add_pubkey(Cygnet__CertInfo *info, const struct cred_cert *cert)
{
	EVP_PKEY *pub = X509_get0_pubkey(cert->x509);
	unsigned char subjkey[KEYID_LEN];

	info->pubkey_type = strdup(pub ? pkey_type_name(pub) : "unknown");
	info->pubkey_bits = pub ? (uint32_t)EVP_PKEY_get_bits(pub) : 0;
	info->has_private_key = cert->key != NULL;
	info->keyid = copy_bytes(cert->keyid, KEYID_LEN);
	if (pubkey_subjkey(cert->x509, subjkey) == 0)
		info->subjkey = copy_bytes(subjkey, KEYID_LEN);
}

Cygnet__CertInfo *certinfo_new(const struct cred_cert *cert)
{
	Cygnet__CertInfo *info = malloc(sizeof(*info));
	X509 *x509 = cert->x509;
	char issuer[DN_MAX];
	char *list[LIST_MAX];

	if (!info)
		return NULL;
	cygnet__cert_info__init(info);
	if (cert->ca)
		info->kind = CYGNET__CERT_INFO__KIND__CA;
	else if (listed_eku(x509) & XKU_OCSP_SIGN)
		info->kind = CYGNET__CERT_INFO__KIND__OCSP_SIGNER;
	info->subject = strdup(cert->subject);
	dn_format(X509_get_issuer_name(x509), issuer, sizeof(issuer));
	info->issuer = strdup(issuer);
	info->not_before = asn1_time_to_unix(X509_get0_notBefore(x509));
	info->not_after = asn1_time_to_unix(X509_get0_notAfter(x509));
	info->serial = copy_integer(X509_get0_serialNumber(x509));
	info->alt_names = copy_strings(list, cert_alt_names(x509, list, LIST_MAX),
				       &info->n_alt_names);
	add_flags(info, x509, cert->ca);
	info->pathlen = (int32_t)X509_get_pathlen(x509);
	info->crl_uris = copy_strings(list, cert_crl_uris(x509, list, LIST_MAX),
				      &info->n_crl_uris);
	info->ocsp_uris = copy_strings(list, cert_ocsp_uris(x509, list, LIST_MAX),
				       &info->n_ocsp_uris);
	info->authkey_id = copy_asn1(X509_get0_authority_key_id(x509));
	info->subjkey_id = copy_asn1(X509_get0_subject_key_id(x509));
	add_pubkey(info, cert);
	return info;
}

void certinfo_free(Cygnet__CertInfo *info)
{
	if (info)
		protobuf_c_message_free_unpacked(&info->base, NULL);
}

static Cygnet__RevokedCert *revoked_new(X509_REVOKED *rev)
{
	Cygnet__RevokedCert *out = malloc(sizeof(*out));
	ASN1_ENUMERATED *reason;
	int code = 0;

	if (!out)
		return NULL;
	cygnet__revoked_cert__init(out);
	out->serial = copy_integer(X509_REVOKED_get0_serialNumber(rev));
	out->date = asn1_time_to_unix(X509_REVOKED_get0_revocationDate(rev));
	reason = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, NULL, NULL);
	if (reason)
		code = (int)ASN1_ENUMERATED_get(reason);
	ASN1_ENUMERATED_free(reason);
	out->reason = strdup(crl_reason_name(code));
	return out;
}

static void add_crl_number(Cygnet__CrlInfo *info, X509_CRL *crl)
{
	ASN1_INTEGER *number = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);

	if (number)
		info->serial = copy_integer(number);
	ASN1_INTEGER_free(number);
}

static void add_crl_akid(Cygnet__CrlInfo *info, X509_CRL *crl)
{
	AUTHORITY_KEYID *akid = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier,
						     NULL, NULL);

	if (akid)
		info->authkey_id = copy_asn1(akid->keyid);
	AUTHORITY_KEYID_free(akid);
}

Cygnet__CrlInfo *crlinfo_new(X509_CRL *crl, const char *uri)
{
	Cygnet__CrlInfo *info = malloc(sizeof(*info));
	STACK_OF(X509_REVOKED) *revoked = X509_CRL_get_REVOKED(crl);
	int count = revoked ? sk_X509_REVOKED_num(revoked) : 0;
	size_t n = count > 0 ? (size_t)count : 0;
	char issuer[DN_MAX];

	if (!info)
		return NULL;
	cygnet__crl_info__init(info);
	dn_format(X509_CRL_get_issuer(crl), issuer, sizeof(issuer));
	info->issuer = strdup(issuer);
	info->this_update = asn1_time_to_unix(X509_CRL_get0_lastUpdate(crl));
	info->next_update = asn1_time_to_unix(X509_CRL_get0_nextUpdate(crl));
	add_crl_number(info, crl);
	add_crl_akid(info, crl);
	info->uri = strdup(uri ? uri : "");
	info->revoked = calloc(n ? n : 1, sizeof(*info->revoked));
	for (size_t i = 0; info->revoked && i < n; i++) {
		Cygnet__RevokedCert *rev = revoked_new(sk_X509_REVOKED_value(revoked, (int)i));
		if (rev)
			info->revoked[info->n_revoked++] = rev;
	}
	return info;
}

void crlinfo_free(Cygnet__CrlInfo *info)
{
	if (info)
		protobuf_c_message_free_unpacked(&info->base, NULL);
}
