# Cygnet build.  Conventions (so adding a file never needs an edit here):
#   proto/*.proto            -> generated into $(BUILD)/proto, linked into libcygnet.a
#   common/*.c               -> libcygnet.a
#   services/<svc>/*.c       -> lib<svc>.a (everything but main.c) + main.c -> binary
#   tests/unit/<dir>/test_*.c, tests/integration/test_*.c
#                            -> one Check binary per file; <dir> = a service links lib<dir>.a
#   tests/fuzz/fuzz_*.c      -> libFuzzer targets (clang, make fuzz)
#   tests/bench/bench_*.c    -> benchmarks (make bench)

VERSION   := 0.1.0
BUILD     ?= build
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
SANITIZE  ?=

SERVICES  := ike authority pool kernel
PKGS      := libprotobuf-c openssl libcurl libmnl libsystemd sqlite3

CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O2 -MMD -MP \
	-fno-strict-aliasing -I$(BUILD)/proto -Icommon -Iservices \
	-DCYGNET_VERSION=\"$(VERSION)\"
ifneq ($(SANITIZE),)
CFLAGS_BASE += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS := $(CFLAGS_BASE) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LDLIBS := -lnng $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

PROTO_SRC  := $(wildcard proto/*.proto)
PROTO_C    := $(patsubst proto/%.proto,$(BUILD)/proto/%.pb-c.c,$(PROTO_SRC))
PROTO_H    := $(PROTO_C:.c=.h)
COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(COMMON_SRC)) $(PROTO_C:.c=.o)
LIBCYGNET  := $(BUILD)/libcygnet.a

svc_src    = $(filter-out services/$(1)/main.c,$(wildcard services/$(1)/*.c))
svc_lib    = $(BUILD)/lib$(1).a
BINS       := $(foreach s,$(SERVICES),$(BUILD)/bin/cygnet-$(s)) $(BUILD)/bin/cygnetctl

UNIT_SRC   := $(wildcard tests/unit/*/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
INTEG_SRC  := $(wildcard tests/integration/test_*.c)
INTEG_BINS := $(patsubst tests/integration/%.c,$(BUILD)/tests/integration/%,$(INTEG_SRC))
BENCH_SRC  := $(wildcard tests/bench/bench_*.c)
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/tests/bench/%,$(BENCH_SRC))
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))

.PHONY: all tests deps run check check-unit check-integration check-interop check-vm \
	check-deploy check-asan asan fuzz bench install clean
.SECONDARY:

all: $(BINS)
tests: $(UNIT_BINS) $(INTEG_BINS)

# ---- generated protobuf code ------------------------------------------------
$(BUILD)/proto/%.pb-c.c $(BUILD)/proto/%.pb-c.h: proto/%.proto
	@mkdir -p $(dir $@)
	protoc-c --proto_path=proto --c_out=$(BUILD)/proto $<

$(BUILD)/proto/%.pb-c.o: $(BUILD)/proto/%.pb-c.c $(PROTO_H)
	$(CC) $(ALL_CFLAGS) -Wno-unused-parameter -c -o $@ $<

# Every message descriptor of proto/*.proto, for tests that walk them all.
$(BUILD)/proto/all_messages.h: $(PROTO_H)
	{ for h in $(notdir $(PROTO_H)); do echo "#include \"$$h\""; done; \
	  echo 'static const ProtobufCMessageDescriptor *const all_messages[] = {'; \
	  sed -n 's/^extern const ProtobufCMessageDescriptor \([a-z0-9_]*\);$$/\t\&\1,/p' $(PROTO_H); \
	  echo '};'; } > $@
$(BUILD)/tests/unit/common/test_proto: $(BUILD)/proto/all_messages.h

# ---- objects ------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBCYGNET): $(COMMON_OBJ)
	@rm -f $@
	ar rcs $@ $^

# $(1) = service directory, $(2) = binary name
define service_rules
$(call svc_lib,$(1)): $$(patsubst %.c,$(BUILD)/obj/%.o,$$(call svc_src,$(1))) $(BUILD)/obj/empty.o
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	ar rcs $$@ $$^

