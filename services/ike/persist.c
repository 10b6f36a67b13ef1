#include "ike/persist.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ike/ike_state.h"
#include "ike/resync.h"
#include "ike/service.h"
#include "log.h"

/* A record is a few hundred octets plus the cached response. */
#define RECORD_MAX (2 * 1024 * 1024)
#define SUFFIX ".sa"
#define TMP_SUFFIX ".tmp"
/* The directory and a file name of readdir. */
#define PATH_LEN (SETTINGS_URL_MAX + 260)

struct persist {
	char dir[SETTINGS_URL_MAX];
};

/* "<dir>/<SPIi>_<SPIr>.sa": the SPIs stay across restarts, unique ids
 * do not. */
static void record_path(const struct persist *p, const struct ike_sa *sa,
			const char *suffix, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%016llx_%016llx%s", p->dir,
		 (unsigned long long)be64toh(sa->spi_i),
		 (unsigned long long)be64toh(sa->spi_r), suffix);
}

static int write_all(int fd, const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_record(const char *tmp, const char *path,
			const uint8_t *data, size_t len)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc;

	if (fd < 0)
		return -1;
	rc = write_all(fd, data, len);
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0)
		rc = rename(tmp, path);
	if (rc < 0) {
		int why = errno;

		unlink(tmp);
		errno = why;
	}
	return rc;
}

void persist_sa_save(struct ike_service *svc, const struct ike_sa *sa)
{
	char path[PATH_LEN], tmp[PATH_LEN];
	uint8_t *record;
	size_t len;

	if (!svc->persist || sa->state != IKE_SA_ESTABLISHED)
		return;
	record = ike_state_pack(sa, &len);
	if (!record) {
		DBG1(LOG_IKE, "storing IKE_SA %s[%llu] failed: out of memory",
		     sa->conn, (unsigned long long)sa->unique_id);
		return;
	}
	record_path(svc->persist, sa, SUFFIX, path, sizeof(path));
	record_path(svc->persist, sa, TMP_SUFFIX, tmp, sizeof(tmp));
	if (write_record(tmp, path, record, len) < 0)
		DBG1(LOG_IKE, "storing IKE_SA %s[%llu] in %s failed: %s",
		     sa->conn, (unsigned long long)sa->unique_id, path,
		     strerror(errno));
	OPENSSL_cleanse(record, len);
	free(record);
}

void persist_sa_remove(struct ike_service *svc, const struct ike_sa *sa)
{
	char path[PATH_LEN];

	if (!svc->persist)
		return;
	record_path(svc->persist, sa, SUFFIX, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		DBG1(LOG_IKE, "removing %s failed: %s", path, strerror(errno));
}

void persist_sa_replaced(struct ike_service *svc, const struct ike_sa *new_sa,
			 const struct ike_sa *old_sa)
{
	persist_sa_save(svc, new_sa);
	persist_sa_remove(svc, old_sa);
}

/* ---- restore at start ---- */

static uint8_t *read_record(const char *path, size_t *len, char *why,
			    size_t whylen)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *buf;
	size_t n;
	bool bad;

	if (!f) {
		snprintf(why, whylen, "%s", strerror(errno));
		return NULL;
	}
	buf = malloc(RECORD_MAX);
	n = buf ? fread(buf, 1, RECORD_MAX, f) : 0;
	bad = !buf || ferror(f) || n == RECORD_MAX;
	fclose(f);
	if (!bad) {
		*len = n;
		return buf;
	}
	snprintf(why, whylen, "%s", !buf ? "out of memory" :
		 n == RECORD_MAX ? "larger than a record can be" : "read error");
	free(buf);
	return NULL;
}

static void bump(atomic_uint *counter, uint32_t used)
{
	unsigned cur = atomic_load(counter);

	while (cur < used && !atomic_compare_exchange_weak(counter, &cur, used))
		;
}

static void log_restored(const struct ike_sa *sa)
{
	char ends[1200];

	ike_sa_endpoints(sa, ends, sizeof(ends));
	DBG1(LOG_IKE, "restored IKE_SA %s[%llu] established between %s with "
	     "%zu CHILD_SA%s", sa->conn, (unsigned long long)sa->unique_id,
	     ends, sa->n_children, sa->n_children == 1 ? "" : "s");
}

