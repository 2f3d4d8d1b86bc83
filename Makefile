# skiff — build, run an example, test, bench, install.
# `make run` and `make test` work on a fresh Debian 12 machine (as root): they install
# the system packages they need first.

SWIFT     ?= swift
PREFIX    ?= /usr/local
COMMIT    := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
# A fully static executable: no dynamic loader, no relocation of shared libraries
# (skiff --version 2.9 ms → 1.8 ms here); libseccomp links from libseccomp-dev's .a.
BUILDFLAGS = -c release --static-swift-stdlib -Xswiftc -static-executable -Xcc -DSKIFF_COMMIT=\"$(COMMIT)\"
BIN        = .build/release/skiff
ROOTFS     = spec-examples/rootfs
STATE     ?= /run/skiff
PYTHON     = /usr/bin/python3
DEBS       = busybox-static libseccomp-dev pkg-config runc hyperfine python3-pytest file user-mode-linux cpio

FUZZ_BIN     = .build/fuzz-config
FUZZ_SECONDS ?= 300

ORCH_DEBS  = podman conmon containerd docker.io catatonit containernetworking-plugins iptables uidmap \
             python3-grpcio python3-grpc-tools

.PHONY: all deps orch-deps build rootfs run test unit integration test-vm test-orchestrators fuzz fuzz-short bench install clean

all: build

deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build $(BUILDFLAGS)

rootfs: deps
	@[ -x $(ROOTFS)/bin/busybox ] || scripts/mkrootfs.sh $(ROOTFS)

run: build rootfs
	$(BIN) --root $(STATE) run --bundle spec-examples/hello hello-$$$$

unit: deps
	$(SWIFT) test

integration: build rootfs
	SKIFF=$(CURDIR)/$(BIN) ROOTFS=$(CURDIR)/$(ROOTFS) $(PYTHON) -m pytest -q Tests/integration

test: unit integration test-vm test-orchestrators fuzz-short

orch-deps:
	@missing=""; for p in $(ORCH_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# podman+conmon, containerd (ctr and CRI) and dockerd driving skiff, each with private
# roots and sockets under a temporary directory (Tests/orchestrators).
test-orchestrators: build rootfs orch-deps
	SKIFF=$(CURDIR)/$(BIN) ROOTFS=$(CURDIR)/$(ROOTFS) $(PYTHON) -m pytest -v Tests/orchestrators

# cgroup v2 limits, proven in a User-Mode-Linux guest with a pure cgroup2 hierarchy
# (this host's limits live in cgroup v1): Tests/vm/cgtest.sh runs inside it.
test-vm: build rootfs
	$(PYTHON) Tests/vm/mkpayload.py $(BIN) $(ROOTFS) .build/vm-payload
	scripts/vm/run-guest.sh $(BIN) .build/vm-payload

# libFuzzer on the config decoder and validator (Fuzz/FuzzConfig.swift), seeded with the
# spec-examples configs; `make fuzz` runs FUZZ_SECONDS, `make test` a short pass.
$(FUZZ_BIN): Fuzz/FuzzConfig.swift $(wildcard Sources/SkiffOCI/*.swift)
	@mkdir -p .build
	$(SWIFT)c -O -sanitize=fuzzer,address -parse-as-library $(wildcard Sources/SkiffOCI/*.swift) Fuzz/FuzzConfig.swift -o $@ 2>&1 | grep -v "Cannot export local symbol" || true
	@test -x $@

fuzz: $(FUZZ_BIN)
	@rm -rf .build/fuzz-corpus && mkdir -p .build/fuzz-corpus
	@for d in spec-examples/*/; do cp $$d/config.json .build/fuzz-corpus/$$(basename $$d).json; done
	$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=5 -print_final_stats=1 .build/fuzz-corpus

fuzz-short:
	$(MAKE) fuzz FUZZ_SECONDS=20

bench: build rootfs
	scripts/bench.sh $(BIN) $(ROOTFS)

install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/skiff

clean:
	rm -rf .build $(ROOTFS)
