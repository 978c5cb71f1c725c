# Parley build. `make` builds build/parley; `make run` installs what is missing,
# builds and starts the server; `make test` installs test dependencies and runs
# every test (unit tests and API tests under ASan+UBSan, browser tests, store
# tests against SQLite and PostgreSQL). See README.md.

CC       ?= cc
# libcrypto (OpenSSL): RS256 and ES256 signatures of OpenID Connect ID tokens,
# which libsodium does not do.
PKGS     := libevent libevent_pthreads jansson libcmark libutf8proc libsodium sqlite3 zlib \
            libbrotlienc libcrypto
# libpq: its header at build time; the library is opened at run time, only for a
# postgres:// database (src/store/pq_dl.c). Tests that talk to PostgreSQL
# directly link it.
PQ_CFLAGS = $(shell pkg-config --cflags libpq 2>/dev/null)
PQ_LIBS   = $(shell pkg-config --libs libpq 2>/dev/null)
# libxml2: the same, opened at run time by the importer only (src/import/xml_dl.c),
# so `parley serve` never maps it and the ICU and C++ libraries it needs.
XML_CFLAGS = $(shell pkg-config --cflags libxml-2.0 2>/dev/null)
# libcurl: the same, opened at run time (src/util/curl_dl.c) only by the mail
# sender (when smtp_url is set), the webhook sender and OpenID Connect login, so
# a server with none of them never maps it and the TLS, Kerberos and LDAP
# libraries it needs.
CURL_CFLAGS = $(shell pkg-config --cflags libcurl 2>/dev/null)
WARN     := -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla -Wimplicit-fallthrough
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(PQ_CFLAGS) $(XML_CFLAGS) $(CURL_CFLAGS)
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
             zlib1g-dev libbrotli-dev libcurl4-openssl-dev libssl-dev wamerican wbritish
DEB_TEST  := libcmocka-dev postgresql nginx-light wrk chromium clang clang-format clang-tidy curl \
             python3 python3-aiosmtpd openssl prometheus sqlite3 systemd strace
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

LIB_SRC  := $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
WEB      := $(shell find web -type f 2>/dev/null | sort)
DATA_FILES := $(shell find data -type f ! -name '*.md' 2>/dev/null | sort)
GEN_SRC  := build/gen/assets.c build/gen/data_files.c build/gen/dict.c

# The version (VERSION) and the git commit it was built from, written into
# build/gen/version.h, which is rewritten only when they change. Outside a git
# checkout of this tree (a release tarball) the commit is "unknown".
VERSION    := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_COMMIT := $(shell [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ] && \
                git rev-parse --short=12 HEAD 2>/dev/null)
GIT_DIRTY  := $(if $(GIT_COMMIT),$(shell git diff --quiet HEAD -- 2>/dev/null || echo -dirty))
BUILD_COMMIT := $(if $(GIT_COMMIT),$(GIT_COMMIT)$(GIT_DIRTY),unknown)

REL_OBJ  := $(patsubst src/%.c,build/obj/%.o,$(LIB_SRC)) build/obj/gen/assets.o build/obj/gen/data_files.o build/obj/gen/dict.o
SAN_OBJ  := $(patsubst src/%.c,build/asan/obj/%.o,$(LIB_SRC)) build/asan/obj/gen/assets.o build/asan/obj/gen/data_files.o build/asan/obj/gen/dict.o
TSAN_OBJ := $(patsubst src/%.c,build/tsan/obj/%.o,$(LIB_SRC)) build/tsan/obj/gen/assets.o build/tsan/obj/gen/data_files.o build/tsan/obj/gen/dict.o

UNIT_SRC := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BIN := $(patsubst tests/unit/%.c,build/asan/tests/%,$(UNIT_SRC))

FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_REPLAY := $(patsubst fuzz/%.c,build/asan/fuzz/%,$(FUZZ_SRC))
FUZZ_LIBFUZZER := $(patsubst fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))

.PHONY: all run deps test-deps test check unit api browser proxy tsan fuzz-replay fuzz model golden \
        bench format format-fix format-web clean pgtest evalmodel bench-moderation tidy openapi tsan-ci \
        langid i18n boundaries

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
	@cd tests && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund

