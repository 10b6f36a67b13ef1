/* Command line of a service daemon: --config FILE, --help, --version. */
#include <getopt.h>
#include <stdio.h>

#include "daemon_internal.h"

static void usage(FILE *out, const struct service_def *def)
{
	fprintf(out,
		"%s - %s\n"
		"usage: %s [--config FILE]\n"
		"  -c, --config FILE  configuration file (default %s)\n"
		"  -h, --help         show this help\n"
		"  -v, --version      show the version\n",
		def->binary, def->summary, def->binary, CYGNET_DEFAULT_CONFIG);
}

int daemon_parse_args(int argc, char **argv, const struct service_def *def,
		      const char **config_path)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*config_path = CYGNET_DEFAULT_CONFIG;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:hv", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			*config_path = optarg;
			break;
		case 'h':
			usage(stdout, def);
			return 1;
		case 'v':
			printf("%s %s\n", def->binary, CYGNET_VERSION);
			return 1;
		default:
			usage(stderr, def);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", def->binary,
			argv[optind]);
		usage(stderr, def);
		return -1;
	}
	return 0;
}
