#include "ike/ts.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct proto_name {
	const char *name;
	uint8_t number;
};

static const struct proto_name proto_names[] = {
	{ "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 },
	{ "ipv6-icmp", 58 }, { "icmpv6", 58 }, { "sctp", 132 },
};

size_t ts_addr_len(const struct ts *ts)
{
	return ts->type == TS_IPV6_ADDR_RANGE ? 16 : 4;
}

static int parse_addr(const char *text, struct ts *ts, uint8_t *out)
{
	uint8_t type = strchr(text, ':') ? TS_IPV6_ADDR_RANGE : TS_IPV4_ADDR_RANGE;

	if (ts->type && ts->type != type)
		return -1;
	ts->type = type;
	return inet_pton(type == TS_IPV6_ADDR_RANGE ? AF_INET6 : AF_INET, text,
			 out) == 1 ? 0 : -1;
}

static int apply_prefix(struct ts *ts, const char *text)
{
	size_t len = ts_addr_len(ts);
	char *end;
	long bits = strtol(text, &end, 10);

	if (*text == '\0' || *end != '\0' || bits < 0 || bits > (long)len * 8)
		return -1;
	memcpy(ts->end, ts->start, len);
	for (size_t i = 0; i < len; i++) {
		long keep = bits - (long)i * 8;
		uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 :
			       (uint8_t)(0xff << (8 - keep));

		ts->start[i] &= mask;
		ts->end[i] |= (uint8_t)~mask;
	}
	return 0;
}

static int parse_range(char *text, struct ts *ts)
{
	char *slash = strchr(text, '/');
	char *dash = strchr(text, '-');

	if (slash) {
		*slash = '\0';
		if (parse_addr(text, ts, ts->start) < 0)
			return -1;
		return apply_prefix(ts, slash + 1);
	}
	if (dash) {
		*dash = '\0';
		if (parse_addr(text, ts, ts->start) < 0 ||
		    parse_addr(dash + 1, ts, ts->end) < 0)
			return -1;
		return memcmp(ts->start, ts->end, ts_addr_len(ts)) <= 0 ? 0 : -1;
	}
	if (parse_addr(text, ts, ts->start) < 0)
		return -1;
	memcpy(ts->end, ts->start, ts_addr_len(ts));
	return 0;
}

static int parse_number(const char *text, long max, long *out)
{
	char *end;

	if (*text == '\0')
		return -1;
	*out = strtol(text, &end, 10);
	return *end == '\0' && *out >= 0 && *out <= max ? 0 : -1;
}

static int parse_protocol(const char *text, struct ts *ts)
{
	long number;

	if (*text == '\0' || strcmp(text, "%any") == 0)
		return 0;
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (strcmp(proto_names[i].name, text) == 0) {
			ts->protocol = proto_names[i].number;
			return 0;
		}
	}
	if (parse_number(text, 255, &number) < 0)
		return -1;
	ts->protocol = (uint8_t)number;
	return 0;
}

static int parse_ports(char *text, struct ts *ts)
{
	char *dash = strchr(text, '-');
	long from, to;

	if (strcmp(text, "%any") == 0)
		return 0;
	if (dash)
		*dash = '\0';
	if (parse_number(text, 65535, &from) < 0)
		return -1;
	to = from;
	if (dash && parse_number(dash + 1, 65535, &to) < 0)
		return -1;
	if (to < from)
		return -1;
	ts->start_port = (uint16_t)from;
	ts->end_port = (uint16_t)to;
	return 0;
}

/* "[proto/port]", "[proto]", "[/port]" after the range. */
static int parse_selector(char *text, struct ts *ts)
{
	char *close = strchr(text, ']');
	char *slash;

	if (!close || close[1] != '\0')
		return -1;
	*close = '\0';
	slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	if (parse_protocol(text, ts) < 0)
		return -1;
	return slash ? parse_ports(slash + 1, ts) : 0;
}

int ts_parse(const char *text, struct ts *out, char *err, size_t errlen)
{
	char copy[128];
	char *bracket;

	memset(out, 0, sizeof(*out));
	out->end_port = 65535;
	if (strlen(text) >= sizeof(copy))
		goto invalid;
	strcpy(copy, text);
	bracket = strchr(copy, '[');
	if (bracket) {
		*bracket = '\0';
		if (parse_selector(bracket + 1, out) < 0)
			goto invalid;
	}
	if (strcmp(copy, "dynamic") == 0) {
		out->dynamic = true;
		return 0;
	}
	if (parse_range(copy, out) == 0)
		return 0;
invalid:
	snprintf(err, errlen, "invalid traffic selector '%s'", text);
	return -1;
}

/* The prefix length if start..end is exactly one subnet, else -1. */
static int subnet_bits(const struct ts *ts)
{
	size_t len = ts_addr_len(ts);
	int bits = 0;
	bool host_part = false;

	for (size_t i = 0; i < len; i++) {
		for (int b = 7; b >= 0; b--) {
			int s = (ts->start[i] >> b) & 1, e = (ts->end[i] >> b) & 1;

			if (!host_part && s == e) {
				bits++;
				continue;
			}
			host_part = true;
			if (s != 0 || e != 1)
				return -1;
		}
	}
	return bits;
}

static void format_protocol(uint8_t protocol, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (proto_names[i].number == protocol) {
			snprintf(buf, len, "%s", proto_names[i].name);
			return;
		}
	}
	snprintf(buf, len, "%u", protocol);
}

static void format_selector(const struct ts *ts, char *buf, size_t len)
{
	bool any_port = ts->start_port == 0 && ts->end_port == 65535;
	char proto[16];

	if (!ts->protocol && any_port) {
		buf[0] = '\0';
		return;
	}
	format_protocol(ts->protocol, proto, sizeof(proto));
	if (any_port)
		snprintf(buf, len, "[%s]", proto);
	else if (ts->start_port == ts->end_port)
		snprintf(buf, len, "[%s/%u]", proto, ts->start_port);
	else
		snprintf(buf, len, "[%s/%u-%u]", proto, ts->start_port,
			 ts->end_port);
}

void ts_format(const struct ts *ts, char *buf, size_t len)
{
	int family = ts->type == TS_IPV6_ADDR_RANGE ? AF_INET6 : AF_INET;
	char start[INET6_ADDRSTRLEN], end[INET6_ADDRSTRLEN], sel[40];
	int bits;

	if (ts->dynamic) {
		snprintf(buf, len, "dynamic");
		return;
	}
	inet_ntop(family, ts->start, start, sizeof(start));
	format_selector(ts, sel, sizeof(sel));
	bits = subnet_bits(ts);
	if (bits >= 0) {
		snprintf(buf, len, "%s/%d%s", start, bits, sel);
		return;
	}
	inet_ntop(family, ts->end, end, sizeof(end));
	snprintf(buf, len, "%s..%s%s", start, end, sel);
}

Cygnet__TrafficSelector **ts_to_pb(const struct ts *ts, size_t n,
				   Cygnet__TrafficSelector *store,
				   Cygnet__TrafficSelector **p)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = ts_addr_len(&ts[i]);

		cygnet__traffic_selector__init(&store[i]);
		store[i].ip_protocol = ts[i].protocol;
		store[i].start_port = ts[i].start_port;
		store[i].end_port = ts[i].end_port;
		store[i].start_addr = (ProtobufCBinaryData){ len, (uint8_t *)ts[i].start };
		store[i].end_addr = (ProtobufCBinaryData){ len, (uint8_t *)ts[i].end };
		p[i] = &store[i];
	}
	return p;
}
