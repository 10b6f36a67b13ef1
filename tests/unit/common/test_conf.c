/* The swanctl.conf parser: every construct, every error message with its
 * position, includes, merging, references, getters and schemas. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "conf_test_util.h"
#include "testmain.h"

static struct conf_error err;

static struct conf *load(const char *text)
{
	struct conf *conf = conf_load_string(text, "test.conf", &err);

	ck_assert_msg(conf != NULL, "unexpected error: %s", err.text);
	return conf;
}

/* Asserts that text fails with exactly this message. */
static void load_fails(const char *text, const char *expected)
{
	struct conf *conf = conf_load_string(text, "test.conf", &err);

	ck_assert_msg(conf == NULL, "'%s' loaded but should fail", text);
	ck_assert_str_eq(err.text, expected);
}

static const char *get(const struct conf *conf, const char *path)
{
	return conf_get(conf_root(conf), path, NULL);
}

/* ---- syntax ------------------------------------------------------------ */

START_TEST(keys_and_sections)
{
	struct conf *conf = load("a = b\n"
				 "section-one {\n"
				 "\tsomevalue =   asdf qwer  \n"
				 "\tsubsection {\n"
				 "\t\tothervalue = xxx\n"
				 "\t}\n"
				 "}\n");
	const struct conf_section *one;

	ck_assert_str_eq(get(conf, "a"), "b");
	ck_assert_str_eq(get(conf, "section-one.somevalue"), "asdf qwer");
	ck_assert_str_eq(get(conf, "section-one.subsection.othervalue"), "xxx");
	one = conf_section_find(conf_root(conf), "section-one");
	ck_assert_str_eq(conf_section_name(one), "section-one");
	ck_assert_int_eq(conf_section_pos(one).line, 2);
	ck_assert_int_eq(conf_section_pos(one).column, 1);
	ck_assert_uint_eq(conf_section_count(one), 1);
	ck_assert_uint_eq(conf_key_count(one), 1);
	ck_assert_ptr_null(get(conf, "section-one.missing"));
	ck_assert_ptr_null(get(conf, "nope.x"));
	conf_free(conf);
}
END_TEST

START_TEST(comments_and_blank_lines)
{
	struct conf *conf = load("# leading comment\n\n"
				 "a = b # trailing\n"
				 "c { # after brace\n"
				 "  d = \"with # hash\" # comment\n"
				 "}\n# last");

	ck_assert_str_eq(get(conf, "a"), "b");
	ck_assert_str_eq(get(conf, "c.d"), "with # hash");
	conf_free(conf);
}
END_TEST

START_TEST(quoted_values)
{
	struct conf *conf = load("a = \"tab\\there \\\"q\\\" back\\\\slash\\n\"\n"
				 "b = \"C:\\dir\"\n"
				 "c = \"line one\nline two\"\n"
				 "d = after\n"
				 "e = \"\"\n"
				 "f = \"x\" y\n");
	struct conf_pos pos;

	ck_assert_str_eq(get(conf, "a"), "tab\there \"q\" back\\slash\n");
	ck_assert_str_eq(get(conf, "b"), "C:\\dir");
	ck_assert_str_eq(get(conf, "c"), "line one\nline two");
	ck_assert_int_eq(conf_key_pos(conf_root(conf), "d", &pos), 0);
	ck_assert_int_eq(pos.line, 5);
	ck_assert_str_eq(get(conf, "e"), "");
	ck_assert(conf_has(conf_root(conf), "e"));
	ck_assert_str_eq(get(conf, "f"), "x y");
	conf_free(conf);
}
END_TEST

START_TEST(value_ends_at_brace)
{
	struct conf *conf = load("tls { ca = ca.pem\n cert = c.pem }\n"
				 "x { y = 1 } z = 2\n");

	ck_assert_str_eq(get(conf, "tls.ca"), "ca.pem");
	ck_assert_str_eq(get(conf, "tls.cert"), "c.pem");
	ck_assert_str_eq(get(conf, "x.y"), "1");
	ck_assert_str_eq(get(conf, "z"), "2");
	conf_free(conf);
}
END_TEST

START_TEST(crlf_and_brace_on_next_line)
{
	struct conf *conf = load("a\r\n{\r\n  b = c\r\n}\r\n");

	ck_assert_str_eq(get(conf, "a.b"), "c");
	conf_free(conf);
}
END_TEST