# ---- build -----------------------------------------------------------------
build/gen/assets.c: $(WEB) build/tools/bin2c
	@mkdir -p $(dir $@)
	build/tools/bin2c $@ assets web $(WEB)

build/gen/data_files.c: $(DATA_FILES) build/tools/bin2c
	@mkdir -p $(dir $@)
	build/tools/bin2c $@ data_files data $(DATA_FILES)

# The English word list of the glued-word rule (src/moderation/dict.h), from
# Debian's wamerican and wbritish (`make deps` installs them): words of 2 to
# 24 letters, names included ("Cockburn"), lower-cased, sorted, one per line, compiled into the binary.
DICT_LISTS := /usr/share/dict/american-english /usr/share/dict/british-english
build/gen/dict/en.txt: $(wildcard $(DICT_LISTS))
	@mkdir -p $(dir $@)
	@for f in $(DICT_LISTS); do [ -r $$f ] || { \
	  echo "missing $$f: run 'make deps' (Debian packages wamerican, wbritish)" >&2; exit 1; }; done
	LC_ALL=C cat $(DICT_LISTS) | LC_ALL=C grep -E '^[A-Za-z]{2,24}$$' | LC_ALL=C tr A-Z a-z | \
	  LC_ALL=C sort -u > $@.tmp
	@mv $@.tmp $@

build/gen/dict.c: build/gen/dict/en.txt build/tools/bin2c
	build/tools/bin2c $@ dict_files build/gen build/gen/dict/en.txt

build/gen/version.h: FORCE
	@mkdir -p $(dir $@)
	@printf '#define PARLEY_VERSION "%s"\n#define PARLEY_COMMIT "%s"\n' \
	  '$(VERSION)' '$(BUILD_COMMIT)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
build/obj/main.o build/asan/obj/main.o: build/gen/version.h
.PHONY: FORCE
FORCE:

build/tools/bin2c: tools/bin2c.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -o $@ $<

build/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -std=c11 -c -o $@ $<

build/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(CFLAGS) $(HOT_CFLAGS) -MMD -MP -c -o $@ $<

# The classifier's inner loops (int8 rows into float sums, the hidden layer)
# run on every comment: at -O3 the compiler turns them into vector code
# (docs/MODERATION.md, "Speed and memory": 1.6x the whole engine). Only the
# order of independent sums changes, so scores stay bit for bit the same.
build/obj/moderation/classifier.o: HOT_CFLAGS = -O3

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

# Unit test binaries. tests/unit/filter.c wraps cmocka's runner so that
# PARLEY_TEST_FILTER / PARLEY_TEST_SKIP select tests by name (CONTRIBUTING.md).
# -MMD writes build/asan/tests/NAME.d (one source per compiler call, so the
# file lists that source's headers): a changed header rebuilds the binary.
build/asan/testlib/filter.o: tests/unit/filter.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -Wno-missing-prototypes $(SAN_FLAGS) -MMD -MP -c -o $@ $<

build/asan/tests/%: tests/unit/%.c build/asan/testlib/filter.o $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) -Itests $(WARN) -Wno-missing-prototypes $(SAN_FLAGS) \
	  -MMD -MP -Wl,--wrap=_cmocka_run_group_tests \
	  -o $@ $< build/asan/testlib/filter.o $(SAN_OBJ) $(LIBS) $(PQ_LIBS) -lcmocka

# The trainer's build-time code is tested like the server's: tools/NAME.c by
# tests/unit/tools/test_NAME.c (augment: the disguised copies; cbias: the
# corpus groups of --corpus-bias).
build/asan/tests/tools/test_%: tests/unit/tools/test_%.c tools/%.c tools/%.h \
  build/asan/testlib/filter.o $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) -Itests -Itools $(WARN) -Wno-missing-prototypes $(SAN_FLAGS) \
	  -Wl,--wrap=_cmocka_run_group_tests -o $@ $< tools/$*.c build/asan/testlib/filter.o \
	  $(SAN_OBJ) $(LIBS) $(PQ_LIBS) -lcmocka

# The engine's unit tests once more against the release objects: the
# sanitizer builds never take the code paths picked at run time for the
# processor (classifier.c's AVX2 row sums and target clones), so these runs
# are what tests them bit for bit against the plain loops.
REL_UNIT := build/rel/tests/moderation/test_classifier build/rel/tests/moderation/test_spamscore \
  build/rel/tests/moderation/test_golden
