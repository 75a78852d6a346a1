# berth: make deps | build | lint | test | demo | bench
SHELL := /bin/bash
# Debian packages berth needs at run time (conmon, runtimes, init, network, busybox for the
# demo image) and for tests and benchmarks (the real clients and dockerd to compare with).
APT_PKGS := conmon crun runc catatonit tini iproute2 nftables busybox-static golang-github-containers-common \
            attr util-linux tar zstd procps curl python3-docker docker.io docker-compose skopeo openssl \
            prometheus docker-registry rsyslog rsyslog-openssl btrfs-progs openssh-client bzip2 xz-utils

.PHONY: deps deps-apt deps-node build lint test test-unit test-integration test-drivers demo bench clean

deps: deps-apt deps-node

deps-apt:
	@missing=$$(for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# npm ci refuses this lock file: node-unix-socket names per-platform optional packages that
# are not on the registry, so they cannot be locked. npm install honours the lock for
# everything else and skips them; --no-save keeps the lock file as committed.
node_modules/.package-lock.json: package-lock.json package.json
	npm ci --no-audit --no-fund 2>/dev/null || npm install --no-audit --no-fund --no-save
	@touch $@

deps-node: node_modules/.package-lock.json

build: deps-node
	node scripts/build.mjs

lint: deps-node
	npx tsc --noEmit -p .
	node scripts/check-layers.mjs

test-unit: deps-node
	npm run -s test:unit

test-integration: deps build
	npm run -s test:integration

# The image suites again on the vfs and btrfs graph drivers (overlay2 is the main run's).
test-drivers: deps build
	bash scripts/test-drivers.sh

test: deps build lint test-unit test-integration test-drivers

demo: deps build
	bash scripts/demo.sh

bench: deps build
	node bench/run.mjs

clean:
	rm -rf dist
