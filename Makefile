# SPDX-License-Identifier: MIT
# Thin wrapper over CMake. `make` builds build/snapdir and the libraries;
# `make test` runs every suite (C under ASan/UBSan); `make lint`; `make bench`.

BUILD      ?= build
ASAN_BUILD ?= build-asan
GENERATOR  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all bootstrap configure test test-asan test-release lint bench fuzz \
        demo wheel tsan clean

all: bootstrap
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(GENERATOR) \
	    -DCMAKE_BUILD_TYPE=Release -DSNAPDIR_WERROR=ON
	cmake --build $(BUILD) -j $(JOBS)

bootstrap:
	@scripts/bootstrap --check 2>/dev/null || scripts/bootstrap

# The C suites run against a sanitized build; leaks, overflows and UB fail.
test-asan: bootstrap
	@test -f $(ASAN_BUILD)/CMakeCache.txt || cmake -S . -B $(ASAN_BUILD) \
	    $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DSNAPDIR_WERROR=ON \
	    -DSNAPDIR_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    ctest --output-on-failure -j $(JOBS) -LE python

# ThreadSanitizer over the thread pool: the unit tests and a real
# push / pull / sync round trip (scripts/demo) on a TSan build.
tsan: bootstrap
	@test -f build-tsan/CMakeCache.txt || cmake -S . -B build-tsan \
	    $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DSNAPDIR_TESTS=ON \
	    -DCMAKE_C_FLAGS="-fsanitize=thread -g" \
	    -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread \
	    -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread
	cmake --build build-tsan -j $(JOBS)
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/unit_tests
	TSAN_OPTIONS=halt_on_error=1 SNAPDIR_BIN=build-tsan/snapdir scripts/demo

# Suites that load the library into Python run against the release build.
test-release: all
	cd $(BUILD) && ctest --output-on-failure -L python

test: test-asan test-release

demo: all
	scripts/demo

lint: bootstrap
	scripts/lint

bench: all
	bench/run.sh

fuzz: bootstrap
	cmake -S . -B build-fuzz $(GENERATOR) -DCMAKE_C_COMPILER=clang \
	    -DCMAKE_BUILD_TYPE=Debug -DSNAPDIR_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS)
	# new inputs go to build-fuzz/corpus-*; copy crashers into fuzz/corpora
	mkdir -p build-fuzz/corpus-manifest build-fuzz/corpus-uri
	build-fuzz/fuzz/manifest_fuzzer -max_total_time=60 \
	    build-fuzz/corpus-manifest fuzz/corpora/manifest_fuzzer
	build-fuzz/fuzz/store_uri_fuzzer -max_total_time=30 \
	    build-fuzz/corpus-uri fuzz/corpora/store_uri_fuzzer

# The abi3 wheel (cp310-abi3), repaired into a manylinux wheel by auditwheel.
wheel: bootstrap
	rm -rf dist wheelhouse
	python3 -m build --wheel --no-isolation --outdir dist .
	auditwheel repair --wheel-dir wheelhouse dist/*.whl
	auditwheel show wheelhouse/*.whl

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz build-tsan build-py dist \
	    wheelhouse
