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

void endpoint_remove(const char *url)
{
	const char *path = ipc_path(url);

	if (path == NULL)
		return;
	if (unlink(path) != 0 && errno != ENOENT)
		DBG1(LOG_LIB, "removing %s failed: %s", path, strerror(errno));
}
