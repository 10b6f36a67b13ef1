/* Round trips for every message of every proto file.  all_messages.h is
 * generated from the protoc-c headers, so a message added to any .proto
 * is tested without touching this file.  A filler driven by the
 * descriptor sets every field to a non-default value (nested messages to
 * a depth limit, two elements per repeated field, one member per oneof),
 * then pack -> unpack -> pack must give the same bytes and every field
 * must survive. */
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "all_messages.h"
#include "testmain.h"

#define N_MESSAGES (sizeof(all_messages) / sizeof(all_messages[0]))
#define MAX_DEPTH 3
#define REPEATED_COUNT 2
#define MAX_ALLOCS 4096

/* Everything the filler allocates, freed in one go. */
struct arena {
	void *ptrs[MAX_ALLOCS];
	size_t count;
};

static void *arena_alloc(struct arena *a, size_t len)
{
	void *p = calloc(1, len ? len : 1);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_lt(a->count, MAX_ALLOCS);
	a->ptrs[a->count++] = p;
	return p;
}

static void arena_free(struct arena *a)
{
	for (size_t i = 0; i < a->count; i++)
		free(a->ptrs[i]);
	a->count = 0;
}

enum oneof_pick { PICK_FIRST, PICK_LAST };

/* Whether f is the member of its oneof that gets a value. */
static bool oneof_chosen(const ProtobufCMessageDescriptor *desc,
			 const ProtobufCFieldDescriptor *f, enum oneof_pick pick)
{
	const ProtobufCFieldDescriptor *chosen = NULL;

	if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
		return true;
	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *g = &desc->fields[i];

		if (!(g->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ||
		    g->quantifier_offset != f->quantifier_offset)
			continue;
		if (chosen == NULL || pick == PICK_LAST)
			chosen = g;
	}
	return chosen == f;
}

static size_t element_size(ProtobufCType type)
{
	switch (type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return sizeof(uint32_t);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return sizeof(uint64_t);
	case PROTOBUF_C_TYPE_FLOAT:
		return sizeof(float);
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_ENUM:
		return sizeof(int);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	}
	ck_abort_msg("unknown protobuf-c type %d", type);
	return 0;
}

/* The last value an enum defines: non-zero unless the enum has only 0. */
static int enum_value(const ProtobufCEnumDescriptor *e)
{
	return e->n_values > 0 ? e->values[e->n_values - 1].value : 0;
}

static ProtobufCMessage *new_message(const ProtobufCMessageDescriptor *desc,
				     int depth, enum oneof_pick pick,
				     struct arena *a);

static void fill_value(const ProtobufCFieldDescriptor *f, void *slot,
		       unsigned index, int depth, enum oneof_pick pick,
		       struct arena *a)
{
	uint64_t n = f->id * 10u + index + 1;
	ProtobufCBinaryData *bin;
	char *str;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		*(int32_t *)slot = -(int32_t)n;
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		*(uint32_t *)slot = (uint32_t)n;
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		*(int64_t *)slot = -(int64_t)(n << 33);
		break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		*(uint64_t *)slot = n << 33;
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		*(float *)slot = (float)n + 0.5f;
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		*(double *)slot = (double)n + 0.25;
		break;
	case PROTOBUF_C_TYPE_BOOL:
		*(protobuf_c_boolean *)slot = 1;
		break;
	case PROTOBUF_C_TYPE_ENUM:
		*(int *)slot = enum_value(f->descriptor);
		break;
	case PROTOBUF_C_TYPE_STRING:
		str = arena_alloc(a, 32);
		snprintf(str, 32, "%s.%u", f->name, index);
		*(char **)slot = str;
		break;
	case PROTOBUF_C_TYPE_BYTES:
		bin = slot;
		bin->len = 3;
		bin->data = arena_alloc(a, bin->len);
		bin->data[0] = (uint8_t)f->id;
		bin->data[1] = (uint8_t)index;
		bin->data[2] = 0xaa;
		break;
	case PROTOBUF_C_TYPE_MESSAGE:
		*(ProtobufCMessage **)slot =
			new_message(f->descriptor, depth + 1, pick, a);
		break;
	}
}

