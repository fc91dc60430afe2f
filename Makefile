# Shouwang — `make run` builds and serves the demo; `make test` runs every test.
CC      ?= gcc
PKGS     = libmicrohttpd jansson sqlite3 libpq libsodium libqrencode xlsxwriter gnutls libcurl
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I/usr/include/postgresql
LDLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpq -lm -pthread
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

SRC      = $(sort $(wildcard src/*.c src/core/*.c src/store/*.c src/http/*.c src/domain/*.c src/domain/*/*.c))
LIBSRC   = $(filter-out src/main.c,$(SRC))
HDR      = $(wildcard src/*/*.h src/domain/*/*.h)
MIGR     = $(sort $(wildcard src/store/migrations/*.sql))
WEBSRC   = $(shell find web/src web/index.html web/public web/vite.config.js web/package.json -type f 2>/dev/null)
GEN      = build/migrations.c build/webapp.c

.PHONY: all run deps web test style unit api api-sqlite api-pg e2e bench fuzz soak cluster-test clean asan
all: bin/shouwang

deps:
	@scripts/deps.sh

build/embed: scripts/embed.c
	@mkdir -p build
	$(CC) -O1 -o $@ $<

build/migrations.c: build/embed $(MIGR)
	build/embed migrations $@ $(MIGR)

# The web app: Vite build, gzip copies, embedded as byte arrays.
build/webapp.stamp: $(WEBSRC)
	@mkdir -p build
	cd web && npx vite build --logLevel warn
	find web/dist -type f ! -name '*.gz' -exec gzip -9nkf {} \;
	touch $@

build/webapp.c: build/embed build/webapp.stamp
	build/embed web $@ web/dist $$(find web/dist -type f ! -name '*.gz' | sort)

# The library: every source but main.c compiled once into build/obj (release) and
# build/san (AddressSanitizer + UBSan), with -MMD header tracking, then archived. The
# server, the unit tests and the fuzzers link against it instead of compiling again.
OBJ      = $(patsubst %.c,build/obj/%.o,$(LIBSRC) $(GEN))
SANOBJ   = $(patsubst %.c,build/san/%.o,$(LIBSRC) $(GEN))
SANFLAGS = $(CFLAGS:-O2=-O1) $(SAN)

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<
build/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -MMD -MP -c -o $@ $<
# The embedded web app is bytes only: no optimiser time, no sanitizer counters.
build/obj/build/webapp.o build/san/build/webapp.o: build/webapp.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS:-O2=-O0) -c -o $@ $<

build/libshouwang.a: $(OBJ)
	rm -f $@ && ar rcs $@ $^
build/libshouwang-san.a: $(SANOBJ)
	rm -f $@ && ar rcs $@ $^

bin/shouwang: build/obj/src/main.o build/libshouwang.a
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The server under test: the same library with AddressSanitizer and UBSan.
bin/shouwang-asan: build/san/src/main.o build/libshouwang-san.a
	@mkdir -p bin
	$(CC) $(SANFLAGS) -o $@ $^ $(LDLIBS)

asan: bin/shouwang-asan

# C unit tests (cmocka), each tests/unit/test_*.c a binary linked with the library.
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_SRC))
build/unit/%: tests/unit/%.c build/libshouwang-san.a
	@mkdir -p build/unit
	$(CC) $(SANFLAGS) -Isrc -MMD -MP -o $@ $< build/libshouwang-san.a $(LDLIBS) -lcmocka

-include $(OBJ:.o=.d) $(SANOBJ:.o=.d) build/obj/src/main.d build/san/src/main.d $(UNIT_BIN:=.d)

style:
	@scripts/checksrc.sh

unit:
	@$(MAKE) --no-print-directory -j$(JOBS) $(UNIT_BIN)
	cd tests && SHOUWANG_REQUIRE_PG=1 ./pg-cluster.sh run ../scripts/run-unit.sh $(addprefix ../,$(UNIT_BIN))

api: api-sqlite api-pg
api-sqlite: bin/shouwang-asan
	cd tests && SHOUWANG_BIN=../bin/shouwang-asan SHOUWANG_BACKEND=sqlite ./run-node-tests.sh api/
api-pg: bin/shouwang-asan
	cd tests && SHOUWANG_BIN=../bin/shouwang-asan SHOUWANG_BACKEND=postgresql ./pg-cluster.sh run ./run-node-tests.sh api/

e2e: bin/shouwang
	cd tests && SHOUWANG_BIN=../bin/shouwang ./run-node-tests.sh e2e/

test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) bin/shouwang bin/shouwang-asan
	@scripts/test-all.sh

run: deps
	@$(MAKE) --no-print-directory -j$(JOBS) bin/shouwang
	@scripts/run.sh

bench: deps
	@$(MAKE) --no-print-directory bin/shouwang
	bench/run.sh

fuzz: deps
	@fuzz/run.sh

# The crash test repeated: SOAK_ROUNDS (100) kill -9 rounds per backend; not in `make test`.
soak: deps
	@$(MAKE) --no-print-directory -j$(JOBS) bin/shouwang
	tests/soak/run.sh

# Two shouwang processes on Patroni + etcd + haproxy (and pgbouncer), a write load, the
# primary killed and later a whole node: prints acknowledged and lost; not in `make test`.
cluster-test: deps
	@$(MAKE) --no-print-directory -j$(JOBS) bin/shouwang
	tests/cluster/run.sh

clean:
	rm -rf bin build web/dist
