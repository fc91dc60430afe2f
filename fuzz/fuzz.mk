# fuzz.mk — builds the libFuzzer targets; fuzz/run.sh calls it from the repository root.
#
# The library sources are compiled once each into build/fuzz/obj with coverage
# instrumentation and sanitizers (-MMD tracks their headers), so a run after an edit
# recompiles only what changed. Flags and libraries follow the top-level Makefile.
CC_FUZZ ?= clang
PKGS     = libmicrohttpd jansson sqlite3 libpq libsodium libqrencode xlsxwriter gnutls
O        = build/fuzz

SRC      = $(sort $(wildcard src/core/*.c src/store/*.c src/http/*.c src/domain/*.c src/domain/*/*.c))
LIBSRC   = $(filter-out src/main.c,$(SRC))
GEN      = build/migrations.c build/webapp.c
OBJ      = $(patsubst %.c,$(O)/obj/%.o,$(LIBSRC) $(GEN))

# -O1 keeps stacks readable while the fuzzer still runs fast; no -Werror on the
# library: clang warns about things gcc (the project's compiler) does not.
CFLAGS_F = -std=c17 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -pthread \
           -fsanitize=address,undefined -fno-sanitize-recover=undefined \
           $(shell pkg-config --cflags $(PKGS)) -I/usr/include/postgresql
LDLIBS_F = $(shell pkg-config --libs $(PKGS)) -lpq -lm -pthread

TARGETS  = $(O)/fuzz_router $(O)/fuzz_json $(O)/fuzz_csv $(O)/fuzz_xlsx $(O)/fuzz_multipart
.PHONY: all
# The objects are kept between runs (they are not intermediate files to delete).
.SECONDARY:
all: $(TARGETS)

# The embedded web app is data, not code worth covering: no coverage counters.
$(O)/obj/build/webapp.o: build/webapp.c
	@mkdir -p $(dir $@)
	$(CC_FUZZ) $(CFLAGS_F) -O0 -c -o $@ $<

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC_FUZZ) $(CFLAGS_F) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(O)/fuzz_%: fuzz/fuzz_%.c $(OBJ)
	$(CC_FUZZ) $(CFLAGS_F) -Wall -Wextra -Werror -fsanitize=fuzzer -MMD -MP -o $@ $< $(OBJ) $(LDLIBS_F)

-include $(OBJ:.o=.d) $(TARGETS:=.d)
