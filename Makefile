# SPDX-License-Identifier: GPL-2.0
#
# make            build duonet.ko for every kernel of the matrix make deps
#                 resolved (tools/kernels.sh), else for every supported kernel
#                 whose headers are installed (6.1, 6.12, 7.x), into build/<release>/
# make KDIR=dir   build against that one kernel tree only
# make deps       install what the build, the lab and the tests need (root)
# make check      the whole test suite; ends with "N passed, N failed"
# make stress     the long stress (tools/vm/scenarios/stress.sh, DUO_STRESS=long:
#                 100 unplugs, 20 migrations ...) on every guest kernel, the
#                 debug kernel too (13 min on 6.12, more there); as check
# make bench      the benchmarks (tools/bench/): CSV, tables, a plot into
#                 tools/bench/results/ and docs/benchmarks.md; not part of check
# make kunit      the KUnit suites on UML (kunit/run.sh)
# make demo       boot the lab guest, move traffic, migrate, print a timeline
# make tools      duoctl, duotrace and the lab's host tools (build/tools/)
# make deb        the Debian packages duonet-dkms, duonet-tools and duonet-host, into build/deb/
#                 (in a git clone or in a release tarball: the same packages)
# make dist       the release tarball build/duonet-<version>.tar.gz
# make dkms-install [KVER=release]  the module's source into /usr/src, then
#                 dkms add, build, install for KVER or every kernel with headers (root)
# make dkms-remove [KVER=release]  undo it (for KVER only: keep the source)
# make clean      remove build/

SUPPORTED_SERIES := 6.1 6.12 7
W ?= 1

ifdef KDIR
KDIRS := $(KDIR)
else
KDIRS := $(foreach s,$(SUPPORTED_SERIES),$(wildcard /lib/modules/$(s).*/build))
# Where make deps resolved the kernel matrix, make (as root: the chroots)
# builds all of it, each kernel where its compiler is (the host or its
# suite's chroot).
ifeq ($(shell id -u),0)
MATRIX := $(shell tools/kernels.sh list 2>/dev/null | awk '{ print $$2 }')
endif
endif

