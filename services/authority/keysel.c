#include "authority/keysel.h"

#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "authority/x509name.h"

/* RFC 7296 3.5 ID types. */
enum {
	ID_IPV4_ADDR = 1,
	ID_FQDN = 2,
	ID_RFC822_ADDR = 3,
	ID_IPV6_ADDR = 5,
	ID_DER_ASN1_DN = 9,
};

static bool dn_matches(X509 *x509, const Cygnet__Identity *id)
{
	const unsigned char *p = id->data.data;
	X509_NAME *name;
	bool match;
	char subject[DN_MAX];

	if (id->data.len == 0) {
		dn_format(X509_get_subject_name(x509), subject, sizeof(subject));
		return id->text && strcmp(subject, id->text) == 0;
	}
	name = d2i_X509_NAME(NULL, &p, (long)id->data.len);
	if (!name)
		return false;
	match = X509_NAME_cmp(name, X509_get_subject_name(x509)) == 0;
	X509_NAME_free(name);
	return match;
}

static bool san_matches(const GENERAL_NAME *gen, const Cygnet__Identity *id)
{
	const ASN1_STRING *str;
	size_t len = id->data.len;

	switch (id->type) {
	case ID_FQDN:
		if (gen->type != GEN_DNS)
			return false;
		str = gen->d.dNSName;
		break;
	case ID_RFC822_ADDR:
		if (gen->type != GEN_EMAIL)
			return false;
		str = gen->d.rfc822Name;
		break;
	case ID_IPV4_ADDR:
	case ID_IPV6_ADDR:
		if (gen->type != GEN_IPADD)
			return false;
		str = gen->d.iPAddress;
		return (size_t)ASN1_STRING_length(str) == len &&
		       memcmp(ASN1_STRING_get0_data(str), id->data.data, len) == 0;
	default:
		return false;
	}
	return (size_t)ASN1_STRING_length(str) == len && len > 0 &&
	       strncasecmp((const char *)ASN1_STRING_get0_data(str),
			   (const char *)id->data.data, len) == 0;
}

bool identity_matches(X509 *x509, const Cygnet__Identity *id)
{
	GENERAL_NAMES *names;
	bool match = false;

	if (!id)
		return false;
	if (id->type == ID_DER_ASN1_DN)
		return dn_matches(x509, id);
	names = X509_get_ext_d2i(x509, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; names && !match && i < sk_GENERAL_NAME_num(names); i++)
		match = san_matches(sk_GENERAL_NAME_value(names, i), id);
	GENERAL_NAMES_free(names);
	return match;
}

const struct cred_cert *keysel_find(const struct cred_store *store,
				    const Cygnet__KeySelector *sel,
				    char *why, size_t len)
{
	const struct cred_cert *cert;

	if (!sel || ((!sel->cert || !sel->cert[0]) && !sel->identity)) {
		snprintf(why, len, "no certificate or identity given to select a key");
		return NULL;
	}
	if (sel->cert && sel->cert[0]) {
		cert = store_find_cert_by_name(store, sel->cert);
		if (!cert) {
			snprintf(why, len, "no certificate '%s' loaded", sel->cert);
			return NULL;
		}
		if (!cert->key) {
			snprintf(why, len, "no private key found for '%s'", cert->subject);
			return NULL;
		}
		return cert;
	}
	for (size_t i = 0; i < store->n_certs; i++) {
		cert = &store->certs[i];
		if (cert->key && identity_matches(cert->x509, sel->identity))
			return cert;
	}
	snprintf(why, len, "no private key found for '%s'",
		 sel->identity->text ? sel->identity->text : "");
	return NULL;
}

const char *keysel_key_type(const EVP_PKEY *key, char *buf, size_t len)
{
	if (!key) {
		snprintf(buf, len, "none");
		return buf;
	}
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519)
		snprintf(buf, len, "ED25519");
	else
		snprintf(buf, len, "%s-%d", pkey_type_name(key), EVP_PKEY_get_bits(key));
	return buf;
}