$(BUILD)/bin/$(2): $(BUILD)/obj/services/$(1)/main.o $(call svc_lib,$(1)) $(LIBCYGNET)
	@mkdir -p $$(dir $$@)
	$(CC) $(LDFLAGS) -o $$@ $$^ $(LDLIBS)
endef
$(foreach s,$(SERVICES),$(eval $(call service_rules,$(s),cygnet-$(s))))
$(eval $(call service_rules,ctl,cygnetctl))

# A service library may be empty (ar needs one member).
$(BUILD)/obj/empty.o:
	@mkdir -p $(dir $@)
	echo 'typedef int cygnet_empty_unit;' | $(CC) $(ALL_CFLAGS) -x c -c -o $@ -

# ---- tests --------------------------------------------------------------------
# tests/unit/<dir>/test_x.c links lib<dir>.a when <dir> names a service.
# Only the test's own service library is a prerequisite, so a service that
# does not build holds up its own tests only.
unit_lib = $(if $(filter $(SERVICES) ctl,$(firstword $(subst /, ,$(1)))),$(call svc_lib,$(firstword $(subst /, ,$(1)))))
.SECONDEXPANSION:
$(BUILD)/tests/unit/%: tests/unit/%.c $(LIBCYGNET) $$(call unit_lib,$$*) $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
		$(call unit_lib,$*) $(LIBCYGNET) $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/tests/integration/%: tests/integration/%.c $(LIBCYGNET) $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIBCYGNET) $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/tests/bench/%: tests/bench/%.c $(LIBCYGNET) $(foreach s,$(SERVICES),$(call svc_lib,$(s))) $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(foreach s,$(SERVICES),$(call svc_lib,$(s))) $(LIBCYGNET) $(LDLIBS)

deps:
	deploy/deps.sh

RESULTS := $(abspath $(BUILD))/results
export CYGNET_BIN := $(abspath $(BUILD))/bin

check-unit: tests
	tests/tools/run-check $(RESULTS)/unit $(UNIT_BINS)

check-integration: all tests
	tests/tools/run-check $(RESULTS)/integration $(INTEG_BINS)

# Scenario parts: tests/<part>/run-all writes $(RESULTS)/<part>.
check-interop check-vm check-deploy: check-%: all
	tests/$*/run-all $(RESULTS)/$*

CHECK_PARTS := unit integration interop vm deploy

# The test command README.md names: installs what is missing, then every part,
# then one summary line "N passed, N failed".
check:
	@deploy/deps.sh --if-missing
	@rm -rf $(RESULTS); mkdir -p $(RESULTS)
	@for part in $(CHECK_PARTS); do \
		$(MAKE) --no-print-directory check-$$part || touch $(RESULTS)/$$part.broken; \
	done
	@tests/tools/summary $(RESULTS)

asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 all tests

check-asan:
	$(MAKE) BUILD=build-asan SANITIZE=1 check-unit check-integration

fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang \
		CFLAGS="-fsanitize=fuzzer-no-link,address,undefined" fuzz-targets

fuzz-targets: $(FUZZ_BINS)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIBCYGNET) $(foreach s,$(SERVICES),$(call svc_lib,$(s))) $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
		$(foreach s,$(SERVICES),$(call svc_lib,$(s))) $(LIBCYGNET) $(LDLIBS)

bench: all $(BENCH_BINS)
	tests/bench/run-all $(abspath $(BUILD))

# Packages first: on a fresh machine the build itself needs them.
run:
	@deploy/deps.sh --if-missing
	@$(MAKE) --no-print-directory all
	deploy/run-demo $(abspath $(BUILD)/bin)

UNITDIR ?= $(PREFIX)/lib/systemd/system

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(PREFIX)/lib/sysusers.d
	install -m 0755 $(foreach s,$(SERVICES),$(BUILD)/bin/cygnet-$(s)) $(DESTDIR)$(PREFIX)/sbin/
	install -m 0755 $(BUILD)/bin/cygnetctl $(DESTDIR)$(PREFIX)/bin/
	for u in deploy/systemd/*.service deploy/systemd/*.target; do \
		sed 's|@SBINDIR@|$(PREFIX)/sbin|g' $$u > $(DESTDIR)$(UNITDIR)/$$(basename $$u); \
	done
	install -m 0644 deploy/systemd/cygnet.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/cygnet.conf

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
