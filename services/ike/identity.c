#include "ike/identity.h"

#include <arpa/inet.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/payload.h"

void identity_from_payload(uint8_t type, const uint8_t *data, size_t len,
			   struct identity *out)
{
	struct id_payload id = { .type = type, .data = data, .len = len };

	out->type = type;
	out->len = len < IDENTITY_MAX ? len : IDENTITY_MAX;
	memcpy(out->data, data, out->len);
	id.len = out->len;
	id_format(&id, out->text, sizeof(out->text));
}

static int subject_of(const uint8_t *cert, size_t cert_len,
		      struct identity *out)
{
	const uint8_t *p = cert;
	X509 *x = cert ? d2i_X509(NULL, &p, (long)cert_len) : NULL;
	uint8_t *der = NULL;
	int len;

	if (!x)
		return -1;
	len = i2d_X509_NAME(X509_get_subject_name(x), &der);
	X509_free(x);
	if (len <= 0 || (size_t)len > IDENTITY_MAX) {
		OPENSSL_free(der);
		return -1;
	}
	identity_from_payload(ID_DER_ASN1_DN, der, (size_t)len, out);
	OPENSSL_free(der);
	return 0;
}

int cert_subject(const uint8_t *cert, size_t len, char *buf, size_t buflen)
{
	struct identity *id = malloc(sizeof(*id));
	int rc = -1;

	if (id && subject_of(cert, len, id) == 0) {
		snprintf(buf, buflen, "%s", id->text);
		rc = 0;
	}
	free(id);
	return rc;
}

static void set_text_id(uint8_t type, const char *text, struct identity *out)
{
	identity_from_payload(type, (const uint8_t *)text, strlen(text), out);
}

int identity_from_config(const char *text, const uint8_t *cert,
			 size_t cert_len, struct identity *out)
{
	uint8_t addr[16];

	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return subject_of(cert, cert_len, out);
	if (inet_pton(AF_INET, text, addr) == 1) {
		identity_from_payload(ID_IPV4_ADDR, addr, 4, out);
		return 0;
	}
	if (inet_pton(AF_INET6, text, addr) == 1) {
		identity_from_payload(ID_IPV6_ADDR, addr, 16, out);
		return 0;
	}
	if (strchr(text, '=')) {
		if (subject_of(cert, cert_len, out) < 0 || strcmp(out->text, text) != 0)
			return -1;
		return 0;
	}
	if (text[0] == '@') {
		set_text_id(ID_FQDN, text + 1, out);
		return 0;
	}
	set_text_id(strchr(text, '@') ? ID_RFC822_ADDR : ID_FQDN, text, out);
	return 0;
}

void identity_to_proto(const struct identity *id, Cygnet__Identity *msg)
{
	cygnet__identity__init(msg);
	msg->type = id->type;
	msg->data.data = (uint8_t *)id->data;
	msg->data.len = id->len;
	msg->text = (char *)id->text;
}