build/rel/testlib/filter.o: tests/unit/filter.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -Wno-missing-prototypes $(CFLAGS) -MMD -MP -c -o $@ $<

build/rel/tests/%: tests/unit/%.c build/rel/testlib/filter.o $(REL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) -Itests $(WARN) -Wno-missing-prototypes $(CFLAGS) \
	  -MMD -MP -Wl,--wrap=_cmocka_run_group_tests \
	  -o $@ $< build/rel/testlib/filter.o $(REL_OBJ) $(LIBS) $(PQ_LIBS) -lcmocka

build/asan/testlib/replay.o: fuzz/replay.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(SAN_FLAGS) -MMD -MP -c -o $@ $<

build/asan/fuzz/%: fuzz/%.c build/asan/testlib/replay.o $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(SAN_FLAGS) -MMD -MP -o $@ $< build/asan/testlib/replay.o \
	  $(SAN_OBJ) $(LIBS)

# Classifier trainer and evaluator (build time only; they link the server's
# featuriser so both hash the same features). `make model` retrains.
build/tools/train: tools/train.c tools/corpora.c tools/corpora.h tools/metrics.c tools/metrics.h \
  tools/augment.c tools/augment.h tools/cbias.c tools/cbias.h $(REL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) -O3 -march=x86-64-v2 -o $@ tools/train.c tools/corpora.c \
	  tools/metrics.c tools/augment.c tools/cbias.c $(REL_OBJ) $(LIBS)

build/tools/evalmodel: tools/evalmodel.c tools/corpora.c tools/corpora.h tools/metrics.c tools/metrics.h $(REL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) -O2 -o $@ tools/evalmodel.c tools/corpora.c tools/metrics.c $(REL_OBJ) $(LIBS)

# The training and evaluation data sets are not in the repository (their
# licences differ, and they hold offensive text): DATA names the directory
# that holds them, one folder per set (olid/, kaggle-insults-2012/,
# davidson2017/, toxic-spans/, ...; data/README.md names each set and
# where it comes from). Default: ../shared/data beside the checkout (or beside
# its parent, for a worktree). `make model DATA=/srv/parley-data` retrains
# from another place.
DATA_DIR_DEFAULT := $(firstword $(wildcard ../shared/data ../../shared/data) ../shared/data)
DATA_DIR = $(if $(DATA),$(DATA),$(DATA_DIR_DEFAULT))
SHARED_DATA = $(DATA_DIR)
# Stops with a clear message when the directory is not there.
need-data = @[ -d "$(DATA_DIR)" ] || { \
  echo "$@: no data directory at $(DATA_DIR)." >&2; \
  echo "  Run \`make $@ DATA=DIR\`: DIR holds the public moderation data sets, one folder" >&2; \
  echo "  per set; data/README.md lists each set, the files read and where it comes from." >&2; \
  exit 2; }

# The shipped model's recipe (docs/MODERATION.md, "Training", twelfth pass):
# 32 pooled filters over single words, disguised copies of 30% of the
# abusive and of the clean TRAIN samples, the news sites' comments weighted
# up, and the hold threshold chosen on the news comments' folds
# (`tools/news_cv.sh -e -- $(MODEL_RECIPE)`, without --hold-at).
MODEL_RECIPE = --filters 32 --width 1 --augment 0.3 --augment-clean 0.3 \
  --weight civil=3 --weight fox-news=2 --hold-at 0.56

model: build/tools/train
	$(need-data)
	@mkdir -p data/model
	build/tools/train --data $(DATA_DIR) --out data/model/parley.model $(MODEL_RECIPE)

# Character trigram profiles for language detection (src/moderation/langid.c),
# from the gettext translations Debian packages install (tools/langprofile.mjs;
# docs/MODERATION.md, "Languages"). `make langid` rewrites the file; review the
# diff and `node tools/langprofile.mjs --test` before committing it.
langid:
	node tools/langprofile.mjs --out data/langid/profiles.tsv

evalmodel: build/tools/evalmodel
	$(need-data)
	build/tools/evalmodel --data $(DATA_DIR) --model data/model/parley.model