/* Moves the unpacked SA into the table (which gives it a new unique
 * id); the table's SA takes over the cached response. */
static int insert(struct ike_service *svc, struct ike_sa *restored)
{
	uint64_t id = sa_table_add(svc->sas, restored->spi_i, restored->spi_r);
	struct ike_sa *sa, *next;

	sa = id ? sa_table_find_spis(svc->sas, restored->spi_i, restored->spi_r)
		: NULL;
	if (!sa)
		return -1;
	next = sa->next;
	*sa = *restored;
	sa->unique_id = id;
	sa->next = next;
	sa->state = IKE_SA_CREATED;
	sa->busy = false;
	sa->last_received = sa_table_now();
	reassembly_init(&sa->reassembly, &svc->frag_budget,
			FRAGMENTS_MAX_DEFAULT, REASSEMBLY_SA_MAX_DEFAULT);
	for (size_t i = 0; i < sa->n_children; i++) {
		bump(&svc->next_reqid, sa->children[i].reqid);
		bump(&svc->next_child_id, sa->children[i].unique_id);
	}
	sa_table_set_state(svc->sas, id, IKE_SA_ESTABLISHED, NULL);
	log_restored(sa);
	lifetime_resume(svc, sa);
	return 0;
}

static void set_aside(const char *path, const char *why)
{
	char bad[PATH_LEN + 8];

	DBG1(LOG_IKE, "ignoring IKE_SA state %s: %s", path, why);
	snprintf(bad, sizeof(bad), "%s.bad", path);
	if (rename(path, bad) < 0)
		unlink(path);
}

static void restore_one(struct ike_service *svc, const char *path)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	char why[256] = "";
	uint8_t *record;
	size_t len = 0;

	if (!sa)
		return;
	record = read_record(path, &len, why, sizeof(why));
	if (!record || ike_state_unpack(record, len, sa, why, sizeof(why)) < 0) {
		set_aside(path, why);
	} else if (insert(svc, sa) < 0) {
		DBG1(LOG_IKE, "restoring IKE_SA from %s failed: out of memory",
		     path);
		ike_state_clear(sa);
	}
	if (record) {
		OPENSSL_cleanse(record, len);
		free(record);
	}
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

size_t persist_restore(struct ike_service *svc)
{
	const char *dir = svc->persist->dir;
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t before = sa_table_count(svc->sas);

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[PATH_LEN];

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (has_suffix(e->d_name, TMP_SUFFIX))
			unlink(path);	/* a write the previous run did not finish */
		else if (has_suffix(e->d_name, SUFFIX))
			restore_one(svc, path);
	}
	closedir(d);
	return sa_table_count(svc->sas) - before;
}

/* mkdir -p, the last part 0700: the records hold keys. */
static int make_dir(const char *path)
{
	char buf[SETTINGS_URL_MAX];
	struct stat st;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *slash = strchr(buf + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*slash = '/';
	}
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -1;
	if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode) || access(buf, W_OK) < 0)
		return -1;
	return 0;
}

int persist_open(struct ike_service *svc, const struct conf *conf)
{
	const char *dir = conf_get(conf_root(conf), "cygnet.ike.state_dir",
				   PERSIST_DEFAULT_DIR);
	bool too_long = strlen(dir) >= SETTINGS_URL_MAX - 1;

	if (too_long || make_dir(dir) < 0) {
		DBG1(LOG_CFG, "IKE_SAs are not kept across restarts: state_dir "
		     "%s unusable: %s", dir,
		     too_long ? "path too long" : strerror(errno));
		return -1;
	}
	svc->persist = calloc(1, sizeof(*svc->persist));
	if (!svc->persist)
		return -1;
	snprintf(svc->persist->dir, sizeof(svc->persist->dir), "%s", dir);
	return 0;
}

void persist_start(struct ike_service *svc, const struct conf *conf)
{
	if (persist_open(svc, conf) == 0) {
		size_t n = persist_restore(svc);

		DBG1(LOG_CFG, "restored %zu IKE_SA%s from %s", n, n == 1 ? "" : "s",
		     svc->persist->dir);
	}
	resync_start(svc);
}

void persist_stop(struct ike_service *svc)
{
	resync_stop(svc);
	persist_close(svc);
}

void persist_close(struct ike_service *svc)
{
	free(svc->persist);
	svc->persist = NULL;
}
