/* Signals arrive on a signalfd read by the main loop, so no work is done
 * in a signal handler and nng's threads never see them. */
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "daemon_internal.h"

int daemon_signals_open(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	/* An ignored signal is discarded before it can reach the signalfd,
	 * and a shell starts background commands with SIGINT ignored. */
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int daemon_signals_read(int fd)
{
	struct signalfd_siginfo info;

	if (read(fd, &info, sizeof(info)) != (ssize_t)sizeof(info))
		return 0;
	return (int)info.ssi_signo;
}