-include $(shell find build/obj build/asan/obj build/tsan/obj build/asan/tests build/asan/testlib build/rel \
  build/asan/fuzz build/fuzz -name '*.d' 2>/dev/null)

# ---- run -------------------------------------------------------------------
# `make run PORT=8090` listens on 127.0.0.1:8090; without PORT the address
# comes from PARLEY_LISTEN (or the default, 127.0.0.1:8080), and the database
# from PARLEY_DB (default sqlite:parley.db).
PORT ?=
run: deps
	$(MAKE) build/parley
	build/parley serve $(if $(PORT),--listen 127.0.0.1:$(PORT))

# ---- install ---------------------------------------------------------------
# `make install [PREFIX=/usr/local] [DESTDIR=...]`: the binary, the man page,
# the systemd unit (paths filled in) and, unless one exists, a config file with
# every setting commented out. `make uninstall` removes them again, and the
# config file only while it is still the unedited sample. docs/DEPLOY.md.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR    ?= /etc/systemd/system
.PHONY: install uninstall
install: build/parley
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSCONFDIR)/parley
	install -m 0755 build/parley $(DESTDIR)$(BINDIR)/parley
	install -m 0644 dist/parley.1 $(DESTDIR)$(MANDIR)/man1/parley.1
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' dist/parley.service.in \
	  > $(DESTDIR)$(UNITDIR)/parley.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/parley.service
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/parley/parley.conf ]; then \
	  echo "keeping $(DESTDIR)$(SYSCONFDIR)/parley/parley.conf"; \
	else build/parley config --sample > $(DESTDIR)$(SYSCONFDIR)/parley/parley.conf && \
	  chmod 0644 $(DESTDIR)$(SYSCONFDIR)/parley/parley.conf; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/parley $(DESTDIR)$(MANDIR)/man1/parley.1 \
	  $(DESTDIR)$(UNITDIR)/parley.service
	@c=$(DESTDIR)$(SYSCONFDIR)/parley/parley.conf; \
	if [ -e "$$c" ] && [ -x build/parley ] && build/parley config --sample | cmp -s - "$$c"; then \
	  rm -f "$$c"; rmdir $(DESTDIR)$(SYSCONFDIR)/parley 2>/dev/null || true; \
	elif [ -e "$$c" ]; then echo "keeping $$c (edited; remove it yourself)"; fi

# ---- tests -----------------------------------------------------------------
# check: what needs no outside service (unit tests, fuzz corpus replay).
check: unit fuzz-replay

# Every binary runs even when one fails; the failing ones are named at the
# end. PARLEY_TEST_FILTER='pattern' runs only the matching test cases.
unit: $(UNIT_BIN) $(REL_UNIT)
	@failed=""; for t in $(UNIT_BIN) $(REL_UNIT); do echo "== $$t"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t || failed="$$failed $$t"; \
	done; if [ -n "$$failed" ]; then echo "unit: FAILED:$$failed" >&2; exit 1; fi