START_TEST(positions)
{
	struct conf *conf = load("s {\n\tkey = v\n   other = w\n}\n");
	const struct conf_section *s = conf_section_find(conf_root(conf), "s");
	struct conf_pos pos;
	const char *value;

	ck_assert_int_eq(conf_key_pos(s, "other", &pos), 0);
	ck_assert_str_eq(pos.file, "test.conf");
	ck_assert_int_eq(pos.line, 3);
	ck_assert_int_eq(pos.column, 4);
	ck_assert_int_eq(conf_key_pos(s, "missing", &pos), -1);
	ck_assert_str_eq(conf_key_at(s, 0, &value, &pos), "key");
	ck_assert_str_eq(value, "v");
	ck_assert_int_eq(pos.line, 2);
	ck_assert_int_eq(pos.column, 2);
	ck_assert_ptr_null(conf_key_at(s, 2, &value, &pos));
	ck_assert_ptr_null(conf_section_at(s, 0));
	conf_free(conf);
}
END_TEST

START_TEST(include_keyword_as_key)
{
	struct conf *conf = load("include = yes\ninclude { x = 1 }\n");

	ck_assert_str_eq(get(conf, "include"), "yes");
	ck_assert_str_eq(get(conf, "include.x"), "1");
	conf_free(conf);
}
END_TEST

/* ---- merging ----------------------------------------------------------- */

START_TEST(same_sections_merge)
{
	struct conf *conf = load("pools {\n  p1 { addrs = 192.0.2.0/28 }\n}\n"
				 "pools {\n  p2 { addrs = 198.51.100.0/28 }\n"
				 "  p1 { dns = 192.0.2.53 }\n}\n");
	const struct conf_section *pools =
		conf_section_find(conf_root(conf), "pools");

	ck_assert_uint_eq(conf_section_count(pools), 2);
	ck_assert_str_eq(conf_section_name(conf_section_at(pools, 0)), "p1");
	ck_assert_str_eq(conf_section_name(conf_section_at(pools, 1)), "p2");
	ck_assert_str_eq(get(conf, "pools.p1.addrs"), "192.0.2.0/28");
	ck_assert_str_eq(get(conf, "pools.p1.dns"), "192.0.2.53");
	conf_free(conf);
}
END_TEST

START_TEST(later_key_overrides)
{
	struct conf *conf = load("a { k = 1\n j = 0 }\na {\n k = 2\n}\n");
	struct conf_pos pos;

	ck_assert_str_eq(get(conf, "a.k"), "2");
	ck_assert_int_eq(conf_key_pos(conf_root(conf), "a.k", &pos), 0);
	ck_assert_int_eq(pos.line, 4);
	/* Overriding keeps the key where it first appeared. */
	ck_assert_str_eq(conf_key_at(conf_section_find(conf_root(conf), "a"),
				     0, NULL, NULL), "k");
	conf_free(conf);
}
END_TEST

START_TEST(empty_assignment_unsets)
{
	struct conf *conf = load("a { k = 1\n j = 2 }\na { k =\n}\nb =\n");
	const struct conf_section *a =
		conf_section_find(conf_root(conf), "a");

	ck_assert(!conf_has(a, "k"));
	ck_assert_str_eq(conf_get(a, "k", "default"), "default");
	ck_assert_uint_eq(conf_key_count(a), 1);
	ck_assert(!conf_has(conf_root(conf), "b"));
	conf_free(conf);
}
END_TEST

/* ---- references -------------------------------------------------------- */

START_TEST(reference_inherits)
{
	struct conf *conf = load(
		"templates {\n"
		"  base { version = 2\n proposals = aes256-sha256-modp2048\n"
		"    children { net { mode = tunnel } }\n  }\n"
		"  extra { version = 1\n mobike = no\n dpd_delay = 30s }\n"
		"}\n"
		"connections {\n"
		"  gw : templates.base, templates.extra {\n"
		"    proposals = aes128-sha256-x25519\n"
		"    dpd_delay =\n"
		"    children { net { esp_proposals = aes128gcm16 } }\n"
		"  }\n"
		"}\n");

	ck_assert_str_eq(get(conf, "connections.gw.proposals"),
			 "aes128-sha256-x25519");
	/* The first reference wins over later ones. */
	ck_assert_str_eq(get(conf, "connections.gw.version"), "2");
	ck_assert_str_eq(get(conf, "connections.gw.mobike"), "no");
	ck_assert(!conf_has(conf_root(conf), "connections.gw.dpd_delay"));
	ck_assert_str_eq(get(conf, "connections.gw.children.net.mode"),
			 "tunnel");
	ck_assert_str_eq(get(conf, "connections.gw.children.net.esp_proposals"),
			 "aes128gcm16");
	/* The template itself is untouched. */
	ck_assert(!conf_has(conf_root(conf), "templates.base.mobike"));
	conf_free(conf);
}
END_TEST

