# corswasm: a CORS filter for Envoy and Istio, as a proxy-wasm module built
# with the standard Go toolchain. `make help` lists the targets.
#
# Two Go modules: the product at the root, and the test tooling (local host,
# end-to-end and harness tests) in tools/. Targets that test run both.

# The version the module logs and the command prints: the git description of
# the checkout (a tag, or a commit), or VERSION=… on the command line.
ifndef VERSION
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
endif
# Exactly the Go toolchain go.mod names, whatever go is on PATH: the
# module's bytes, and so the OCI image's digest, depend on it. Go fetches
# it through the module proxy when the local go is another release.
export GOTOOLCHAIN := $(shell sed -n 's/^toolchain //p' go.mod)
WASM_BUILD := GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -ldflags "-s -X github.com/corswasm/corswasm/filter.Version=$(VERSION)"
MODULE     := build/cors.wasm
# The corswasm command; the learned framework migration test runs it.
CLI        := build/corswasm
# The OCI image layout `make oci` writes (see tools/oci).
OCI        := build/oci
# A test-only module whose filter panics on demand (see filter/testhook.go).
PANICTEST  := build/cors-panictest.wasm
# A test-only module that counts its heap allocations in a counter (see
# internal/abi/stats_alloc.go).
ALLOCSTAT  := build/cors-allocstat.wasm
LATEGC     := build/cors-lategc.wasm
FUZZTIME   ?= 20s
BENCHTIME  ?= 1s
# go in the tools module; relative paths given to it start in tools/.
TOOLS_GO   := go -C tools

.PHONY: help build test test-envoyhost vet bench bench-go fuzz psl e2e-envoy clean oci push schema corswasm frameworks release release-test lint-workflows

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## build build/cors.wasm
	@mkdir -p build
	$(WASM_BUILD) -o $(MODULE) .
	@ls -l $(MODULE)

corswasm: $(CLI) ## build the corswasm command (check, explain, convert, learn) into build/corswasm

# Always run: go build itself decides whether the command is stale.
$(CLI): FORCE
	@mkdir -p build
	go build -ldflags "-X main.stampedVersion=$(VERSION)" -o $(CLI) ./cmd/corswasm

.PHONY: FORCE
FORCE:

oci: build ## write build/oci: the module as an OCI image Istio's WasmPlugin pulls
	$(TOOLS_GO) run ./cmd/oci build -module $(CURDIR)/$(MODULE) -out $(CURDIR)/$(OCI) -tag $(VERSION)

# IMAGE=registry.example/corswasm:v1.2.3; credentials as docker's
# (~/.docker/config.json, credential helpers).
push: oci ## push build/oci to IMAGE=REGISTRY/NAME:TAG
	@test -n "$(IMAGE)" || { echo "make push: set IMAGE=REGISTRY/NAME:TAG" >&2; exit 2; }
	$(TOOLS_GO) run ./cmd/oci push -layout $(CURDIR)/$(OCI) -image "$(IMAGE)"

# make release: what a release publishes, into RELEASE (default build/release):
# cors.wasm, the corswasm command for each of RELEASE_PLATFORMS
# (corswasm-GOOS-GOARCH, static, -trimpath, stamped with VERSION), their
# SHA256SUMS, and the module's OCI image (RELEASE/oci, not an asset) with its
# digest in cors.wasm.oci-digest. With IMAGE=REGISTRY/NAME:TAG it also pushes
# the image (credentials as `make push`), and cors.wasm.oci-digest names it
# by digest. .github/workflows/release.yml runs it on a tag.
RELEASE ?= build/release
RELEASE_PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
RELEASE_ABS := $(abspath $(RELEASE))

