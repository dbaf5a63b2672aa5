# corswasm: a CORS filter for Envoy and Istio, as a proxy-wasm module built
# with the standard Go toolchain. `make help` lists the targets.
#
# Two Go modules: the product at the root, and the test tooling (local host,
# end-to-end and harness tests) in tools/. Targets that test run both.

WASM_BUILD := GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -ldflags=-s
MODULE     := build/cors.wasm
# A test-only module whose filter panics on demand (see filter/testhook.go).
PANICTEST  := build/cors-panictest.wasm
# A test-only module that counts its heap allocations in a counter (see
# internal/abi/stats_alloc.go).
ALLOCSTAT  := build/cors-allocstat.wasm
FUZZTIME   ?= 20s
BENCHTIME  ?= 1s
# go in the tools module; relative paths given to it start in tools/.
TOOLS_GO   := go -C tools

.PHONY: help build test vet bench bench-go fuzz psl e2e-envoy clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build build/cors.wasm
	@mkdir -p build
	$(WASM_BUILD) -o $(MODULE) .
	@ls -l $(MODULE)

# `make run` settings; set them on the command line or in the environment,
# e.g. make run UPSTREAM=http://127.0.0.1:8080 CONFIG=my.json
CONFIG   ?= envoy/cors.json
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
	exec build/corshost -module $(MODULE) -config "$(CONFIG)" -upstream "$(UPSTREAM)" \
		-listen "$(LISTEN)" -admin "$(ADMIN)" -wasi "$(WASI)"

$(PANICTEST): build
	$(WASM_BUILD) -tags corswasm_panictest -o $(PANICTEST) .

$(ALLOCSTAT): build
	$(WASM_BUILD) -tags corswasm_allocstat -o $(ALLOCSTAT) .

TEST_ENV := CORSWASM_MODULE=$(CURDIR)/$(MODULE) CORSWASM_PANICTEST_MODULE=$(CURDIR)/$(PANICTEST) \
	CORSWASM_ALLOCSTAT_MODULE=$(CURDIR)/$(ALLOCSTAT)

test: build $(PANICTEST) $(ALLOCSTAT) vet ## build the module, then run every test (both modules) against it
	$(TEST_ENV) go test -count=1 ./...
	$(TEST_ENV) $(TOOLS_GO) test -count=1 ./...

vet: ## go vet, natively and for wasip1, in both modules
	go vet ./...
	GOOS=wasip1 GOARCH=wasm go vet ./...
	GOOS=wasip1 GOARCH=wasm go vet -tags corswasm_allocstat ./...
	$(TOOLS_GO) vet ./...
	GOOS=wasip1 GOARCH=wasm $(TOOLS_GO) vet ./...

# make bench settings: measurements per kind and module, requests per
# measurement in the local host and in Envoy's host library, soak length.
BENCH_RUNS ?= 5
BENCH_LOCAL_N ?= 20000
BENCH_ENVOY_LOOP ?= 200000
BENCH_SOAK ?= 1000000

bench: build $(ALLOCSTAT) ## the module benchmark table: cors.wasm against a pass-through module, local host and Envoy's host library
	$(TOOLS_GO) run ./bench -module $(CURDIR)/$(MODULE) -allocstat $(CURDIR)/$(ALLOCSTAT) -config $(CURDIR)/envoy/cors.json \
		-runs $(BENCH_RUNS) -local-n $(BENCH_LOCAL_N) -envoy-loop $(BENCH_ENVOY_LOOP) -soak $(BENCH_SOAK)

bench-go: build ## the Go benchmarks: the policy engine, and the module in the local host
	go test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./policy/
	CORSWASM_MODULE=$(CURDIR)/$(MODULE) $(TOOLS_GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./e2e/

fuzz: ## run each fuzz target for FUZZTIME (default 20s)
	go test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./policy/
	go test -run '^$$' -fuzz '^FuzzRequestOrigin$$' -fuzztime $(FUZZTIME) ./policy/
	go test -run '^$$' -fuzz '^FuzzRequestHeaders$$' -fuzztime $(FUZZTIME) ./policy/
	go test -run '^$$' -fuzz '^FuzzIter$$' -fuzztime $(FUZZTIME) ./internal/headermap/
	go test -run '^$$' -fuzz '^FuzzAppendPairs$$' -fuzztime $(FUZZTIME) ./internal/headermap/

psl: ## regenerate internal/psl/rules.txt from the Public Suffix List
	go generate ./internal/psl

e2e-envoy: ## run the end-to-end suite on a real Envoy (needs Docker; ENVOY_IMAGE=...)
	bash tools/e2e/envoy-harness.sh

clean: ## remove build outputs
	rm -rf build