START_TEST(reference_forward_and_chained)
{
	struct conf *conf = load("c : b { z = 3 }\nb : a { y = 2 }\n"
				 "a { x = 1\n y = 0 }\n");

	ck_assert_str_eq(get(conf, "c.x"), "1");
	ck_assert_str_eq(get(conf, "c.y"), "2");
	ck_assert_str_eq(get(conf, "c.z"), "3");
	conf_free(conf);
}
END_TEST

START_TEST(reference_errors)
{
	load_fails("a : nope {\n}\n",
		   "test.conf:1:5: section 'a' references unknown section "
		   "'nope'");
	load_fails("a : b { }\nb : a { }\n",
		   "test.conf:2:5: section 'b' is part of a reference loop "
		   "via 'a'");
	load_fails("s { t : s { } }\n",
		   "test.conf:1:9: section 't' is part of a reference loop "
		   "via 's'");
	load_fails("a : a.b {\n b { } }\n",
		   "test.conf:1:5: section 'a' cannot reference its own "
		   "subsection 'a.b'");
	load_fails("a : {\n}\n",
		   "test.conf:1:5: expected the name of a section to "
		   "reference after 'a', found '{'");
	load_fails("a : b c { }\n",
		   "test.conf:1:7: expected ',' or '{' after 'b', found 'c'");
	load_fails("a : b,\n",
		   "test.conf:1:6: expected the name of a section to "
		   "reference after 'b', found end of file");
}
END_TEST

/* ---- syntax errors ----------------------------------------------------- */

START_TEST(error_unclosed_section)
{
	load_fails("# c\n\nconnections {\n  gw {\n  }\n",
		   "test.conf:6:1: unexpected end of file, section "
		   "'connections' opened at 3:1 not closed");
}
END_TEST

START_TEST(error_missing_equals)
{
	load_fails("a {\n    foo bar\n}\n",
		   "test.conf:2:9: expected '=' or '{' after 'foo', "
		   "found 'bar'");
	/* On the next line, the message points right after the name. */
	load_fails("foo\nbar = 1\n",
		   "test.conf:1:4: expected '=' or '{' after 'foo', "
		   "found 'bar'");
	load_fails("foo", "test.conf:1:4: expected '=' or '{' after 'foo', "
		   "found end of file");
	load_fails("foo }", "test.conf:1:5: expected '=' or '{' after 'foo', "
		   "found '}'");
}
END_TEST

START_TEST(error_bad_names)
{
	load_fails("a {\n  b.c = 1\n}\n",
		   "test.conf:2:3: invalid name 'b.c': names cannot contain "
		   "'.'");
	load_fails("x.y { }\n",
		   "test.conf:1:1: invalid name 'x.y': names cannot contain "
		   "'.'");
	load_fails("= x\n", "test.conf:1:1: unexpected '=', expected a key "
		   "or section name");
	load_fails("a = 1\n, b\n", "test.conf:2:1: unexpected ',', expected a "
		   "key or section name");
	load_fails("\"q\" = 1\n", "test.conf:1:1: unexpected '\"', expected "
		   "a key or section name");
	load_fails("a = 1\n}\n", "test.conf:2:1: unexpected '}' without an "
		   "open section");
	load_fails("a\001b = 1\n", "test.conf:1:2: invalid character 0x01");
}
END_TEST

START_TEST(error_control_characters)
{
	load_fails("\001", "test.conf:1:1: invalid character 0x01");
	load_fails("k = a\033b\n", "test.conf:1:6: invalid character 0x1b");
}
END_TEST

START_TEST(error_unterminated_quote)
{
	load_fails("a = 1\nb = \"abc\n\ndef\n",
		   "test.conf:2:5: unterminated quoted string");
	load_fails("b = \"abc\\", "test.conf:1:5: unterminated quoted string");
}
END_TEST

START_TEST(error_nesting_limit)
{
	char text[4096] = "";

	for (int i = 0; i < 65; i++)
		strcat(text, "a {");
	load_fails(text, "test.conf:1:193: section 'a' nested too deeply");
	text[strlen(text) - 3] = '\0';
	for (int i = 0; i < 64; i++)
		strcat(text, "}");
	conf_free(load(text));
}
END_TEST

START_TEST(error_missing_file)
{
	struct conf *conf = conf_load_file("/nonexistent/cygnet.conf", &err);

	ck_assert_ptr_null(conf);
	ck_assert_str_eq(err.text, "/nonexistent/cygnet.conf: cannot read "
			 "file: No such file or directory");
	ck_assert_str_eq(err.pos.file, "/nonexistent/cygnet.conf");
	ck_assert_int_eq(err.pos.line, 0);
}
END_TEST

