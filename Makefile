# SPDX-License-Identifier: GPL-2.0
# Entry points of the project. `make help` lists them.

ROOT := $(CURDIR)
BUILD := $(ROOT)/build
KERNEL ?=
T ?=
export PH_BUILD := $(BUILD)

# kcsan runs in a plain make check when its kernel is already built (see
# scripts/check.sh: a cold build does not fit CI's time); KERNEL=kcsan builds it.
ALL_LINES := 6.1 6.12 debug kcsan
export PH_DEFAULT_LINES := $(if $(KERNEL),0,1)
CHECK_LINES := $(if $(KERNEL),$(KERNEL),$(ALL_LINES))
MODULE_LINES := $(if $(KERNEL),$(KERNEL),6.1 6.12)

CC := gcc
TEST_CFLAGS := -Wall -Wextra -Werror -O2 -g -I$(ROOT)/tests/igt/lib -I$(ROOT)/include/uapi \
	$(shell pkg-config --cflags libdrm 2>/dev/null)
TEST_LDLIBS := $(shell pkg-config --libs libdrm 2>/dev/null) -lpthread -lz

IGT_LIB_SRCS := $(wildcard tests/igt/lib/*.c)
IGT_LIB_HDRS := $(wildcard tests/igt/lib/*.h) $(wildcard include/uapi/drm/*.h)
IGT_LIB_OBJS := $(patsubst tests/igt/lib/%.c,$(BUILD)/tests/lib/%.o,$(IGT_LIB_SRCS))
# Not intermediate: keep them between builds.
.SECONDARY: $(IGT_LIB_OBJS)
IGT_BINS := $(patsubst tests/igt/%.c,$(BUILD)/tests/igt/%,$(wildcard tests/igt/*.c))
# mesa_*.c programs also link Mesa and run in their own guest (initrd-mesa.gz).
MESA_PKGS := gbm egl glesv2
DEMO_BINS := $(patsubst tests/demo/%.c,$(BUILD)/tests/demo/%,$(wildcard tests/demo/*.c))
SELFTEST_BINS := $(patsubst tests/bench/guest/%.c,$(BUILD)/tests/bench/%,$(wildcard tests/bench/guest/*.c))
# make bench's programs (tests/perf/), run in the guest under /perf.
PERF_BINS := $(patsubst tests/perf/%.c,$(BUILD)/tests/perf/%,$(wildcard tests/perf/*.c))

# Each program's subtests, recorded when it is built (the host runs the same
# x86-64 binaries): the judge fails every listed subtest that reports no
# result, whatever the program's exit status says.
LIST_DIR := $(BUILD)/tests/lists
LIST_SUBTESTS = @mkdir -p $(LIST_DIR) && $@ --list-subtests >$(LIST_DIR)/$(notdir $@).tmp && \
	mv $(LIST_DIR)/$(notdir $@).tmp $(LIST_DIR)/$(notdir $@) || \
	{ rm -f $@; echo "error: $@ --list-subtests failed; fix the program's subtest list"; exit 1; }

.PHONY: help deps modules tests lint htmldocs install debug-kernel check bench demo shell mutants clean

help:
	@echo "make demo               boot a guest and show the library at work (picture in build/demo/)"
	@echo "make check              build and run every test on 6.1, 6.12, debug (and kcsan if built)"
	@echo "  KERNEL=6.1|6.12|debug|kcsan  only these kernel lines;  T=GLOB  only these test programs"
	@echo "make bench              ph_vgem vs stock vgem, alternately in one boot: table, JSON, PNG in build/bench/"
	@echo "  KERNEL=6.1|6.12         one kernel line (default both)"
	@echo "make deps               install packages and fetch the Debian kernels (run by check/demo)"
	@echo "make modules            build our modules (KERNEL=6.1|6.12|debug|kcsan, default 6.1 and 6.12)"
	@echo "make tests              build the guest test programs"
	@echo "make lint               W=1 + sparse on 6.1 and 6.12, checkpatch --strict, kernel-doc"
	@echo "make htmldocs           the driver writer's guide and API reference, into build/htmldocs/"
	@echo "make install            build and install the modules for the running kernel"
	@echo "  KERNEL=6.1|6.12, KVER=, INSTALL_MOD_PATH=, DESTDIR= as usual; dkms.conf for DKMS"
	@echo "make debug-kernel       build (or reuse from the cache) the KASAN/lockdep kernel (KERNEL=kcsan: the KCSAN one)"
	@echo "make shell KERNEL=6.1   boot a guest with everything loaded, to an interactive shell"
	@echo "make mutants            break the library one listed way at a time; did the tests see it?"
	@echo "  KERNEL=6.1|6.12 (default 6.1);  M=GLOB[,GLOB]  only these mutants (tests/mutants/mutants.list)"
	@echo "make clean              remove build/ (the kernel cache in /var/cache/prime-helpers stays)"

deps:
	@bash scripts/deps.sh

debug-kernel: deps
	@bash scripts/build-debug-kernel.sh $(if $(filter kcsan,$(KERNEL)),kcsan,debug)

modules: deps
	@set -e; for k in $(MODULE_LINES); do \
		case $$k in debug|kcsan) bash scripts/build-debug-kernel.sh $$k;; esac; \
		bash scripts/build-modules.sh $$k; done

tests: $(IGT_BINS) $(SELFTEST_BINS) $(DEMO_BINS) $(PERF_BINS)

$(BUILD)/tests/lib/%.o: tests/igt/lib/%.c $(IGT_LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -c $< -o $@

$(BUILD)/tests/igt/mesa_%: tests/igt/mesa_%.c $(IGT_LIB_OBJS) $(IGT_LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(shell pkg-config --cflags $(MESA_PKGS) 2>/dev/null) $< $(IGT_LIB_OBJS) \
		$(TEST_LDLIBS) $(shell pkg-config --libs $(MESA_PKGS) 2>/dev/null) -o $@
	$(LIST_SUBTESTS)

$(BUILD)/tests/igt/%: tests/igt/%.c $(IGT_LIB_OBJS) $(IGT_LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $< $(IGT_LIB_OBJS) $(TEST_LDLIBS) -o $@
	$(LIST_SUBTESTS)

$(BUILD)/tests/demo/%: tests/demo/%.c $(IGT_LIB_OBJS) $(IGT_LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $< $(IGT_LIB_OBJS) $(TEST_LDLIBS) -o $@

$(BUILD)/tests/bench/%: tests/bench/guest/%.c $(IGT_LIB_OBJS) $(IGT_LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $< $(IGT_LIB_OBJS) $(TEST_LDLIBS) -o $@
	$(LIST_SUBTESTS)

$(BUILD)/tests/perf/%: tests/perf/%.c tests/perf/perf.h $(IGT_LIB_OBJS) $(IGT_LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $< $(IGT_LIB_OBJS) $(TEST_LDLIBS) -o $@

htmldocs: deps
	@bash scripts/htmldocs.sh

install:
	@bash scripts/install.sh $(if $(KERNEL),$(KERNEL),host)

lint: deps
	@bash scripts/lint.sh "$(MODULE_LINES)"

check:
	@bash scripts/deps.sh
	@bash scripts/check.sh "$(CHECK_LINES)" "$(T)"

demo:
	@bash scripts/deps.sh
	@$(MAKE) -s tests
	@bash scripts/demo.sh $(if $(KERNEL),$(KERNEL),6.1)

bench:
	@bash scripts/deps.sh
	@$(MAKE) -s tests
	@bash scripts/bench.sh "$(MODULE_LINES)"

mutants:
	@bash scripts/deps.sh
	@$(MAKE) -s tests
	@python3 scripts/mutants.py $(if $(KERNEL),$(KERNEL),6.1) "$(M)"

shell:
	@bash scripts/deps.sh
	@$(MAKE) -s tests
	@bash scripts/check.sh "$(if $(KERNEL),$(KERNEL),6.1)" "" shell

clean:
	rm -rf $(BUILD)