static void fill_field(const ProtobufCMessageDescriptor *desc,
		       const ProtobufCFieldDescriptor *f, uint8_t *msg,
		       int depth, enum oneof_pick pick, struct arena *a)
{
	size_t size = element_size(f->type);
	uint8_t *array;

	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		/* below the depth limit a repeated message stays empty */
		if (f->type == PROTOBUF_C_TYPE_MESSAGE && depth >= MAX_DEPTH)
			return;
		array = arena_alloc(a, size * REPEATED_COUNT);
		for (unsigned i = 0; i < REPEATED_COUNT; i++)
			fill_value(f, array + i * size, i, depth, pick, a);
		*(size_t *)(msg + f->quantifier_offset) = REPEATED_COUNT;
		*(void **)(msg + f->offset) = array;
		return;
	}
	if (!oneof_chosen(desc, f, pick))
		return;
	if (f->type == PROTOBUF_C_TYPE_MESSAGE && depth >= MAX_DEPTH)
		return;
	fill_value(f, msg + f->offset, 0, depth, pick, a);
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		*(uint32_t *)(msg + f->quantifier_offset) = f->id;
	else if (f->label == PROTOBUF_C_LABEL_OPTIONAL &&
		 f->type != PROTOBUF_C_TYPE_STRING &&
		 f->type != PROTOBUF_C_TYPE_MESSAGE)
		*(protobuf_c_boolean *)(msg + f->quantifier_offset) = 1;
}

static ProtobufCMessage *new_message(const ProtobufCMessageDescriptor *desc,
				     int depth, enum oneof_pick pick,
				     struct arena *a)
{
	uint8_t *msg = arena_alloc(a, desc->sizeof_message);

	desc->message_init((ProtobufCMessage *)msg);
	for (unsigned i = 0; i < desc->n_fields; i++)
		fill_field(desc, &desc->fields[i], msg, depth, pick, a);
	return (ProtobufCMessage *)msg;
}

static bool value_set(const ProtobufCFieldDescriptor *f, const void *slot)
{
	const ProtobufCBinaryData *bin = slot;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
		return *(const uint32_t *)slot != 0;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return *(const uint64_t *)slot != 0;
	case PROTOBUF_C_TYPE_BOOL:
		return *(const protobuf_c_boolean *)slot != 0;
	case PROTOBUF_C_TYPE_ENUM:
		return *(const int *)slot == enum_value(f->descriptor);
	case PROTOBUF_C_TYPE_STRING:
		return *(char *const *)slot != NULL && **(char *const *)slot;
	case PROTOBUF_C_TYPE_BYTES:
		return bin->len == 3 && bin->data[2] == 0xaa;
	case PROTOBUF_C_TYPE_MESSAGE:
		return *(ProtobufCMessage *const *)slot != NULL;
	}
	return false;
}

/* Every field the filler set at the top level came back. */
static void assert_all_fields(const ProtobufCMessage *m, enum oneof_pick pick)
{
	const ProtobufCMessageDescriptor *desc = m->descriptor;
	const uint8_t *base = (const uint8_t *)m;

	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];

		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			ck_assert_msg(*(const size_t *)(base + f->quantifier_offset) ==
					      REPEATED_COUNT,
				      "%s.%s lost elements", desc->name, f->name);
			continue;
		}
		if (!oneof_chosen(desc, f, pick))
			continue;
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			ck_assert_uint_eq(*(const uint32_t *)(base + f->quantifier_offset),
					  f->id);
		ck_assert_msg(value_set(f, base + f->offset), "%s.%s lost",
			      desc->name, f->name);
	}
}

static void round_trip(const ProtobufCMessageDescriptor *desc,
		       enum oneof_pick pick)
{
	struct arena *a = calloc(1, sizeof(*a));
	ProtobufCMessage *msg, *back;
	size_t len, len2;
	uint8_t *packed, *packed2;