START_TEST(error_position_struct)
{
	load_fails("a {\n  b c\n}\n", "test.conf:2:5: expected '=' or '{' "
		   "after 'b', found 'c'");
	ck_assert_str_eq(err.pos.file, "test.conf");
	ck_assert_int_eq(err.pos.line, 2);
	ck_assert_int_eq(err.pos.column, 5);
}
END_TEST

/* ---- includes ---------------------------------------------------------- */

START_TEST(include_glob_sorted_and_relative)
{
	const char *main_path;
	struct conf *conf;

	scratch_create();
	scratch_write("conf.d/20-b.conf", "pools { p { dns = 192.0.2.2 } }\n"
					  "order = b\n");
	scratch_write("conf.d/10-a.conf", "pools { p { addrs = 192.0.2.0/28\n"
					  "dns = 192.0.2.1 } }\norder = a\n"
					  "include sub/*.conf\n");
	scratch_write("conf.d/sub/x.conf", "nested = yes\n");
	scratch_write("conf.d/ignored.txt", "broken {\n");
	scratch_write("conf.d/conn.inc", "gw { version = 2 }\n");
	main_path = scratch_write("cygnet.conf", "include conf.d/*.conf\n"
				  "include none/*.conf\n"
				  "connections {\n  include \"conf.d/conn.inc\"\n}\n");

	conf = conf_load_file(main_path, &err);
	ck_assert_msg(conf != NULL, "%s", err.text);
	ck_assert_str_eq(get(conf, "pools.p.addrs"), "192.0.2.0/28");
	ck_assert_str_eq(get(conf, "pools.p.dns"), "192.0.2.2");
	ck_assert_str_eq(get(conf, "order"), "b");
	ck_assert_str_eq(get(conf, "nested"), "yes");
	ck_assert_str_eq(get(conf, "connections.gw.version"), "2");
	conf_free(conf);
	scratch_remove();
}
END_TEST

START_TEST(include_positions_name_the_included_file)
{
	struct conf_pos pos;
	struct conf *conf;
	char expected[1024];

	scratch_create();
	scratch_write("inc.conf", "\n\n  key = v\n");
	conf = conf_load_file(scratch_write("main.conf", "include inc.conf\n"),
			      &err);
	ck_assert_msg(conf != NULL, "%s", err.text);
	ck_assert_int_eq(conf_key_pos(conf_root(conf), "key", &pos), 0);
	snprintf(expected, sizeof(expected), "%s/inc.conf", scratch);
	ck_assert_str_eq(pos.file, expected);
	ck_assert_int_eq(pos.line, 3);
	ck_assert_int_eq(pos.column, 3);
	conf_free(conf);

	scratch_write("bad.conf", "a {\n");
	conf = conf_load_file(scratch_write("main.conf", "x {\ninclude bad.conf\n}\n"),
			      &err);
	ck_assert_ptr_null(conf);
	snprintf(expected, sizeof(expected), "%s/bad.conf:2:1: unexpected end "
		 "of file, section 'a' opened at 1:1 not closed", scratch);
	ck_assert_str_eq(err.text, expected);
	scratch_remove();
}
END_TEST

START_TEST(include_missing_literal_fails)
{
	struct conf *conf;
	char expected[1024];
	const char *path;

	scratch_create();
	path = scratch_write("main.conf", "a = 1\n  include missing.conf\n");
	conf = conf_load_file(path, &err);
	ck_assert_ptr_null(conf);
	snprintf(expected, sizeof(expected), "%s:2:3: cannot read '%s/missing"
		 ".conf': No such file or directory", path, scratch);
	ck_assert_str_eq(err.text, expected);

	path = scratch_write("main.conf", "include\n");
	ck_assert_ptr_null(conf_load_file(path, &err));
	snprintf(expected, sizeof(expected), "%s:1:8: expected a file name or "
		 "pattern after 'include'", path);
	ck_assert_str_eq(err.text, expected);

	path = scratch_write("main.conf", "include .\n");
	ck_assert_ptr_null(conf_load_file(path, &err));
	snprintf(expected, sizeof(expected), "%s:1:1: cannot read '%s/.': not "
		 "a regular file", path, scratch);
	ck_assert_str_eq(err.text, expected);
	scratch_remove();
}
END_TEST