# Sources are mirrored by symlink into one output folder per kernel, so the
# objects of different kernels never mix and the tree stays clean. A kernel
# rebuilt with another configuration under the same release (the debug
# kernel) empties its folder: since 6.13 kbuild no longer sees an external
# module's objects go stale when the configuration changes.
include sources.mk
SRCS := Kbuild sources.mk compat/compat.mk $(wildcard $(addsuffix /*.[ch],$(duo_srcdirs)))
CFLAGS_TOOLS := -O2 -Wall -Wextra -Werror

.PHONY: all modules deps check stress bench kunit demo tools clean help \
	deb dist dkms-source dkms-install dkms-remove

all: modules tools

modules:
ifneq ($(strip $(MATRIX)),)
	@set -e; for k in $(MATRIX); do tools/kernels.sh make $$k modules W=$(W); done
else
	@[ -n "$(strip $(KDIRS))" ] || { echo "no headers for a supported kernel ($(SUPPORTED_SERIES)): run 'make deps'" >&2; exit 1; }
	@set -e; for kd in $(KDIRS); do \
		kr=$$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $$kd/include/generated/utsrelease.h); \
		out=$(CURDIR)/build/$$kr; \
		cfg=$$(cksum < $$kd/include/generated/autoconf.h); \
		if [ "$$(cat $$out/.kconfig 2>/dev/null)" != "$$cfg" ]; then \
			rm -rf $$out; mkdir -p $$out; echo "$$cfg" > $$out/.kconfig; \
		fi; \
		mkdir -p $$out; \
		find $$out -xtype l -delete; \
		for f in $(SRCS); do \
			mkdir -p $$out/$$(dirname $$f); \
			ln -sfn $(CURDIR)/$$f $$out/$$f; \
		done; \
		echo "  KBUILD  $$kr"; \
		$(MAKE) -C $$kd M=$$out W=$(W) modules; \
	done
endif

tools: build/tools/lossmeter build/tools/gexec build/tools/duoctl build/tools/duotrace build/tools/steer \
	build/tools/xdpfilter build/bpf/xdpfilter.bpf.o build/tools/nlfuzz build/tools/spin build/tools/tstamp

build/tools/lossmeter: tools/vm/lossmeter.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -static -o $@ $<

build/tools/gexec: tools/vm/gexec.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $<

build/tools/spin: tools/bench/spin.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -static -o $@ $<

build/tools/tstamp: tools/tests/tstamp.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -static -o $@ $<

build/tools/nlfuzz: tools/tests/nlfuzz.c core/uapi.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $< -lmnl

build/tools/duoctl: tools/duoctl.c core/uapi.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $< -lmnl

# BPF programs (clang -target bpf) and their bpftool skeletons, then loaders.
# The objects stay: the lab guest loads xdpfilter.bpf.o with ip link.
.PRECIOUS: build/bpf/%.bpf.o
build/bpf/%.bpf.o: bpf/%.bpf.c bpf/%.h
	@mkdir -p $(@D)
	clang -O2 -g -ffile-prefix-map=$(CURDIR)=. -fdebug-compilation-dir=. -Wall -Werror -target bpf -I/usr/include/$(shell $(CC) -dumpmachine) -Ibpf -c $< -o $@

build/bpf/%.skel.h: build/bpf/%.bpf.o
	bpftool gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

build/tools/duotrace: bpf/duotrace.c bpf/duotrace.h build/bpf/duotrace.skel.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -Ibpf -Ibuild/bpf -o $@ $< -lbpf

build/tools/steer: bpf/steer.c bpf/steer.h build/bpf/steer.skel.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -Ibpf -Ibuild/bpf -o $@ $< -lbpf

build/tools/xdpfilter: bpf/xdpfilter.c bpf/xdpfilter.h build/bpf/xdpfilter.skel.h core/uapi.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -I. -Ibpf -Ibuild/bpf -o $@ $< -lbpf -lmnl

deps:
	tools/deps.sh

check: deps
	tools/check.sh

stress: deps
	DUO_ALLOW_SKIP=1 DUO_STRESS=long DUO_SCENARIOS=stress tools/check.sh

bench: deps
	$(MAKE) all
	tools/bench/bench.sh

kunit:
	kunit/run.sh

demo: deps
	$(MAKE) all
	tools/vm/demo.sh

clean:
	rm -rf build

help:
	@sed -n '3,20s/^# //p' Makefile

# ---- Packaging: DKMS and the Debian packages (debian/, packaging/) --------
# The module's version has one home: DUO_DRV_VERSION in core/duonet.h.
DUO_VERSION := $(shell sed -n 's/.*DUO_DRV_VERSION[[:space:]]*"\(.*\)".*/\1/p' core/duonet.h)
DKMS_SRC := /usr/src/duonet-$(DUO_VERSION)
DKMS_KVERS = $(or $(KVER),$(patsubst /lib/modules/%/build,%,$(wildcard /lib/modules/*/build)))
DKMS_NOT_PKG = if dpkg-query -W -f='$${Status}' duonet-dkms 2>/dev/null | grep -q 'ok installed'; then \
	echo "$@: the duonet-dkms package owns $(DKMS_SRC): use apt" >&2; exit 1; fi

# The module's source as DKMS builds it (Kbuild and the sources of the
# modules target), into DESTDIR: for dkms-install and debian/rules.
dkms-source:
	@[ -n "$(DESTDIR)" ] || { echo "dkms-source: set DESTDIR" >&2; exit 1; }
	mkdir -p $(DESTDIR)
	cp --parents $(SRCS) $(DESTDIR)/

dkms-install:
	@[ "$$(id -u)" = 0 ] || { echo "$@: run as root" >&2; exit 1; }
	@$(DKMS_NOT_PKG)
	@if [ -n "$$(dkms status -m duonet -v $(DUO_VERSION))" ]; then \
		dkms remove -m duonet -v $(DUO_VERSION) --all; fi
	rm -rf $(DKMS_SRC)
	$(MAKE) -s dkms-source DESTDIR=$(DKMS_SRC)
	sed 's/#MODULE_VERSION#/$(DUO_VERSION)/' dkms.conf > $(DKMS_SRC)/dkms.conf
	dkms add -m duonet -v $(DUO_VERSION)
	@set -e; for k in $(DKMS_KVERS); do \
		rc=0; dkms install -m duonet -v $(DUO_VERSION) -k $$k || rc=$$?; \
		case $$rc in \
		0) ;; \
		77) echo "$@: $$k skipped (not a series in BUILD_EXCLUSIVE_KERNEL, dkms.conf)" ;; \
		*) exit $$rc ;; \
		esac; \
	done

dkms-remove:
	@[ "$$(id -u)" = 0 ] || { echo "$@: run as root" >&2; exit 1; }
	@$(DKMS_NOT_PKG)
	@if [ -n "$(KVER)" ]; then \
		dkms remove -m duonet -v $(DUO_VERSION) -k $(KVER); \
	else \
		if [ -n "$$(dkms status -m duonet -v $(DUO_VERSION))" ]; then \
			dkms remove -m duonet -v $(DUO_VERSION) --all; fi; \
		rm -rf $(DKMS_SRC); \
	fi

# The project's files, NUL-separated: in a git clone (this folder its top)
# those git tracks or would track, as they are in the tree; elsewhere (a
# release tarball) every file but build/.
SRC_FILES = if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; then \
		git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do if [ -e "$$f" ]; then printf "%s\0" "$$f"; fi; done' sh; \
	else \
		find . \( -path ./build -o -path ./.git \) -prune -o \( -type f -o -type l \) -printf '%P\0'; \
	fi

# Built in a copy of the tree (SRC_FILES) in build/deb/src; the packages
# land in build/deb/. The same bytes from any clone or tarball of a tree
# (tools/tests/packaging.sh: release-tarball).
deb:
	rm -rf build/deb
	mkdir -p build/deb/src
	$(SRC_FILES) | tar --null -T - -cf - | tar -xf - -C build/deb/src
	# Every file dated as the changelog, as make dist dates them: the
	# packages' bytes then do not depend on when each file was checked out.
	find build/deb/src -exec touch -h -d "@$$(dpkg-parsechangelog -S Timestamp)" {} +
	cd build/deb/src && dpkg-buildpackage -us -uc -b
	@ls build/deb/*.deb

# The release tarball: SRC_FILES under duonet-<version>/, names sorted,
# times from debian/changelog, owner root: the same bytes for a tree.
dist:
	@mkdir -p build
	$(SRC_FILES) | LC_ALL=C sort -z > build/dist.files
	tar --no-recursion --transform 's,^,duonet-$(DUO_VERSION)/,' \
		--mtime="@$$(dpkg-parsechangelog -S Timestamp)" --owner=0 --group=0 \
		--numeric-owner --mode=go-w -cf build/dist.tar --null -T build/dist.files
	gzip -9nf build/dist.tar
	mv build/dist.tar.gz build/duonet-$(DUO_VERSION).tar.gz
	rm -f build/dist.files
	@echo build/duonet-$(DUO_VERSION).tar.gz
