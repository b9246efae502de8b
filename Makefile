# radsched — build, test, run.  See README.md and docs/development.md.
# Sources are found by wildcard: every src/<layer>/**/*.c goes into build/libradsched.a,
# src/cmd/*.c into build/radsched, every tests/**/test_*.c into its own Check binary.
# SRC_DIRS narrows the library to some layers (helpers building one module alone).

BUILD    ?= build
SAN      ?=
CC       ?= gcc
PKGS     := libmicrohttpd jansson libcurl openssl libical check libpq cbc
SRC_DIRS ?= $(filter-out src/cmd,$(wildcard src/*))

CPPFLAGS += -Isrc -Itests/support -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -MMD -MP
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c17 -Wall -Wextra -Werror -Wshadow -Wvla -Wformat=2 -Wno-missing-field-initializers -Wno-format-truncation -fno-strict-aliasing -pthread
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LDLIBS   += $(PKG_LIBS) -lm -lpthread
ifeq ($(SAN),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

LIB_SRC  := $(shell find $(SRC_DIRS) -name '*.c' 2>/dev/null | sort)
CMD_SRC  := $(wildcard src/cmd/*.c)
TEST_SUP := $(wildcard tests/support/*.c)
TEST_SRC := $(shell find tests -name 'test_*.c' 2>/dev/null | sort)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ  := $(CMD_SRC:%.c=$(BUILD)/%.o)
SUP_OBJ  := $(TEST_SUP:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:%.c=$(BUILD)/%)

.PHONY: all build deps run test test-unit test-integration test-asan bench bench-engine clean fmt

all: build
build: $(BUILD)/radsched

deps:
	@scripts/bootstrap.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libradsched.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/radsched: $(CMD_OBJ) $(BUILD)/libradsched.a
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libradsched.a $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(SUP_OBJ) $(BUILD)/libradsched.a
	$(CC) $(LDFLAGS) -o $@ $< $(SUP_OBJ) $(BUILD)/libradsched.a $(LDLIBS)

test-bins: $(TEST_BIN)

# make run: install what is missing, build, start the platform with the demo department.
run: deps build
	$(BUILD)/radsched dev

# make test: install, build (plain and ASan+UBSan), run every suite.
test: deps
	@scripts/test.sh

bench: deps build
	@scripts/bench.sh

bench-engine: deps build
	@scripts/bench-engine.sh

clean:
	rm -rf build build-asan build-*

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(SUP_OBJ:.o=.d) $(TEST_BIN:=.d)
