# Parley build. `make` builds build/parley; `make run` installs what is missing,
# builds and starts the server; `make test` installs test dependencies and runs
# every test (unit tests and API tests under ASan+UBSan, browser tests, store
# tests against SQLite and PostgreSQL). See README.md.

CC       ?= cc
PKGS     := libevent libevent_pthreads jansson libcmark libutf8proc libsodium sqlite3
# libpq: its header at build time; the library is opened at run time, only for a
# postgres:// database (src/store/pq_dl.c). Tests that talk to PostgreSQL
# directly link it.
PQ_CFLAGS = $(shell pkg-config --cflags libpq 2>/dev/null)
PQ_LIBS   = $(shell pkg-config --libs libpq 2>/dev/null)
# libxml2: the same, opened at run time by the importer only (src/import/xml_dl.c),
# so `parley serve` never maps it and the ICU and C++ libraries it needs.
XML_CFLAGS = $(shell pkg-config --cflags libxml-2.0 2>/dev/null)
# libcurl: the same, opened at run time by the webhook sender only
# (src/util/curl_dl.c), so a server without webhooks never maps it and the
# TLS, Kerberos and LDAP libraries it needs.
CURL_CFLAGS = $(shell pkg-config --cflags libcurl 2>/dev/null)
WARN     := -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla -Wimplicit-fallthrough
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(PQ_CFLAGS) $(XML_CFLAGS) \
             $(CURL_CFLAGS)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CPPFLAGS := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc -Ibuild/gen
CFLAGS   ?= -O2 -g
LIBS      = $(PKG_LIBS) -lpthread -lm -ldl

SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
# ThreadSanitizer build of the server (`make tsan`): the API suite against it.
TSAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=thread

# Debian packages: to build and run, and (in addition) to test.
DEB_BUILD := build-essential pkg-config libevent-dev libjansson-dev libcmark-dev \
             libutf8proc-dev libsodium-dev libsqlite3-dev libpq-dev libxml2-dev \
             libcurl4-openssl-dev
DEB_TEST  := libcmocka-dev postgresql nginx-light wrk chromium clang clang-format curl python3
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

LIB_SRC  := $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
WEB      := $(shell find web -type f 2>/dev/null | sort)
DATA     := $(shell find data -type f ! -name '*.md' 2>/dev/null | sort)
GEN_SRC  := build/gen/assets.c build/gen/data_files.c

REL_OBJ  := $(patsubst src/%.c,build/obj/%.o,$(LIB_SRC)) build/obj/gen/assets.o build/obj/gen/data_files.o
SAN_OBJ  := $(patsubst src/%.c,build/asan/obj/%.o,$(LIB_SRC)) build/asan/obj/gen/assets.o build/asan/obj/gen/data_files.o
TSAN_OBJ := $(patsubst src/%.c,build/tsan/obj/%.o,$(LIB_SRC)) build/tsan/obj/gen/assets.o build/tsan/obj/gen/data_files.o

UNIT_SRC := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BIN := $(patsubst tests/unit/%.c,build/asan/tests/%,$(UNIT_SRC))

FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_REPLAY := $(patsubst fuzz/%.c,build/asan/fuzz/%,$(FUZZ_SRC))
FUZZ_LIBFUZZER := $(patsubst fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

.PHONY: all run deps test-deps test check unit api browser tsan fuzz-replay fuzz model golden \
        bench format format-fix clean pgtest evalmodel bench-moderation

all: build/parley

# ---- dependencies ----------------------------------------------------------
deps:
	@missing=""; for p in $(DEB_BUILD); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq $$missing; \
	else echo "deps: all build packages present"; fi

test-deps: deps
	@missing=""; for p in $(DEB_TEST); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq $$missing; \
	else echo "test-deps: all test packages present"; fi
	@# Node.js may come from Debian or be preinstalled another way; only a
	@# machine without node or npm gets Debian's.
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  echo "installing: nodejs npm"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq nodejs npm; fi
	@cd tests && [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund

# ---- build -----------------------------------------------------------------
build/gen/assets.c: $(WEB) build/tools/bin2c
	@mkdir -p $(dir $@)
	build/tools/bin2c $@ assets web $(WEB)

build/gen/data_files.c: $(DATA) build/tools/bin2c
	@mkdir -p $(dir $@)
	build/tools/bin2c $@ data_files data $(DATA)

build/tools/bin2c: tools/bin2c.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -o $@ $<

build/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -std=c11 -c -o $@ $<

build/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

build/parley: build/obj/main.o $(REL_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

build/asan/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(SAN_FLAGS) -std=c11 -c -o $@ $<

build/asan/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

build/asan/parley: build/asan/obj/main.o $(SAN_OBJ)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(LIBS)

build/tsan/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(TSAN_FLAGS) -std=c11 -c -o $@ $<

build/tsan/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(TSAN_FLAGS) -MMD -MP -c -o $@ $<

build/tsan/parley: build/tsan/obj/main.o $(TSAN_OBJ)
	$(CC) $(TSAN_FLAGS) -o $@ $^ $(LIBS)

build/asan/tests/%: tests/unit/%.c $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) -Itests $(WARN) -Wno-missing-prototypes $(SAN_FLAGS) \
	  -o $@ $< $(SAN_OBJ) $(LIBS) $(PQ_LIBS) -lcmocka

build/asan/fuzz/%: fuzz/%.c fuzz/replay.c fuzz/fuzz.h $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(SAN_FLAGS) -o $@ $< fuzz/replay.c $(SAN_OBJ) $(LIBS)

# Classifier trainer and evaluator (build time only; they link the server's
# featuriser so both hash the same features). `make model` retrains.
TOOL_DS := tools/dataset.c tools/dataset.h
build/tools/train: tools/train.c $(TOOL_DS) $(REL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) -O2 -o $@ tools/train.c tools/dataset.c $(REL_OBJ) $(LIBS)

build/tools/evalmodel: tools/evalmodel.c $(TOOL_DS) $(REL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) -O2 -o $@ tools/evalmodel.c tools/dataset.c $(REL_OBJ) $(LIBS)

# ../shared/data beside the checkout (or beside its parent, for a worktree).
SHARED_DATA ?= $(firstword $(wildcard ../shared/data ../../shared/data) ../shared/data)
model: build/tools/train
	@mkdir -p data/model
	build/tools/train --data $(SHARED_DATA) --out data/model/parley.model

evalmodel: build/tools/evalmodel
	build/tools/evalmodel --data $(SHARED_DATA) --model data/model/parley.model

-include $(shell find build/obj build/asan/obj build/tsan/obj -name '*.d' 2>/dev/null)

# ---- run -------------------------------------------------------------------
run: deps
	$(MAKE) build/parley
	build/parley serve --listen 127.0.0.1:8080 --db sqlite:parley.db

# ---- tests -----------------------------------------------------------------
# check: what needs no outside service (unit tests, fuzz corpus replay).
check: unit fuzz-replay

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t; done

fuzz-replay: $(FUZZ_REPLAY)
	@set -e; for f in $(FUZZ_REPLAY); do n=$$(basename $$f); n=$${n#fuzz_}; \
	  echo "== $$f fuzz/corpus/$$n"; $$f fuzz/corpus/$$n; done

api: build/asan/parley build/parley
	cd tests && PARLEY_BIN=../build/asan/parley node --test --test-concurrency=1 api/

browser: build/parley
	cd tests && PARLEY_BIN=../build/parley node --test --test-concurrency=1 browser/

# The API suite against a ThreadSanitizer build: a data race the tests reach
# is in the server's log, which fails the test that stopped it (stopClean).
tsan: build/tsan/parley build/parley
	cd tests && PARLEY_BIN=../build/tsan/parley TSAN_OPTIONS="second_deadlock_stack=1" \
	  node --test --test-concurrency=1 api/

test: test-deps
	$(MAKE) format
	$(MAKE) all build/asan/parley
	$(MAKE) check
	$(MAKE) api
	$(MAKE) pgtest
	$(MAKE) browser

# Store and API suites against a throwaway PostgreSQL cluster (tests/pg.sh
# starts it on a free port and stops it afterwards).
pgtest: build/asan/parley build/asan/tests/store/test_store build/asan/tests/store/test_desk
	@if [ -x tests/pg.sh ]; then tests/pg.sh; else echo "pgtest: no PostgreSQL suite yet"; fi

# libFuzzer builds (clang); run e.g. build/fuzz/fuzz_markdown fuzz/corpus/markdown
fuzz: $(FUZZ_LIBFUZZER)
build/fuzz/%: fuzz/%.c fuzz/fuzz.h $(LIB_SRC) $(GEN_SRC)
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(PKG_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all \
	  -o $@ $< $(LIB_SRC) $(GEN_SRC) $(LIBS)

# Rewrites tests/render/*.html from the renderer; review the diff.
golden: build/asan/tests/render/test_markdown
	ASAN_OPTIONS=detect_leaks=1 build/asan/tests/render/test_markdown --write

# The C style of STYLE.md (.clang-format); `make format-fix` rewrites in place.
format:
	@clang-format --dry-run -Werror $$(find src tests/unit fuzz tools bench -name '*.[ch]') && \
	  echo "format: all C files follow .clang-format"

format-fix:
	clang-format -i $$(find src tests/unit fuzz tools bench -name '*.[ch]')

clean:
	rm -rf build

# ---- moderation benchmark (bench/RESULTS.md) --------------------------------
# The whole engine on ~1 KB comments packed from OLID tweets, then the npm
# filters allprofanity and obscenity on the same comments and evasion set.
# Every benchmark, one after another (results go to bench/RESULTS.md by hand,
# with the date and machine): the HTTP server beside nginx, idle live-update
# listeners, the moderation engine beside the npm filters, the widget.
bench: build/parley build/bench/evhttp_floor
	bench/http_bench.sh 6 32 256
	node bench/sse_listeners.mjs 10000
	$(MAKE) bench-moderation
	$(MAKE) bench-widget

bench-moderation: build/bench/moderation_bench
	build/bench/moderation_bench --corpus $(SHARED_DATA)/olid/olid-training-v1.0.tsv \
	  --evasion bench/evasion.tsv --out-comments build/bench/comments_1k.txt
	build/bench/moderation_bench --corpus $(SHARED_DATA)/olid/olid-training-v1.0.tsv \
	  --evasion bench/evasion.tsv --lexicon-only
	cd bench/npm && { [ -d node_modules/obscenity ] || npm ci --no-audit --no-fund; } && \
	  node bench.mjs ../../build/bench/comments_1k.txt ../evasion.tsv

build/bench/evhttp_floor: bench/evhttp_floor.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(CFLAGS) -o $@ $< $(LIBS)

build/bench/moderation_bench: bench/moderation_bench.c $(REL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(CFLAGS) -o $@ $< $(REL_OBJ) $(LIBS)

# Spam held or refused, clean comments stopped (bench/RESULTS.md, "Spam"): the
# YouTube Spam Collection and the news-comment spam of bench/spam_news.tsv,
# with the link lists of bench/spam.conf.
.PHONY: bench-spam
bench-spam: build/bench/spam_eval build/tools/csv2tsv
	{ printf 'CLASS,CONTENT\n'; cat $(SHARED_DATA)/youtube-spam/Youtube01-Psy.csv; } > build/bench/psy.csv
	build/tools/csv2tsv build/bench/psy.csv CLASS CONTENT > build/bench/youtube-spam.tsv
	build/tools/csv2tsv $(SHARED_DATA)/youtube-spam/Youtube05-Shakira.csv CLASS CONTENT | \
	  sed 's/^1\t/spam\t/; s/^0\t/ham\t/' >> build/bench/youtube-spam.tsv
	build/bench/spam_eval build/bench/youtube-spam.tsv bench/spam_news.tsv
	build/bench/spam_eval --config bench/spam.conf build/bench/youtube-spam.tsv bench/spam_news.tsv

build/bench/spam_eval: bench/spam_eval.c $(REL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(CFLAGS) -o $@ $< $(REL_OBJ) $(LIBS)

build/tools/csv2tsv: tools/csv2tsv.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -o $@ $<

# ---- widget benchmark (bench/RESULTS.md, "Widget") ---------------------------
.PHONY: bench-widget
bench-widget: build/parley
	@cd tests && [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
	node bench/widget_bench.mjs
