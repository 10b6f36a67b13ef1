/* Loading credentials from the swanctl directory layout and from the
 * authorities { } and secrets { } sections, in PEM or DER. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "authority/crl.h"
#include "authority/store.h"
#include "log.h"

#define CRED_FILE_MAX (1024 * 1024)
#define AUTH_URIS_MAX 16

struct file_buf {
	unsigned char *data;
	size_t len;
	bool secret;	/* zeroize on free */
};

static void file_buf_free(struct file_buf *buf)
{
	if (buf->data && buf->secret)
		OPENSSL_cleanse(buf->data, buf->len);
	free(buf->data);
	buf->data = NULL;
}

static int read_file(const char *path, bool secret, struct file_buf *buf)
{
	FILE *f = fopen(path, "rb");
	struct stat st;

	buf->data = NULL;
	buf->secret = secret;
	if (!f) {
		DBG1(LOG_CFG, "opening '%s' failed: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) < 0 || st.st_size <= 0 || st.st_size > CRED_FILE_MAX) {
		DBG1(LOG_CFG, "'%s' is empty or too large", path);
		fclose(f);
		return -1;
	}
	if (secret && (st.st_mode & (S_IRWXG | S_IRWXO)))
		DBG1(LOG_CFG, "private key file '%s' is accessible by group or "
		     "others (mode %03o)", path, (unsigned)(st.st_mode & 0777));
	buf->len = (size_t)st.st_size;
	buf->data = malloc(buf->len);
	if (!buf->data || fread(buf->data, 1, buf->len, f) != buf->len) {
		DBG1(LOG_CFG, "reading '%s' failed", path);
		file_buf_free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The certificates of a PEM bundle, or one DER certificate: the one
 * parser for certificate files.  NULL when out of memory. */
static STACK_OF(X509) *parse_certs(const struct file_buf *buf)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	BIO *bio = BIO_new_mem_buf(buf->data, (int)buf->len);
	X509 *x509;

	while (certs && bio && (x509 = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		if (!sk_X509_push(certs, x509))
			X509_free(x509);
	}
	BIO_free(bio);
	if (certs && sk_X509_num(certs) == 0) {
		const unsigned char *p = buf->data;
		x509 = d2i_X509(NULL, &p, (long)buf->len);
		if (x509 && !sk_X509_push(certs, x509))
			X509_free(x509);
	}
	ERR_clear_error();
	return certs;
}

static int load_certs(struct cred_store *store, const struct file_buf *buf,
		      const char *path)
{
	STACK_OF(X509) *certs = parse_certs(buf);
	int count = 0;
	X509 *x509;

	while (certs && (x509 = sk_X509_shift(certs))) {
		if (store_add_cert(store, x509, base_name(path)))
			count++;
	}
	sk_X509_free(certs);
	if (count == 0)
		DBG1(LOG_CFG, "parsing certificate from '%s' failed", path);
	return count ? 0 : -1;
}

static int load_crl(struct cred_store *store, const struct file_buf *buf,
		    const char *path)
{
	X509_CRL *crl = crl_parse(buf->data, buf->len);

	if (!crl) {
		DBG1(LOG_CFG, "parsing crl from '%s' failed", path);
		return -1;
	}
	return store_add_crl(store, crl);
}

/* Without a passphrase OpenSSL would prompt on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return -1;
}

static EVP_PKEY *decode_key(const struct file_buf *buf, const char *passphrase)
{
	EVP_PKEY *key = NULL;
	OSSL_DECODER_CTX *dctx;
	const unsigned char *data = buf->data;
	size_t len = buf->len;

	dctx = OSSL_DECODER_CTX_new_for_pkey(&key, NULL, NULL, NULL,
					     OSSL_KEYMGMT_SELECT_KEYPAIR, NULL, NULL);
	if (!dctx)
		return NULL;
	if (passphrase)
		OSSL_DECODER_CTX_set_passphrase(dctx, (const unsigned char *)passphrase,
						strlen(passphrase));
	else
		OSSL_DECODER_CTX_set_pem_password_cb(dctx, no_passphrase, NULL);
	if (!OSSL_DECODER_from_data(dctx, &data, &len)) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	ERR_clear_error();
	return key;
}

/* The secret naming this file first, then every other one, as swanctl
 * tries them for encrypted files. */
static const char *secret_candidate(const struct cred_store *store,
				    const char *path, size_t attempt)
{
	size_t matched = store->n_secrets;

	for (size_t i = 0; i < store->n_secrets; i++) {
		const char *file = store->secrets[i].file;
		if (file && (strcmp(file, path) == 0 ||
			     strcmp(file, base_name(path)) == 0)) {
			matched = i;
			break;
		}
	}
	if (matched < store->n_secrets) {
		if (attempt == 0)
			return store->secrets[matched].passphrase;
		attempt--;
		if (attempt >= matched)
			attempt++;
	}
	return attempt < store->n_secrets ? store->secrets[attempt].passphrase : NULL;
}

static int load_key(struct cred_store *store, const struct file_buf *buf,
		    const char *path)
{
	EVP_PKEY *key = decode_key(buf, NULL);

	for (size_t i = 0; !key && i < store->n_secrets; i++)
		key = decode_key(buf, secret_candidate(store, path, i));
	if (!key) {
		DBG1(LOG_CFG, "loading private key from '%s' failed", path);
		return -1;
	}
	return store_add_key(store, key);
}

static int add_pkcs12_parts(struct cred_store *store, EVP_PKEY *key, X509 *cert,
			    STACK_OF(X509) *cas, const char *path)
{
	int rc = 0;

	if (cert && !store_add_cert(store, cert, base_name(path)))
		rc = -1;
	while (cas && sk_X509_num(cas) > 0) {
		if (!store_add_cert(store, sk_X509_shift(cas), base_name(path)))
			rc = -1;
	}
	sk_X509_free(cas);
	if (key && store_add_key(store, key) < 0)
		rc = -1;
	return rc;
}

static int load_pkcs12(struct cred_store *store, const struct file_buf *buf,
		       const char *path)
{
	const unsigned char *p = buf->data;
	PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)buf->len);
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *cas = NULL;
	bool parsed = false;

	if (p12) {
		parsed = PKCS12_parse(p12, "", &key, &cert, &cas);
		for (size_t i = 0; !parsed && i < store->n_secrets; i++)
			parsed = PKCS12_parse(p12, secret_candidate(store, path, i),
					      &key, &cert, &cas);
	}
	PKCS12_free(p12);
	ERR_clear_error();
	if (!parsed) {
		DBG1(LOG_CFG, "loading PKCS#12 container '%s' failed", path);
		return -1;
	}
	return add_pkcs12_parts(store, key, cert, cas, path);
}

enum cred_kind { CRED_CERT, CRED_CRL, CRED_KEY, CRED_PKCS12 };

static int load_file(struct cred_store *store, const char *path,
		     enum cred_kind kind)
{
	bool secret = kind == CRED_KEY || kind == CRED_PKCS12;
	struct file_buf buf;
	int rc;

	if (read_file(path, secret, &buf) < 0)
		return -1;
	switch (kind) {
	case CRED_CERT:
		rc = load_certs(store, &buf, path);
		break;
	case CRED_CRL:
		rc = load_crl(store, &buf, path);
		break;
	case CRED_KEY:
		rc = load_key(store, &buf, path);
		break;
	default:
		rc = load_pkcs12(store, &buf, path);
		break;
	}
	file_buf_free(&buf);
	return rc;
}

static int skip_hidden(const struct dirent *entry)
{
	return entry->d_name[0] != '.';
}

static void load_dir(struct cred_store *store, const char *root,
		     const char *sub, enum cred_kind kind)
{
	char dir[PATH_MAX];
	struct dirent **entries;
	int n;

	if (snprintf(dir, sizeof(dir), "%s/%s", root, sub) >= (int)sizeof(dir))
		return;
	n = scandir(dir, &entries, skip_hidden, alphasort);
	if (n < 0) {
		if (errno != ENOENT)
			DBG1(LOG_CFG, "opening directory '%s' failed: %s", dir,
			     strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		bool fits = snprintf(path, sizeof(path), "%s/%s", dir,
				     entries[i]->d_name) < (int)sizeof(path);
		if (fits && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			load_file(store, path, kind);
		free(entries[i]);
	}
	free(entries);
}

static int add_secret(struct cred_store *store, const char *file,
		      const char *passphrase)
{
	struct cred_secret *secrets = realloc(store->secrets,
					      (store->n_secrets + 1) * sizeof(*secrets));

	if (!secrets)
		return -1;
	store->secrets = secrets;
	secrets[store->n_secrets].file = file ? strdup(file) : NULL;
	secrets[store->n_secrets].passphrase = strdup(passphrase);
	store->n_secrets++;
	return 0;
}

static bool is_key_secret(const char *name)
{
	static const char *const prefixes[] = {
		"private", "rsa", "ecdsa", "pkcs8", "pkcs12",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	}
	return false;
}

/* Only the passphrases of key files matter here; EAP and IKE secrets
 * belong to the IKE service. */
static void load_secrets(struct cred_store *store, const struct conf_section *root)
{
	const struct conf_section *secrets = conf_section_find(root, "secrets");

	for (size_t i = 0; secrets && i < conf_section_count(secrets); i++) {
		const struct conf_section *sec = conf_section_at(secrets, i);
		const char *secret = conf_get(sec, "secret", NULL);
		if (is_key_secret(conf_section_name(sec)) && secret)
			add_secret(store, conf_get(sec, "file", NULL), secret);
	}
}

static void resolve_path(const char *root, const char *sub, const char *file,
			 char *out, size_t len)
{
	int n = file[0] == '/' ? snprintf(out, len, "%s", file) :
		snprintf(out, len, "%s/%s/%s", root, sub, file);

	if (n < 0 || (size_t)n >= len)
		out[0] = '\0';
}

/* The first certificate of the file: an authority has one. */
static X509 *load_authority_cert(struct cred_store *store, const char *path)
{
	STACK_OF(X509) *certs;
	struct file_buf buf;
	X509 *x509;

	if (read_file(path, false, &buf) < 0)
		return NULL;
	certs = parse_certs(&buf);
	file_buf_free(&buf);
	x509 = certs ? sk_X509_shift(certs) : NULL;
	sk_X509_pop_free(certs, X509_free);
	return x509 ? store_add_cert(store, x509, base_name(path)) : NULL;
}

static char **copy_list(const struct conf_section *sec, const char *key,
			size_t *count)
{
	char *items[AUTH_URIS_MAX];
	char **out;

	*count = conf_get_list(sec, key, items, AUTH_URIS_MAX);
	out = calloc(*count ? *count : 1, sizeof(*out));
	if (!out) {
		conf_list_free(items, *count);
		*count = 0;
		return NULL;
	}
	memcpy(out, items, *count * sizeof(*out));
	return out;
}

static void load_authorities(struct cred_store *store, const char *root_dir,
			     const struct conf_section *root)
{
	const struct conf_section *auths = conf_section_find(root, "authorities");
	size_t n = auths ? conf_section_count(auths) : 0;

	store->auths = calloc(n ? n : 1, sizeof(*store->auths));
	for (size_t i = 0; store->auths && i < n; i++) {
		const struct conf_section *sec = conf_section_at(auths, i);
		struct cred_authority *auth = &store->auths[store->n_auths];
		const char *file = conf_get(sec, "cacert", NULL);
		char path[PATH_MAX];

		if (!file) {
			DBG1(LOG_CFG, "authority '%s' has no cacert, skipped",
			     conf_section_name(sec));
			continue;
		}
		resolve_path(root_dir, "x509ca", file, path, sizeof(path));
		auth->cacert = load_authority_cert(store, path);
		if (!auth->cacert) {
			DBG1(LOG_CFG, "loading cacert of authority '%s' failed",
			     conf_section_name(sec));
			continue;
		}
		auth->name = strdup(conf_section_name(sec));
		auth->crl_uris = copy_list(sec, "crl_uris", &auth->n_crl_uris);
		auth->ocsp_uris = copy_list(sec, "ocsp_uris", &auth->n_ocsp_uris);
		store->n_auths++;
		DBG1(LOG_CFG, "added authority '%s'", auth->name);
	}
}

struct cred_store *store_load(const char *dir, const struct conf *conf,
			      char *err, size_t errlen)
{
	const struct conf_section *root = conf ? conf_root(conf) : NULL;
	struct cred_store *store = store_new();

	if (!store) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (root)
		load_secrets(store, root);
	load_dir(store, dir, "x509ca", CRED_CERT);
	load_dir(store, dir, "x509", CRED_CERT);
	load_dir(store, dir, "x509crl", CRED_CRL);
	load_dir(store, dir, "private", CRED_KEY);
	load_dir(store, dir, "rsa", CRED_KEY);
	load_dir(store, dir, "ecdsa", CRED_KEY);
	load_dir(store, dir, "pkcs8", CRED_KEY);
	load_dir(store, dir, "pkcs12", CRED_PKCS12);
	if (root)
		load_authorities(store, dir, root);
	if (store_finish(store, err, errlen) < 0) {
		store_unref(store);
		return NULL;
	}
	return store;
}
