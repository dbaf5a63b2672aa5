#!/usr/bin/env bash
# The end-to-end suite on a real Envoy (`make e2e-envoy`): builds build/cors.wasm
# and the echo upstream, starts tools/e2e/docker-compose.yaml, waits until
# Envoy is ready and has loaded the harness's plugin configuration, runs the
# tools module's `go test ./e2e/...` against it, and always tears the services
# down. It runs from the repository's root.
#
# Needs Docker with the compose plugin, curl, make and Go. Environment:
#   ENVOY_IMAGE      the proxy image (default in tools/e2e/docker-compose.yaml)
#   HARNESS_TIMEOUT  seconds to wait for each readiness step (default 60)
#
# Images to try (ENVOY_IMAGE=... make e2e-envoy). Prefer a Wasm host that
# implements WASI poll_oneoff (proxy-wasm-cpp-host PR #533, in Envoy around
# June 2026, Envoy PR #45756): on older proxies a Go module whose runtime
# sleeps dies with "fatal error: poll_oneoff failed" (corswasm never sleeps,
# and survives our emulation of the older host; a real run here is the proof).
#   envoyproxy/envoy:v1.40-latest  the default; cut after the fix
#   envoyproxy/envoy:v1.39-latest  has the fix per a third-party README
#                                  (unverified)
#   istio/proxyv2:1.31.x           Istio 1.31, proxy from the Envoy 1.39
#                                  period (unverified: base and fix)
#   istio/proxyv2:1.32.x           Istio 1.32, proxy from the Envoy 1.40
#                                  period (unverified: base, fix, release)
# istio/proxyv2 works because the compose file runs `envoy` directly instead
# of the image's pilot-agent entrypoint. Any image older than the fix is
# expected to fail; record what you find in the README.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

readonly COMPOSE_FILE=tools/e2e/docker-compose.yaml
readonly ADMIN=http://127.0.0.1:9901
readonly TARGET=http://127.0.0.1:10000
# An origin that only tools/e2e/testdata/main.json allows (not
# envoy/cors.json, not the module's defaults): a preflight from it answered
# with 204 proves that Envoy runs the module with the harness's configuration.
readonly SENTINEL_ORIGIN=https://corswasm-harness.invalid
readonly SENTINEL_METHOD=PUT
readonly TIMEOUT=${HARNESS_TIMEOUT:-60}

log() { printf 'e2e-envoy: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

compose() { docker compose -f "$COMPOSE_FILE" "$@"; }

for tool in docker curl go make; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is required but not on PATH"
done
docker compose version >/dev/null 2>&1 || die "the docker compose plugin is required (docker compose version failed)"

log "building build/cors.wasm"
make build
# The echo binary runs in a linux container of the engine's architecture,
# which may differ from this machine's (a Mac's Docker runs arm64 linux).
arch=$(docker version --format '{{.Server.Arch}}' 2>/dev/null) || arch=
arch=${arch:-$(go env GOARCH)}
log "building build/echo (linux/$arch)"
# The echo command is in the tools module (tools/); -o is relative to it.
CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go -C tools build -trimpath -o ../build/echo ./cmd/echo

# From here on, whatever happens, the services go away: on failure, after
# their logs have been shown.
teardown() {
	local rc=$?
	trap - EXIT
	if [ "$rc" -ne 0 ]; then
		log "failed (exit $rc); service logs follow"
		compose logs --no-color || log "could not read the service logs"
	fi
	log "tearing down"
	compose down -v --remove-orphans || log "docker compose down failed"
	exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "starting ${ENVOY_IMAGE:-the default Envoy image} and the echo upstream"
compose up -d

# wait_for DESCRIPTION COMMAND...: runs COMMAND once a second until it
# succeeds, for at most TIMEOUT seconds.
wait_for() {
	local what=$1
	shift
	local deadline=$((SECONDS + TIMEOUT))
	until "$@"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			log "gave up after ${TIMEOUT}s waiting for $what"
			return 1
		fi
		sleep 1
	done
	log "ok: $what"
}

admin_ready() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ADMIN/ready") || return 1
	[ "$code" = 200 ]
}

# sentinel_preflight succeeds when the sentinel preflight is answered with
# 204 and the sentinel origin in access-control-allow-origin.
sentinel_preflight() {
	local headers
	headers=$(curl -s -o /dev/null -D - --max-time 2 -X OPTIONS \
		-H "Origin: $SENTINEL_ORIGIN" \
		-H "Access-Control-Request-Method: $SENTINEL_METHOD" \
		"$TARGET/harness-ready") || return 1
	headers=${headers//$'\r'/}
	[[ $headers =~ ^HTTP/[0-9.]+\ 204 ]] || return 1
	grep -qiFx "access-control-allow-origin: $SENTINEL_ORIGIN" <<<"$headers"
}

wait_for "Envoy admin $ADMIN/ready to answer 200" admin_ready
wait_for "the sentinel preflight on $TARGET (204, allow-origin $SENTINEL_ORIGIN)" sentinel_preflight

log "running the end-to-end suite against $TARGET"
E2E_TARGET=$TARGET go -C tools test -count=1 ./e2e/...
log "passed"