release: ## build the release assets into RELEASE (default build/release); with IMAGE=REGISTRY/NAME:TAG push the image too
	mkdir -p "$(RELEASE_ABS)"
	cd "$(RELEASE_ABS)" && rm -rf oci cors.wasm corswasm-* cors.wasm.oci-digest SHA256SUMS
	$(WASM_BUILD) -o "$(RELEASE_ABS)/cors.wasm" .
	set -e; for p in $(RELEASE_PLATFORMS); do \
		echo "corswasm-$${p%/*}-$${p#*/}"; \
		CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p#*/} go build -trimpath -ldflags "-X main.stampedVersion=$(VERSION)" \
			-o "$(RELEASE_ABS)/corswasm-$${p%/*}-$${p#*/}" ./cmd/corswasm; \
	done
	$(TOOLS_GO) run ./cmd/oci build -module "$(RELEASE_ABS)/cors.wasm" -out "$(RELEASE_ABS)/oci" -tag $(VERSION) \
		| tee "$(RELEASE_ABS)/oci.log"
	set -e; digest=$$(sed -n 's/^wrote .*: image \(sha256:[0-9a-f]*\)$$/\1/p' "$(RELEASE_ABS)/oci.log"); \
	test -n "$$digest"; \
	if [ -n "$(IMAGE)" ]; then \
		$(TOOLS_GO) run ./cmd/oci push -layout "$(RELEASE_ABS)/oci" -image "$(IMAGE)" | tee "$(RELEASE_ABS)/oci.log"; \
		grep -qF ": image $$digest" "$(RELEASE_ABS)/oci.log"; \
		repo=$$(echo "$(IMAGE)" | sed 's/:[^:/]*$$//'); \
		echo "$$repo@$$digest" > "$(RELEASE_ABS)/cors.wasm.oci-digest"; \
	else \
		echo "$$digest" > "$(RELEASE_ABS)/cors.wasm.oci-digest"; \
	fi
	rm "$(RELEASE_ABS)/oci.log"
	cd "$(RELEASE_ABS)" && sha256sum cors.wasm corswasm-* cors.wasm.oci-digest > SHA256SUMS
	@cat "$(RELEASE_ABS)/SHA256SUMS"
	@echo "image: $$(cat "$(RELEASE_ABS)/cors.wasm.oci-digest")"

