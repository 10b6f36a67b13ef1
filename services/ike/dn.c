#include "ike/dn.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

static int format_name(const X509_NAME *name, char *buf, size_t buflen)
{
	const unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
				    ASN1_STRFLGS_UTF8_CONVERT;
	BIO *mem = BIO_new(BIO_s_mem());
	char *text;
	long len;
	int rc = -1;

	if (!mem)
		return -1;
	if (X509_NAME_print_ex(mem, name, 0, flags) >= 0) {
		len = BIO_get_mem_data(mem, &text);
		snprintf(buf, buflen, "%.*s", (int)len, text);
		rc = 0;
	}
	BIO_free(mem);
	return rc;
}

int dn_format_der(const uint8_t *der, size_t len, char *buf, size_t buflen)
{
	const unsigned char *p = der;
	X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)len);
	int rc;

	if (!name)
		return -1;
	rc = p == der + len ? format_name(name, buf, buflen) : -1;
	X509_NAME_free(name);
	return rc;
}

static X509 *read_cert(const char *path)
{
	FILE *f = fopen(path, "rb");
	X509 *cert;

	if (!f)
		return NULL;
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	if (!cert) {
		rewind(f);
		cert = d2i_X509_fp(f, NULL);
	}
	fclose(f);
	return cert;
}

int dn_cert_file_subject(const char *path, char *buf, size_t buflen)
{
	X509 *cert = read_cert(path);
	int rc;

	if (!cert)
		return -1;
	rc = format_name(X509_get_subject_name(cert), buf, buflen);
	X509_free(cert);
	return rc;
}