fuzz-replay: $(FUZZ_REPLAY)
	@failed=""; for f in $(FUZZ_REPLAY); do n=$$(basename $$f); n=$${n#fuzz_}; \
	  echo "== $$f fuzz/corpus/$$n"; $$f fuzz/corpus/$$n || failed="$$failed $$f"; \
	done; if [ -n "$$failed" ]; then echo "fuzz-replay: FAILED:$$failed" >&2; exit 1; fi

# The API suite checks every response a test's Client receives against
# docs/openapi.yaml (tests/lib/openapi.mjs) and records which operations it
# saw; the coverage check then fails for an operation no test exercised.
OPENAPI_SEEN := build/openapi-seen
api: build/asan/parley build/parley
	@rm -rf $(OPENAPI_SEEN) && mkdir -p $(OPENAPI_SEEN)
	cd tests && PARLEY_OPENAPI_SEEN=../$(OPENAPI_SEEN) PARLEY_BIN=../build/asan/parley \
	  node --test --test-concurrency=1 api/
	cd tests && node lib/openapi-coverage.mjs ../docs/openapi.yaml ../$(OPENAPI_SEEN)

# docs/openapi.yaml against the OpenAPI 3.1 schema (@readme/openapi-parser).
openapi:
	@cd tests && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
	cd tests && node lib/openapi-validate.mjs ../docs/openapi.yaml

browser: build/parley
	cd tests && PARLEY_BIN=../build/parley node --test --test-concurrency=1 browser/

# dist/nginx/parley.conf in front of the sanitizer build over HTTPS (a
# certificate made by openssl in a temporary directory), with Chromium.
proxy: build/asan/parley
	cd tests && PARLEY_BIN=../build/asan/parley node --test --test-concurrency=1 proxy/

# The API suite against a ThreadSanitizer build: a data race the tests reach
# is in the server's log, which fails the test that stopped it (stopClean).
tsan: build/tsan/parley build/parley
	cd tests && PARLEY_BIN=../build/tsan/parley TSAN_OPTIONS="second_deadlock_stack=1" PARLEY_TEST_TIME_SCALE=4 \
	  node --test --test-concurrency=1 api/

# The part of the API suite that drives the server's threads hardest (live
# streams, concurrent writes and the writer's durability, connection limits,
# reloads, the webhook and mail senders) against the ThreadSanitizer build:
# a quick look before landing; make test runs the whole suite (`make tsan`).
TSAN_TESTS := api/streams.test.mjs api/live.test.mjs api/durability.test.mjs \
  api/conn_limits.test.mjs api/reload.test.mjs api/webhooks.test.mjs api/comments.test.mjs \
  api/mail.test.mjs
tsan-ci: build/tsan/parley build/parley
	cd tests && PARLEY_BIN=../build/tsan/parley TSAN_OPTIONS="second_deadlock_stack=1" \
	  PARLEY_TEST_TIME_SCALE=4 node --test --test-concurrency=1 $(TSAN_TESTS)

# The module boundaries of src/ (tools/boundaries.sh): no include cycle between
# folders, server/ includes no product module (api, app, mail, import), private
# headers (*_int.h) stay in their module. The faults src/ still has are listed in
# tools/boundaries.known: a new one fails, and so does a listed one that is gone
# (docs/ARCHITECTURE.md, "Module boundaries").
boundaries:
	@tools/boundaries.sh --known tools/boundaries.known src

# Runs every suite even when an earlier one fails, names the failed ones at
# the end and exits non-zero if there is any. A failed build stops it (the
# suites after it would only repeat the build error).
# tidy (clang-tidy over src/) costs about 200 CPU seconds, 100 s on two cores.
TEST_SUITES := format boundaries i18n openapi tidy check api tsan pgtest browser proxy
test: test-deps
	@$(MAKE) all build/asan/parley || { echo "test: the build FAILED" >&2; exit 1; }
	@failed=""; for s in $(TEST_SUITES); do echo "==== make $$s"; \
	  $(MAKE) $$s || failed="$$failed $$s"; done; \
	if [ -n "$$failed" ]; then echo "test: FAILED:$$failed" >&2; exit 1; fi; \
	echo "test: every suite passed ($(TEST_SUITES))"

# Store and API suites against a throwaway PostgreSQL cluster (tests/pg.sh
# starts it on a free port and stops it afterwards).
pgtest: build/asan/parley build/asan/tests/store/test_store build/asan/tests/store/test_desk
	@if [ -x tests/pg.sh ]; then tests/pg.sh; else echo "pgtest: no PostgreSQL suite yet"; fi

# libFuzzer builds (clang); run e.g. build/fuzz/fuzz_markdown fuzz/corpus/markdown
# The library is compiled once (instrumented for coverage but without
# libFuzzer's main, -fsanitize=fuzzer-no-link) and each target links it.
FUZZ_FLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJ := $(patsubst src/%.c,build/fuzz/obj/%.o,$(LIB_SRC)) \
  $(patsubst build/gen/%.c,build/fuzz/obj/gen/%.o,$(GEN_SRC))
fuzz: $(FUZZ_LIBFUZZER)
# Kept between builds (make would delete them as intermediate files).
.SECONDARY: $(FUZZ_OBJ)
build/fuzz/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
build/fuzz/%: fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -MMD -MP \
	  -o $@ $< $(FUZZ_OBJ) $(LIBS)

# Rewrites tests/render/*.html from the renderer; review the diff.
golden: build/asan/tests/render/test_markdown
	ASAN_OPTIONS=detect_leaks=1 build/asan/tests/render/test_markdown --write

# The C style of CONTRIBUTING.md (.clang-format); `make format-fix` rewrites in place.
# web/ has its own check (tools/webcheck.mjs: line length, blanks, syntax).
format: format-web
	@clang-format --dry-run -Werror $$(find src tests/unit fuzz tools bench -name '*.[ch]') && \
	  echo "format: all C files follow .clang-format"

format-web:
	@node tools/webcheck.mjs web

# The widget's message catalogues (web/i18n/*.json) against web/embed.js:
# every key in every catalogue, none unused, every plural form, the same
# placeholders as English (tools/i18ncheck.mjs, docs/widget.md).
i18n:
	@node tools/i18ncheck.mjs web

# clang-tidy with .clang-tidy over src/ (every finding is an error), two
# files at a time. The generated assets come first: src/ includes their header.
tidy: $(GEN_SRC)
	@find src -name '*.c' | sort | xargs -P2 -I{} clang-tidy --quiet --warnings-as-errors='*' {} \
	  -- $(CPPFLAGS) $(PKG_CFLAGS) -std=c11 && echo "tidy: clang-tidy reports nothing in src/"

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
	$(need-data)
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
# YouTube Spam Collection, the news-comment spam and clean comments of
# bench/spam_news.tsv and the (clean, for spam) Fox News comments, with the link
# lists of bench/spam.conf; each on all rows and on the rows held out of the
# spam score's training (spamscore.h).
SPAM_TSV := build/bench/youtube-spam.tsv bench/spam_news.tsv build/bench/fox-news.tsv
.PHONY: bench-spam spam-model
bench-spam: build/bench/spam_eval $(SPAM_TSV)
	build/bench/spam_eval --config bench/spam_noscore.conf $(SPAM_TSV)
	build/bench/spam_eval $(SPAM_TSV)
	build/bench/spam_eval --config bench/spam.conf $(SPAM_TSV)

build/bench/youtube-spam.tsv: build/tools/csv2tsv
	$(need-data)
	@mkdir -p $(dir $@)
	{ printf 'CLASS,CONTENT\n'; cat $(SHARED_DATA)/youtube-spam/Youtube01-Psy.csv; } > build/bench/psy.csv
	build/tools/csv2tsv build/bench/psy.csv CLASS CONTENT > $@.tmp
	build/tools/csv2tsv $(SHARED_DATA)/youtube-spam/Youtube05-Shakira.csv CLASS CONTENT | \
	  sed 's/^1\t/spam\t/; s/^0\t/ham\t/' >> $@.tmp
	mv $@.tmp $@

build/bench/fox-news.tsv: build/tools/spamtrain
	$(need-data)
	@mkdir -p $(dir $@)
	build/tools/spamtrain --jsonl2tsv $(SHARED_DATA)/fox-news-comments/fox-news-comments.json > $@.tmp
	mv $@.tmp $@

# Retrains the spam score (data/spam/spam.model) from the same sets, with
# hard negatives from the TRAIN comments of the corpora in $(SHARED_DATA).
spam-model: build/tools/spamtrain $(SPAM_TSV)
	@mkdir -p data/spam
	build/tools/spamtrain --data $(SHARED_DATA) --out data/spam/spam.model $(SPAM_TSV)

build/tools/spamtrain: tools/spamtrain.c tools/corpora.c tools/corpora.h $(REL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) -O2 -o $@ tools/spamtrain.c tools/corpora.c $(REL_OBJ) $(LIBS)

build/bench/spam_eval: bench/spam_eval.c $(REL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) $(CFLAGS) -o $@ $< $(REL_OBJ) $(LIBS)

build/tools/csv2tsv: tools/csv2tsv.c $(REL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARN) -O2 -o $@ $< $(REL_OBJ) $(LIBS)

# ---- languages (docs/MODERATION.md, "Languages") ------------------------------
# Recall and false positives per language on Parley's own labelled comments:
# the set the lists were checked against, then the held-out one.
.PHONY: bench-languages
bench-languages: build/parley
	bench/lang_eval.sh build/parley languages.tsv
	bench/lang_eval.sh build/parley languages-test.tsv

# ---- widget benchmark (bench/RESULTS.md, "Widget") ---------------------------
.PHONY: bench-widget
bench-widget: build/parley
	@cd tests && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund
	node bench/widget_bench.mjs