START_TEST(include_cycle)
{
	char expected[1024];
	const char *a;

	scratch_create();
	scratch_write("b.conf", "b = 1\ninclude a.conf\n");
	a = scratch_write("a.conf", "include b.conf\n");
	ck_assert_ptr_null(conf_load_file(a, &err));
	snprintf(expected, sizeof(expected), "%s/b.conf:2:1: include cycle: "
		 "'%s/a.conf' is already being read", scratch, scratch);
	ck_assert_str_eq(err.text, expected);

	a = scratch_write("self.conf", "include *.conf\n");
	ck_assert_ptr_null(conf_load_file(a, &err));
	ck_assert_ptr_nonnull(strstr(err.text, "include cycle"));
	scratch_remove();
}
END_TEST

START_TEST(include_depth_limit)
{
	char name[128], text[64], expected[1024];
	struct conf *conf;

	scratch_create();
	/* f0 includes f1 ... f10 includes f11: eleven levels of include. */
	for (int i = 0; i <= 11; i++) {
		snprintf(name, sizeof(name), "f%d.conf", i);
		snprintf(text, sizeof(text), "k%d = %d\ninclude f%d.conf\n", i,
			 i, i + 1);
		scratch_write(name, i == 11 ? "last = yes\n" : text);
	}
	snprintf(name, sizeof(name), "%s/f0.conf", scratch);
	ck_assert_ptr_null(conf_load_file(name, &err));
	snprintf(expected, sizeof(expected), "%s/f10.conf:2:1: includes "
		 "nested too deeply (more than 10 levels) at '%s/f11.conf'",
		 scratch, scratch);
	ck_assert_str_eq(err.text, expected);

	/* Ten levels are fine. */
	scratch_write("f10.conf", "k10 = 10\n");
	conf = conf_load_file(name, &err);
	ck_assert_msg(conf != NULL, "%s", err.text);
	ck_assert_str_eq(get(conf, "k10"), "10");
	conf_free(conf);
	scratch_remove();
}
END_TEST

/* ---- typed getters ----------------------------------------------------- */

