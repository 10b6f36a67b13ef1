/* The filesystem side of ipc:// endpoints: the directory that holds the
 * sockets is created 0750 (group access for the cygnet group, nothing
 * for others) and the socket files are removed when their owner stops. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "rpc_endpoint.h"

#define IPC_SCHEME "ipc://"
#define IPC_DIR_MODE 0750
#define UNIX_FLAG_ACCEPTCON 0x10000	/* /proc/net/unix: listening */

const char *ipc_path(const char *url)
{
	if (strncmp(url, IPC_SCHEME, strlen(IPC_SCHEME)) != 0)
		return NULL;
	return url + strlen(IPC_SCHEME);
}

int ipc_prepare_dir(const char *path, char *err, size_t errlen)
{
	char dir[SETTINGS_URL_MAX];
	const char *slash = strrchr(path, '/');

	if (slash == NULL || slash == path)
		return 0;	/* relative name in the cwd, or directly in / */
	if ((size_t)(slash - path) >= sizeof(dir)) {
		snprintf(err, errlen, "ipc path too long: %s", path);
		return -1;
	}
	memcpy(dir, path, slash - path);
	dir[slash - path] = '\0';

	if (mkdir(dir, IPC_DIR_MODE) == 0) {
		/* mkdir honours the umask; the mode is part of the contract */
		if (chmod(dir, IPC_DIR_MODE) != 0) {
			snprintf(err, errlen, "chmod %s: %s", dir,
				 strerror(errno));
			return -1;
		}
		DBG2(LOG_LIB, "created ipc directory %s", dir);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	snprintf(err, errlen, "creating %s: %s", dir, strerror(errno));
	return -1;
}

/* Whether a process listens on path, from /proc/net/unix rather than by
 * connecting: nng's own stale-socket probe connects and leaves, and
 * libnng 1.5.2 can wedge a client that connects at the same moment. */
bool ipc_listening(const char *path)
{
	size_t path_len = strlen(path);
	bool found = false;
	char line[512];
	struct stat st;
	FILE *f;

	/* a closed listener can linger in the table after its file is gone */
	if (stat(path, &st) != 0 || !S_ISSOCK(st.st_mode))
		return false;
	f = fopen("/proc/net/unix", "re");
	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		unsigned long flags;
		size_t len = strcspn(line, "\n");

		line[len] = '\0';
		if (len <= path_len || line[len - path_len - 1] != ' ' ||
		    strcmp(line + len - path_len, path) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %lx", &flags) == 1 &&
		    (flags & UNIX_FLAG_ACCEPTCON))
			found = true;
	}
	fclose(f);
	return found;
}

void endpoint_remove(const char *url)
{
	const char *path = ipc_path(url);

	if (path == NULL)
		return;
	if (unlink(path) != 0 && errno != ENOENT)
		DBG1(LOG_LIB, "removing %s failed: %s", path, strerror(errno));
}
