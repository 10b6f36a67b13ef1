/* libFuzzer target for the swanctl.conf parser: any input must either
 * load or fail with a message, without crashing or leaking.  The name
 * puts relative includes into a directory that does not exist, and
 * inputs that could include an absolute path are skipped, so the fuzzer
 * explores the parser rather than this machine's file system. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz_input.h"
#include "log.h"
#include "settings.h"

static void walk(const struct conf_section *sec)
{
	const char *value;
	char *items[4];
	size_t n;
	long l;
	bool b;

	for (size_t i = 0; i < conf_key_count(sec); i++) {
		const char *key = conf_key_at(sec, i, &value, NULL);

		conf_get_int(sec, key, 0, &l);
		conf_get_bool(sec, key, false, &b);
		conf_get_seconds(sec, key, 0, &l);
		n = conf_get_list(sec, key, items, 4);
		conf_list_free(items, n);
	}
	for (size_t i = 0; i < conf_section_count(sec); i++)
		walk(conf_section_at(sec, i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const services[] = { "ike", "authority", "pool",
						"kernel" };
	struct service_settings settings;
	struct conf_error err;
	struct conf *conf;
	char *text, msg[256];

	fuzz_log_quiet();
	log_set_all_levels(LOG_LEVEL_MAX);
	text = fuzz_text(data, size);
	if (!text)
		return 0;
	if (strstr(text, "include") && strchr(text, '/')) {
		free(text);
		return 0;
	}
	conf = conf_load_string(text, "/nonexistent-fuzz/cygnet.conf", &err);
	free(text);
	if (!conf)
		return 0;
	walk(conf_root(conf));
	conf_warn_unknown(conf_section_find(conf_root(conf), "connections"),
			  conf_schema_connections, "connections");
	conf_warn_unknown(conf_section_find(conf_root(conf), "secrets"),
			  conf_schema_secrets, "secrets");
	for (size_t i = 0; i < 4; i++) {
		settings_load(conf, services[i], &settings, msg, sizeof(msg));
		settings_warn_unknown(conf, services[i], NULL);
	}
	settings_apply_log_levels(conf, "ike");
	conf_free(conf);
	return 0;
}