# actionlint, pinned as a tool of its own module (tools/workflows: its YAML
# library conflicts with the tools module's), over .github/workflows, then the
# same check as a Go test that also shows it failing on broken workflows.
# shellcheck and pyflakes are not run (-shellcheck= -pyflakes=), wherever
# they are installed, so the result is the same on every machine.
lint-workflows: ## check .github/workflows with actionlint
	go -C tools/workflows tool actionlint -shellcheck= -pyflakes= $(CURDIR)/.github/workflows/*.yml
	go -C tools/workflows vet ./...
	go -C tools/workflows test -count=1 ./...

# The test of make release (tools/release, build tag corswasm_release): it
# cross-builds the command four times with -trimpath, which takes longer cold
# than go test's default timeout allows, so it runs here with its own.
release-test: ## run make release into a temporary directory against an in-process registry, and check what it wrote and pushed
	go -C tools vet -tags corswasm_release ./release/
	go -C tools test -count=1 -tags corswasm_release -timeout 60m -run TestMakeRelease ./release/

schema: ## regenerate config.schema.json from the parser's field table
	go run ./cmd/corswasm schema > config.schema.json

# `make run` settings; set them on the command line or in the environment,
# e.g. make run UPSTREAM=http://127.0.0.1:8080 CONFIG=my.json. CONFIG is any
# file `corswasm check` reads; PLUGIN names the plugin to run in a file that
# holds several.
CONFIG   ?= envoy/cors.json
PLUGIN   ?=
UPSTREAM ?=
LISTEN   ?= 127.0.0.1:10000
ADMIN    ?= 127.0.0.1:9901
WASI     ?= envoy-1.33

# Built, then exec'd rather than `go run` (which exits 1 after Ctrl-C
# whatever the program's exit code), so Ctrl-C ends it without make's
# "*** [run] Interrupt".
.PHONY: run
run: build ## run the module locally with CONFIG in front of UPSTREAM (default: an echo upstream)
	$(TOOLS_GO) build -o $(CURDIR)/build/corshost ./cmd/corshost
	exec build/corshost -module $(MODULE) -config "$(CONFIG)" -plugin "$(PLUGIN)" -upstream "$(UPSTREAM)" \
		-listen "$(LISTEN)" -admin "$(ADMIN)" -wasi "$(WASI)"

$(PANICTEST): build
	$(WASM_BUILD) -tags corswasm_panictest -o $(PANICTEST) .

$(ALLOCSTAT): build
	$(WASM_BUILD) -tags corswasm_allocstat -o $(ALLOCSTAT) .

$(LATEGC): build
	$(WASM_BUILD) -tags corswasm_lategc -o $(LATEGC) .

TEST_ENV := CORSWASM_MODULE=$(CURDIR)/$(MODULE) CORSWASM_PANICTEST_MODULE=$(CURDIR)/$(PANICTEST) \
	CORSWASM_ALLOCSTAT_MODULE=$(CURDIR)/$(ALLOCSTAT) CORSWASM_LATEGC_MODULE=$(CURDIR)/$(LATEGC) CORSWASM_VERSION=$(VERSION) CORSWASM_OCI_LAYOUT=$(CURDIR)/$(OCI) \
	CORSWASM_CLI=$(CURDIR)/$(CLI)

# The framework migration tests' Express app: its packages, exactly as
# package-lock.json pins them, installed again only when the lock changed.
# Without npm the tests skip Express (except under CI, where they fail).
EXPRESS := tools/e2e/frameworks/express

$(EXPRESS)/node_modules/.package-lock.json: $(EXPRESS)/package-lock.json $(EXPRESS)/package.json
	@if ! command -v npm >/dev/null 2>&1; then \
		if [ -n "$$CI" ]; then echo "frameworks: npm not found; CI must run the Express migration tests" >&2; exit 1; fi; \
		echo "frameworks: skipped: npm not found (the Express migration tests will skip)"; exit 0; \
	fi; \
	cd $(EXPRESS) && npm ci --no-audit --no-fund --loglevel=error

frameworks: $(EXPRESS)/node_modules/.package-lock.json ## install the framework migration tests' Express packages (npm ci, when package-lock.json changed)

test: build $(PANICTEST) $(ALLOCSTAT) $(LATEGC) $(CLI) oci vet lint-workflows release-test frameworks ## build the module and its image, then run every test (both modules) against them, also in Envoy's host library
	$(TEST_ENV) go test -count=1 ./...
	$(TEST_ENV) $(TOOLS_GO) test -count=1 ./...
	@$(MAKE) --no-print-directory test-envoyhost

# The envoyhost kit: Envoy's own Wasm host library and a harness around it
# (its README.md). Without it the tests in it skip, except under CI.
ENVOYHOST_KIT ?= ../shared/envoyhost
KIT := $(abspath $(ENVOYHOST_KIT))
# The Wasm engines the kit's harness runs the module on: Wasmtime, and V8
# (Envoy's default runtime, the V8 of Debian's libnode). Each gets its own
# build of the kit and its own run of the suite; a failure in one does not
# stop the other, and the target fails if either did. The suite's time
# limit leaves room for a machine busy with other work (it takes minutes on
# an idle one).
ENVOYHOST_ENGINES ?= wasmtime v8

test-envoyhost: build $(PANICTEST) $(ALLOCSTAT) $(LATEGC) ## build the envoyhost kit, then run the e2e suite, start-up checks, soaks and allocation proof in Envoy's Wasm host library, on each of ENVOYHOST_ENGINES (wasmtime v8)
	@if [ ! -f "$(KIT)/build.sh" ]; then \
		msg="no envoyhost kit at $(KIT) (../shared/envoyhost beside the repository, or set ENVOYHOST_KIT)"; \
		if [ -n "$$CI" ]; then echo "test-envoyhost: $$msg; CI must run the tests in Envoy's host library" >&2; exit 1; fi; \
		echo "test-envoyhost: skipped: $$msg"; exit 0; \
	fi; \
	failed=; \
	for engine in $(ENVOYHOST_ENGINES); do \
		echo "test-envoyhost: engine $$engine"; \
		start=$$(date +%s); \
		ENVOYHOST_ENGINE=$$engine "$(KIT)/build.sh" >/dev/null; rc=$$?; \
		if [ $$rc -eq 2 ] && [ -z "$$CI" ]; then echo "test-envoyhost: engine $$engine skipped: the kit cannot be built here (see above)"; continue; fi; \
		if [ $$rc -ne 0 ]; then echo "test-envoyhost: engine $$engine: the kit's build failed ($$rc)" >&2; failed="$$failed $$engine"; continue; fi; \
		built=$$(date +%s); \
		(set -x; $(TEST_ENV) ENVOYHOST_KIT=$(KIT) ENVOYHOST_ENGINE=$$engine E2E_HOST=envoyhost $(TOOLS_GO) test -count=1 -timeout 40m ./e2e/) || failed="$$failed $$engine"; \
		echo "test-envoyhost: engine $$engine: kit build $$((built - start)) s, suite $$(($$(date +%s) - built)) s"; \
	done; \
	if [ -n "$$failed" ]; then echo "test-envoyhost: failed on:$$failed" >&2; exit 1; fi

vet: ## go vet, natively and for wasip1, in both modules
	go vet ./...
	GOOS=wasip1 GOARCH=wasm go vet ./...
	GOOS=wasip1 GOARCH=wasm go vet -tags corswasm_allocstat ./...
	GOOS=wasip1 GOARCH=wasm go vet -tags corswasm_lategc ./...
	GOOS=wasip1 GOARCH=wasm go vet -tags corswasm_panictest ./...
	$(TOOLS_GO) vet ./...
	GOOS=wasip1 GOARCH=wasm $(TOOLS_GO) vet ./...

# make bench settings: measurements per kind and module, requests per
# measurement in the local host and in Envoy's host library, soak length;
# for the one-host-call table, calls per request of the hostcalls module (0:
# no such table) and its requests per measurement in each host.
BENCH_RUNS ?= 5
BENCH_LOCAL_N ?= 20000
BENCH_ENVOY_LOOP ?= 200000
BENCH_SOAK ?= 1000000
BENCH_CALL_N ?= 10
BENCH_CALL_LOCAL_N ?= 40000
BENCH_CALL_ENVOY_LOOP ?= 20000
BENCH_ENGINES ?= wasmtime,v8

bench: build $(ALLOCSTAT) ## the module benchmark table: cors.wasm and the floor module (its host calls alone) against a pass-through module, and one host call of each kind, local host and Envoy's host library on Wasmtime and V8; then what allow_origin_regexes cost at worst, natively: analysing them, and matching a request
	ENVOYHOST_KIT=$(KIT) $(TOOLS_GO) run ./bench -module $(CURDIR)/$(MODULE) -allocstat $(CURDIR)/$(ALLOCSTAT) -config $(CURDIR)/envoy/cors.json \
		-runs $(BENCH_RUNS) -local-n $(BENCH_LOCAL_N) -envoy-loop $(BENCH_ENVOY_LOOP) -soak $(BENCH_SOAK) \
		-call-n $(BENCH_CALL_N) -call-local-n $(BENCH_CALL_LOCAL_N) -call-envoy-loop $(BENCH_CALL_ENVOY_LOOP) \
		-engines $(BENCH_ENGINES)
	go test -run '^$$' -bench 'RegexWorstShapes|StepCost|RegexConfiguration|RegexHostileOrigin' -benchmem -benchtime $(BENCHTIME) ./internal/engine/...

bench-go: build ## the Go benchmarks: the policy engine, the module in the local host, and corswasm convert on large inputs
	go test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./internal/engine/
	go test -run '^$$' -bench ConvertLarge -benchmem -benchtime 3x ./cmd/corswasm/internal/convert/
	CORSWASM_MODULE=$(CURDIR)/$(MODULE) $(TOOLS_GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./e2e/

# Every fuzz target of both modules, found by .ci/fuzz (go test -list per
# package): a new target needs no change here.
fuzz: ## run every fuzz target of both modules for FUZZTIME each (default 20s)
	FUZZTIME=$(FUZZTIME) bash .ci/fuzz

psl: ## regenerate internal/psl/rules.txt from the Public Suffix List
	go generate ./internal/psl

e2e-envoy: ## run the end-to-end suite on a real Envoy (needs Docker; ENVOY_IMAGE=...)
	bash tools/e2e/envoy-harness.sh

clean: ## remove build outputs
	rm -rf build
