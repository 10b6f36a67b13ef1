/* cygnetctl: global options, the command table, config loading. */
#include <errno.h>
#include <nng/nng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "daemon.h"

#define CTL_DEFAULT_TIMEOUT_MS 2000

static const struct ctl_command commands[] = {
	{ "--status", 'S', "show state, uptime and key metrics of every service",
	  ctl_cmd_status },
	{ "--reload", 'r', "reload the configuration of every service",
	  ctl_cmd_reload },
	{ "--list-certs", 'x', "list certificates and CRLs of the authority",
	  ctl_cmd_list_certs },
	{ "--list-pools", 'A', "list pools and leases (--leases, --name NAME)",
	  ctl_cmd_list_pools },
	{ "--list-conns", 'L', "list loaded connections", ctl_cmd_list_conns },
	{ "--list-sas", 'l', "list currently active IKE_SAs", ctl_cmd_list_sas },
	{ "--initiate", 'i', "initiate a connection (--child NAME [--ike NAME])",
	  ctl_cmd_initiate },
	{ "--terminate", 't', "terminate a connection (--ike NAME | --ike-id N "
	  "[--child NAME | --child-id N])", ctl_cmd_terminate },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "cygnetctl %s - control the Cygnet services\n"
		"usage: cygnetctl [global options] COMMAND [command options]\n"
		"commands:\n", CYGNET_VERSION);
	for (i = 0; i < N_COMMANDS; i++) {
		char shortopt[8] = "  ";

		if (commands[i].short_option)
			snprintf(shortopt, sizeof(shortopt), "-%c",
				 commands[i].short_option);
		fprintf(out, "  %s, %-18s %s\n", shortopt, commands[i].option,
			commands[i].help);
	}
	fprintf(out, "global options:\n"
		"  -c, --config FILE    configuration file (default %s)\n"
		"  -T, --timeout MS     RPC timeout (default %d)\n"
		"  -h, --help           show this help\n"
		"  -v, --version        show the version\n",
		CYGNET_DEFAULT_CONFIG, CTL_DEFAULT_TIMEOUT_MS);
}

static const struct ctl_command *find_command(const char *arg)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++) {
		if (strcmp(arg, commands[i].option) == 0)
			return &commands[i];
		if (commands[i].short_option && arg[0] == '-' &&
		    arg[1] == commands[i].short_option && arg[2] == '\0')
			return &commands[i];
	}
	return NULL;
}

static bool is_option(const char *arg, const char *shortopt,
		      const char *longopt)
{
	return strcmp(arg, shortopt) == 0 || strcmp(arg, longopt) == 0;
}

static int parse_timeout(const char *text, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || end == text || v <= 0 || v > 3600000)
		return -1;
	*out = (int)v;
	return 0;
}

enum parse_outcome { PARSE_RUN, PARSE_EXIT_OK, PARSE_EXIT_FAIL };

/* Global options may come before or after the command; everything else
 * after the command is the command's (ctl->argv). */
static enum parse_outcome parse_args(int argc, char **argv, struct ctl *ctl,
				     const struct ctl_command **cmd)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (is_option(arg, "-h", "--help")) {
			usage(stdout);
			return PARSE_EXIT_OK;
		} else if (is_option(arg, "-v", "--version")) {
			printf("cygnetctl %s\n", CYGNET_VERSION);
			return PARSE_EXIT_OK;
		} else if ((is_option(arg, "-c", "--config") ||
			    is_option(arg, "-T", "--timeout")) && i + 1 == argc) {
			fprintf(stderr, "cygnetctl: %s needs a value\n", arg);
			return PARSE_EXIT_FAIL;
		} else if (is_option(arg, "-c", "--config")) {
			ctl->config_path = argv[++i];
		} else if (is_option(arg, "-T", "--timeout")) {
			if (parse_timeout(argv[++i], &ctl->timeout_ms) != 0) {
				fprintf(stderr, "cygnetctl: invalid timeout "
					"'%s'\n", argv[i]);
				return PARSE_EXIT_FAIL;
			}
		} else if (!*cmd && (*cmd = find_command(arg))) {
			continue;
		} else if (*cmd) {
			ctl->argv[ctl->argc++] = argv[i];
		} else {
			fprintf(stderr, "cygnetctl: unknown option '%s'\n",
				arg);
			usage(stderr);
			return PARSE_EXIT_FAIL;
		}
	}
	if (!*cmd) {
		usage(stderr);
		return PARSE_EXIT_FAIL;
	}
	return PARSE_RUN;
}

/* A missing file means "all defaults"; a broken one is an error. */
static int load_config(struct ctl *ctl, struct conf **conf)
{
	struct conf_error err;

	*conf = NULL;
	if (access(ctl->config_path, F_OK) != 0 && errno == ENOENT)
		return 0;
	*conf = conf_load_file(ctl->config_path, &err);
	if (!*conf) {
		fprintf(stderr, "cygnetctl: %s\n", err.text);
		return -1;
	}
	return 0;
}

int ctl_no_args(struct ctl *ctl)
{
	if (ctl->argc == 0)
		return 0;
	fprintf(stderr, "cygnetctl: unexpected argument '%s'\n", ctl->argv[0]);
	return 1;
}

int main(int argc, char **argv)
{
	const struct ctl_command *cmd = NULL;
	struct ctl ctl = {
		.config_path = CYGNET_DEFAULT_CONFIG,
		.timeout_ms = CTL_DEFAULT_TIMEOUT_MS,
		.out = stdout,
	};
	struct conf *conf;
	enum parse_outcome outcome;
	int rc;

	ctl.argv = calloc((size_t)argc, sizeof(*ctl.argv));
	if (!ctl.argv)
		return 1;
	outcome = parse_args(argc, argv, &ctl, &cmd);
	if (outcome != PARSE_RUN) {
		free(ctl.argv);
		return outcome == PARSE_EXIT_OK ? 0 : 1;
	}
	if (load_config(&ctl, &conf) != 0) {
		free(ctl.argv);
		return 1;
	}
	ctl.conf = conf;
	rc = cmd->run(&ctl);
	fflush(ctl.out);
	if (conf)
		conf_free(conf);
	free(ctl.argv);
	/* Joins nng's threads, so leak checkers see a clean exit. */
	nng_fini();
	return rc;
}