	ck_assert_ptr_nonnull(a);
	msg = new_message(desc, 0, pick, a);
	ck_assert(protobuf_c_message_check(msg));
	len = protobuf_c_message_get_packed_size(msg);
	packed = malloc(len + 1);
	ck_assert_uint_eq(protobuf_c_message_pack(msg, packed), len);
	ck_assert(desc->n_fields == 0 || len > 0);

	back = protobuf_c_message_unpack(desc, NULL, len, packed);
	ck_assert_msg(back != NULL, "%s does not unpack", desc->name);
	assert_all_fields(back, pick);
	len2 = protobuf_c_message_get_packed_size(back);
	ck_assert_uint_eq(len2, len);
	packed2 = malloc(len2 + 1);
	ck_assert_uint_eq(protobuf_c_message_pack(back, packed2), len2);
	ck_assert_msg(memcmp(packed, packed2, len) == 0,
		      "%s packs differently after a round trip", desc->name);

	protobuf_c_message_free_unpacked(back, NULL);
	free(packed2);
	free(packed);
	arena_free(a);
	free(a);
}

START_TEST(test_round_trip)
{
	const ProtobufCMessageDescriptor *desc = all_messages[_i];

	ck_assert_uint_eq(desc->magic, PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC);
	round_trip(desc, PICK_FIRST);
	round_trip(desc, PICK_LAST);
}
END_TEST

/* The filler lands where the generated struct expects its fields. */
START_TEST(test_known_fields)
{
	struct arena *a = calloc(1, sizeof(*a));
	Cygnet__Status *status;
	Cygnet__RpcReply *reply;
	Cygnet__Identity *id;

	ck_assert_ptr_nonnull(a);
	id = (Cygnet__Identity *)new_message(&cygnet__identity__descriptor, 0,
					     PICK_FIRST, a);
	ck_assert_uint_eq(id->type, 11);
	ck_assert_str_eq(id->text, "text.0");
	ck_assert_uint_eq(id->data.len, 3);
	ck_assert_uint_eq(id->data.data[0], 2);

	status = (Cygnet__Status *)new_message(&cygnet__status__descriptor, 0,
					       PICK_FIRST, a);
	ck_assert_str_eq(status->service, "service.0");
	ck_assert_uint_eq(status->uptime_s, 41ull << 33);
	ck_assert_uint_eq(status->n_metrics, 2);
	ck_assert_str_eq(status->metrics[1]->name, "name.0");
	ck_assert_int_eq(status->metrics[1]->kind, CYGNET__METRIC__KIND__GAUGE);
	ck_assert_double_eq(status->metrics[0]->value, 41.25);
	ck_assert_uint_eq(status->metrics[0]->n_labels, 2);
	ck_assert_str_eq(status->metrics[0]->labels[1]->value, "value.0");

	reply = (Cygnet__RpcReply *)new_message(&cygnet__rpc_reply__descriptor,
						0, PICK_FIRST, a);
	ck_assert_int_eq(reply->status, CYGNET__RPC_STATUS__RPC_TIMEOUT);
	arena_free(a);
	free(a);
}
END_TEST

/* The generated list really holds everything, shared types included. */
START_TEST(test_list_complete)
{
	bool seen_request = false, seen_status = false;

	ck_assert_uint_ge(N_MESSAGES, 10);
	for (size_t i = 0; i < N_MESSAGES; i++) {
		seen_request |= all_messages[i] == &cygnet__rpc_request__descriptor;
		seen_status |= all_messages[i] == &cygnet__status__descriptor;
	}
	ck_assert(seen_request && seen_status);
}
END_TEST

static Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("proto");

	tcase_add_loop_test(tc, test_round_trip, 0, N_MESSAGES);
	tcase_add_test(tc, test_known_fields);
	tcase_add_test(tc, test_list_complete);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(proto_suite)
