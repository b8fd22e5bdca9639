# The libFuzzer build of pgstack (GNU make; run by scripts/dev fuzz, see
# scripts/lib/fuzz.sh): every source of src/ and the unit-test fixtures the
# harnesses reuse, compiled with clang for coverage-guided fuzzing with
# AddressSanitizer and UndefinedBehaviorSanitizer into BUILD (its own
# directory, so the autotools build and `make check` never see these
# objects), then one program per tests/fuzz/fuzz_<name>.c.
#   make -f tests/fuzz/fuzz.mk ROOT=<repository> BUILD=<dir> [NAMES="query jwt"]
ROOT ?= .
BUILD ?= $(ROOT)/.dev/fuzz/build
CC := clang
PKGS := fcgi libpq json-c libjwt libcrypto libcurl libcrypt cunit vips
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
VERSION := $(shell awk -F'[][]' '/^AC_INIT/ {print $$4}' $(ROOT)/configure.ac)
CPPFLAGS := -I$(BUILD) -I$(ROOT)/src -I$(ROOT)/tests/unit/rest -I$(ROOT)/tests/fuzz -D_GNU_SOURCE \
	-DPGSTACK_SQL_DIR='"$(ROOT)/sql"' $(shell pkg-config --cflags $(PKGS))
CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter -Werror $(SAN)
# the realtime daemon's libraries have no pkg-config file in Debian
LIBS := $(shell pkg-config --libs $(PKGS)) -lwslay -lhttp_parser

# The product's sources (not the CLI's main), the fixtures of tests/unit/rest
# and the harnesses' shared helpers.
SRC := $(filter-out $(ROOT)/src/cli/main.c,$(shell find $(ROOT)/src -name '*.c' | sort))
FIXTURES := $(addprefix $(ROOT)/tests/unit/rest/,parse_test_util.c catalog_fixture.c \
	rpc_fixture.c write_fixture.c)
COMMON := $(filter-out $(ROOT)/tests/fuzz/fuzz_% $(ROOT)/tests/fuzz/selftest.c,\
	$(wildcard $(ROOT)/tests/fuzz/*.c))
ALL_NAMES := $(patsubst $(ROOT)/tests/fuzz/fuzz_%.c,%,$(wildcard $(ROOT)/tests/fuzz/fuzz_*.c))
NAMES ?= $(ALL_NAMES)

obj = $(patsubst $(ROOT)/%.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJ := $(call obj,$(SRC) $(FIXTURES) $(COMMON))

all: $(addprefix $(BUILD)/fuzz_,$(NAMES)) $(BUILD)/selftest

$(BUILD)/autoconfig.h: $(ROOT)/configure.ac
	@mkdir -p $(@D)
	printf '#define PACKAGE "pgstack"\n#define PACKAGE_NAME "pgstack"\n#define PACKAGE_VERSION "%s"\n#define VERSION "%s"\n' \
		'$(VERSION)' '$(VERSION)' >$@

# The words of pgstack's own SQL, for the harnesses' SQL check: every word
# in a string literal of src/ (sources and headers) or of the fixtures.
$(BUILD)/sql_words.h: $(shell find $(ROOT)/src -name '*.[ch]') $(FIXTURES) $(ROOT)/tests/fuzz/fuzz.mk
	@mkdir -p $(@D)
	cat $(filter-out %.mk,$^) | grep -o '"\([^"\\]\|\\.\)*"' | grep -oE '[A-Za-z_][A-Za-z0-9_]*' \
		| LC_ALL=C sort -u | sed 's/.*/"&",/' >$@
$(BUILD)/obj/tests/fuzz/harness.o: $(BUILD)/sql_words.h

# Library objects: instrumented for the fuzzer, without its main.
$(BUILD)/obj/%.o: $(ROOT)/%.c $(BUILD)/autoconfig.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(BUILD)/libfuzzpgstack.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/libfuzzpgstack.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer $< $(BUILD)/libfuzzpgstack.a $(LIBS) -o $@

# The check of the harnesses' own invariants (a program with its own main).
$(BUILD)/selftest: $(BUILD)/obj/tests/fuzz/selftest.o $(BUILD)/libfuzzpgstack.a
	$(CC) $(CFLAGS) $< $(BUILD)/libfuzzpgstack.a $(LIBS) -o $@

.PHONY: all
.SECONDARY:
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