START_TEST(get_int)
{
	struct conf *conf = load("a = 42\nb = -7\nc = 0x1F\nd = 12abc\n"
				 "e = 010\nf = 99999999999999999999999\n");
	const struct conf_section *r = conf_root(conf);
	struct captured cap;
	long v;

	ck_assert_int_eq(conf_get_int(r, "a", 0, &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(conf_get_int(r, "b", 0, &v), 0);
	ck_assert_int_eq(v, -7);
	ck_assert_int_eq(conf_get_int(r, "c", 0, &v), 0);
	ck_assert_int_eq(v, 31);
	ck_assert_int_eq(conf_get_int(r, "e", 0, &v), 0);
	ck_assert_int_eq(v, 10);
	ck_assert_int_eq(conf_get_int(r, "missing", 5, &v), 1);
	ck_assert_int_eq(v, 5);
	capture_start(&cap);
	ck_assert_int_eq(conf_get_int(r, "d", 5, &v), -1);
	ck_assert_int_eq(v, 5);
	ck_assert_int_eq(conf_get_int(r, "f", 5, &v), -1);
	capture_stop();
	ck_assert_str_eq(cap.text,
			 "[CFG] test.conf:4: invalid integer '12abc' for 'd'\n"
			 "[CFG] test.conf:6: invalid integer "
			 "'99999999999999999999999' for 'f'\n");
	conf_free(conf);
}
END_TEST

START_TEST(get_bool)
{
	static const char *const yes[] = { "yes", "true", "on", "1", "YES",
					   "True" };
	static const char *const no[] = { "no", "false", "off", "0", "No" };
	char text[64];
	struct conf *conf;
	struct captured cap;
	bool v;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(text, sizeof(text), "k = %s\n", yes[i]);
		conf = load(text);
		ck_assert_int_eq(conf_get_bool(conf_root(conf), "k", false, &v), 0);
		ck_assert_msg(v, "%s is true", yes[i]);
		conf_free(conf);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(text, sizeof(text), "k = %s\n", no[i]);
		conf = load(text);
		ck_assert_int_eq(conf_get_bool(conf_root(conf), "k", true, &v), 0);
		ck_assert_msg(!v, "%s is false", no[i]);
		conf_free(conf);
	}
	conf = load("s {\n k = maybe\n}\n");
	ck_assert_int_eq(conf_get_bool(conf_root(conf), "s.x", true, &v), 1);
	ck_assert(v);
	capture_start(&cap);
	ck_assert_int_eq(conf_get_bool(conf_root(conf), "s.k", true, &v), -1);
	capture_stop();
	ck_assert(v);
	ck_assert_str_eq(cap.text, "[CFG] test.conf:2: invalid boolean 'maybe' "
			 "for 'k'\n");
	conf_free(conf);
}
END_TEST

START_TEST(get_seconds)
{
	struct conf *conf = load("a = 3600\nb = 90s\nc = 60m\nd = 4h\ne = 2d\n"
				 "f = 1w\ng = 5mm\nh = -1\ni = m\n");
	const struct conf_section *r = conf_root(conf);
	struct captured cap;
	long v;

	ck_assert_int_eq(conf_get_seconds(r, "a", 0, &v), 0);
	ck_assert_int_eq(v, 3600);
	ck_assert_int_eq(conf_get_seconds(r, "b", 0, &v), 0);
	ck_assert_int_eq(v, 90);
	ck_assert_int_eq(conf_get_seconds(r, "c", 0, &v), 0);
	ck_assert_int_eq(v, 3600);
	ck_assert_int_eq(conf_get_seconds(r, "d", 0, &v), 0);
	ck_assert_int_eq(v, 14400);
	ck_assert_int_eq(conf_get_seconds(r, "e", 0, &v), 0);
	ck_assert_int_eq(v, 172800);
	ck_assert_int_eq(conf_get_seconds(r, "zz", 30, &v), 1);
	ck_assert_int_eq(v, 30);
	capture_start(&cap);
	ck_assert_int_eq(conf_get_seconds(r, "f", 30, &v), -1);
	ck_assert_int_eq(v, 30);
	ck_assert_int_eq(conf_get_seconds(r, "g", 30, &v), -1);
	ck_assert_int_eq(conf_get_seconds(r, "h", 30, &v), -1);
	ck_assert_int_eq(conf_get_seconds(r, "i", 30, &v), -1);
	capture_stop();
	ck_assert_int_eq(cap.lines, 4);
	ck_assert_ptr_nonnull(strstr(cap.text, "[CFG] test.conf:6: invalid "
				     "duration '1w' for 'f'\n"));
	conf_free(conf);
}
END_TEST

START_TEST(get_list)
{
	struct conf *conf = load("l = a, b,c  d ,, \n one = x\n");
	char *items[3];
	size_t n;

	n = conf_get_list(conf_root(conf), "l", items, 3);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(items[0], "a");
	ck_assert_str_eq(items[1], "b");
	ck_assert_str_eq(items[2], "c");
	conf_list_free(items, n);
	n = conf_get_list(conf_root(conf), "one", items, 3);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(items[0], "x");
	conf_list_free(items, n);
	ck_assert_uint_eq(conf_get_list(conf_root(conf), "none", items, 3), 0);
	conf_free(conf);
}
END_TEST

START_TEST(null_safety)
{
	long l;
	bool b;

	ck_assert_ptr_null(conf_root(NULL));
	ck_assert_ptr_null(conf_section_find(NULL, "a"));
	ck_assert_str_eq(conf_get(NULL, "a", "d"), "d");
	ck_assert(!conf_has(NULL, "a"));
	ck_assert_int_eq(conf_get_int(NULL, "a", 3, &l), 1);
	ck_assert_int_eq(l, 3);
	ck_assert_int_eq(conf_get_bool(NULL, "a", true, &b), 1);
	ck_assert_uint_eq(conf_section_count(NULL), 0);
	ck_assert_uint_eq(conf_key_count(NULL), 0);
	ck_assert_int_eq(conf_warn_unknown(NULL, conf_schema_pools, "pools"), 0);
	conf_free(NULL);
}
END_TEST

/* ---- schemas ----------------------------------------------------------- */

/* The reference scenario's gateway, as a strongSwan user writes it. */
static const char swanctl_conf[] =
	"connections {\n"
	"  eap-tls : templates.ikev2 {\n"
	"    local_addrs = 192.0.2.1\n"
	"    pools = rw-v4, rw-v6\n"
	"    send_certreq = yes\n"
	"    fragmentation = yes\n"
	"    local {\n"
	"      auth = pubkey\n"
	"      certs = gw.pem\n"
	"      id = gw.example.org\n"
	"    }\n"
	"    local-1 { auth = pubkey }\n"
	"    remote {\n"
	"      auth = eap-tls\n"
	"      eap_id = %any\n"
	"      cacerts = ca.pem\n"
	"      revocation = relaxed\n"
	"    }\n"
	"    remote2 { auth = pubkey\n cert1 { handle = 01\n slot = 0 } }\n"
	"    children {\n"
	"      eap-tls {\n"
	"        local_ts = 0.0.0.0/0, ::/0\n"
	"        esp_proposals = aes256gcm16-prfsha384-ecp384\n"
	"        rekey_time = 0\n"
	"        dpd_action = clear\n"
	"      }\n"
	"    }\n"
	"  }\n"
	"}\n"
	"templates { ikev2 { version = 2\n"
	"  proposals = aes256-sha384-ecp384 } }\n"
	"pools {\n"
	"  rw-v4 { addrs = 192.0.2.64/26\n dns = 192.0.2.53 }\n"
	"  rw-v6 { addrs = 2001:db8::1000/116\n 25 = 0x1234 }\n"
	"}\n"
	"authorities {\n"
	"  ca { cacert = ca.pem\n crl_uris = http://192.0.2.1/ca.crl }\n"
	"}\n"
	"secrets {\n"
	"  eap-carol { id = carol\n id-2 = carol@example.org\n"
	"    secret = \"s3cr3t\" }\n"
	"  ike-1 { secret = 0sFpZAZqEN6Ti9sqt4ZP5EWcqx }\n"
	"  private-gw { file = gw.key }\n"
	"  rsa { file = old.key\n secret = pw }\n"
	"  token1 { handle = 01\n slot = 1\n pin = 1234 }\n"
	"}\n";

static int warn_all(const struct conf *conf)
{
	const struct conf_section *r = conf_root(conf);

	int n = 0;

	n += conf_warn_unknown(conf_section_find(r, "connections"),
			       conf_schema_connections, "connections");
	n += conf_warn_unknown(conf_section_find(r, "secrets"),
			       conf_schema_secrets, "secrets");
	n += conf_warn_unknown(conf_section_find(r, "pools"),
			       conf_schema_pools, "pools");
	n += conf_warn_unknown(conf_section_find(r, "authorities"),
			       conf_schema_authorities, "authorities");
	return n;
}

START_TEST(schema_accepts_swanctl_conf)
{
	struct conf *conf = load(swanctl_conf);
	struct captured cap;

	capture_start(&cap);
	ck_assert_int_eq(warn_all(conf), 0);
	capture_stop();
	ck_assert_str_eq(cap.text, "");
	/* Inherited through the reference. */
	ck_assert_str_eq(get(conf, "connections.eap-tls.version"), "2");
	conf_free(conf);
}
END_TEST

START_TEST(schema_warns_unknown)
{
	struct conf *conf = load(
		"connections {\n"
		"  gw {\n"
		"    remote_addr = 192.0.2.2\n"
		"    locals { auth = psk }\n"
		"    children = net\n"
		"    local { auth = psk\n    colour = red }\n"
		"  }\n"
		"}\n"
		"secrets { eap-x { secrett = y }\n  foo { secret = z } }\n"
		"pools { p { addrs = 192.0.2.0/24\n dns { } } }\n"
		"pools { p { x25 = 1 } }\n");
	struct captured cap;

	capture_start(&cap);
	ck_assert_int_eq(warn_all(conf), 7);
	capture_stop();
	ck_assert_str_eq(cap.text,
		"[CFG] test.conf:3: unknown key 'remote_addr' in section "
		"'connections.gw'\n"
		"[CFG] test.conf:5: section expected, not key 'children' in "
		"section 'connections.gw'\n"
		"[CFG] test.conf:7: unknown key 'colour' in section "
		"'connections.gw.local'\n"
		"[CFG] test.conf:10: unknown key 'secrett' in section "
		"'secrets.eap-x'\n"
		"[CFG] test.conf:11: unknown section 'foo' in section "
		"'secrets'\n"
		"[CFG] test.conf:14: unknown key 'x25' in section 'pools.p'\n"
		"[CFG] test.conf:13: key expected, not section 'dns' in "
		"section 'pools.p'\n");
	conf_free(conf);
}
END_TEST

START_TEST(schema_top_level)
{
	struct conf *conf = load(
		"conections { }\n"
		"pools { p { anything = 1\n deeper { x = y } } }\n"
		"stray = 1\n"
		"cygnet {\n  runtime_dir = /run/x\n  pool { foo = 1 }\n"
		"  iked { }\n}\n");
	struct captured cap;

	capture_start(&cap);
	ck_assert_int_eq(conf_warn_unknown(conf_root(conf), conf_schema_top,
					   ""), 3);
	capture_stop();
	ck_assert_str_eq(cap.text,
		"[CFG] test.conf:4: unknown key 'stray' at top level\n"
		"[CFG] test.conf:1: unknown section 'conections' at top level\n"
		"[CFG] test.conf:8: unknown section 'iked' in section "
		"'cygnet'\n");
	conf_free(conf);
}
END_TEST

static const struct conf_schema extended_service[] = {
	{ .name = "lease_file" },
	{ .include = conf_schema_service },
	{ 0 }
};

START_TEST(schema_service_extension)
{
	struct conf *conf = load("cygnet { pool {\n rpc = ipc:///tmp/p.rpc\n"
				 " lease_file = /var/lib/x\n"
				 " loglevel { default = 1\n cfg = 2\n foo = 1 }\n"
				 " tls { ca = a\n cert = b\n key = c }\n} }\n");
	const struct conf_section *pool =
		conf_section_find(conf_root(conf), "cygnet.pool");
	struct captured cap;

	capture_start(&cap);
	ck_assert_int_eq(conf_warn_unknown(pool, extended_service,
					   "cygnet.pool"), 1);
	ck_assert_int_eq(conf_warn_unknown(pool, conf_schema_service,
					   "cygnet.pool"), 2);
	capture_stop();
	ck_assert_str_eq(cap.text,
		"[CFG] test.conf:6: unknown key 'foo' in section "
		"'cygnet.pool.loglevel'\n"
		"[CFG] test.conf:3: unknown key 'lease_file' in section "
		"'cygnet.pool'\n"
		"[CFG] test.conf:6: unknown key 'foo' in section "
		"'cygnet.pool.loglevel'\n");
	conf_free(conf);
}
END_TEST

static const struct conf_schema exact_first[] = {
	{ .name = "local*", .children = conf_schema_pools },
	{ .name = "localx" },
	{ 0 }
};

START_TEST(schema_exact_before_wildcard)
{
	struct conf *conf = load("localx = 1\nlocaly { }\nlocal { }\n");
	struct captured cap;

	capture_start(&cap);
	ck_assert_int_eq(conf_warn_unknown(conf_root(conf), exact_first, ""), 0);
	capture_stop();
	ck_assert_str_eq(cap.text, "");
	conf_free(conf);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *syntax = tcase_create("syntax");
	TCase *merge = tcase_create("merge");
	TCase *errors = tcase_create("errors");
	TCase *include = tcase_create("include");
	TCase *getters = tcase_create("getters");
	TCase *schema = tcase_create("schema");

	tcase_add_test(syntax, keys_and_sections);
	tcase_add_test(syntax, comments_and_blank_lines);
	tcase_add_test(syntax, quoted_values);
	tcase_add_test(syntax, value_ends_at_brace);
	tcase_add_test(syntax, crlf_and_brace_on_next_line);
	tcase_add_test(syntax, positions);
	tcase_add_test(syntax, include_keyword_as_key);
	tcase_add_checked_fixture(syntax, log_reset, NULL);
	suite_add_tcase(s, syntax);

	tcase_add_test(merge, same_sections_merge);
	tcase_add_test(merge, later_key_overrides);
	tcase_add_test(merge, empty_assignment_unsets);
	tcase_add_test(merge, reference_inherits);
	tcase_add_test(merge, reference_forward_and_chained);
	tcase_add_checked_fixture(merge, log_reset, NULL);
	suite_add_tcase(s, merge);

	tcase_add_test(errors, reference_errors);
	tcase_add_test(errors, error_unclosed_section);
	tcase_add_test(errors, error_missing_equals);
	tcase_add_test(errors, error_bad_names);
	tcase_add_test(errors, error_control_characters);
	tcase_add_test(errors, error_unterminated_quote);
	tcase_add_test(errors, error_nesting_limit);
	tcase_add_test(errors, error_missing_file);
	tcase_add_test(errors, error_position_struct);
	tcase_add_checked_fixture(errors, log_reset, NULL);
	suite_add_tcase(s, errors);

	tcase_add_test(include, include_glob_sorted_and_relative);
	tcase_add_test(include, include_positions_name_the_included_file);
	tcase_add_test(include, include_missing_literal_fails);
	tcase_add_test(include, include_cycle);
	tcase_add_test(include, include_depth_limit);
	tcase_add_checked_fixture(include, log_reset, NULL);
	suite_add_tcase(s, include);

	tcase_add_test(getters, get_int);
	tcase_add_test(getters, get_bool);
	tcase_add_test(getters, get_seconds);
	tcase_add_test(getters, get_list);
	tcase_add_test(getters, null_safety);
	tcase_add_checked_fixture(getters, log_reset, NULL);
	suite_add_tcase(s, getters);

	tcase_add_test(schema, schema_accepts_swanctl_conf);
	tcase_add_test(schema, schema_warns_unknown);
	tcase_add_test(schema, schema_top_level);
	tcase_add_test(schema, schema_service_extension);
	tcase_add_test(schema, schema_exact_before_wildcard);
	tcase_add_checked_fixture(schema, log_reset, NULL);
	suite_add_tcase(s, schema);
	return s;
}

TEST_MAIN(conf_suite)
