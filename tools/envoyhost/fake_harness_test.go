//go:build !wasip1

package envoyhost

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
)

// The package's tests run the test binary itself as a fake harness (the
// real one is exercised by tools/e2e with E2E_HOST=envoyhost): with
// fakeEnv set, TestMain plays the harness's protocol in the way the
// variable names, so that every path of Run and Soak is reached without
// the kit.
const fakeEnv = "ENVOYHOST_FAKE_HARNESS"

func TestMain(m *testing.M) {
	if behaviour := os.Getenv(fakeEnv); behaviour != "" {
		os.Exit(fakeHarness(behaviour, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// fake returns Options that run the fake harness in the given behaviour.
func fake(t *testing.T, behaviour string) Options {
	t.Setenv(fakeEnv, behaviour)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Options{Harness: exe, Module: "module.wasm", Config: []byte(`{"allow_origins":[]}`), Restricted: RestrictedTrap}
}

// fakeHarness behaves as the harness would in one situation and returns its
// exit code:
//
//	serve   start, then answer each request with the upstream's response
//	        (request mode) or a summary (--loop); the start-up logs
//	        repeat the flags and the configuration it was given
//	refuse  refuse to start the module (exit 3)
//	input   reject its input (exit 2)
//	crash   die with a message on stderr only
//	short   start, then stop without answering
func fakeHarness(behaviour string, args []string) int {
	emit := func(v any) {
		line, _ := json.Marshal(v)
		fmt.Println(string(line))
	}
	flags := map[string]string{}
	for i := 0; i < len(args); i++ {
		if args[i] == "--no-reload" {
			flags[args[i]] = "yes"
		} else if i+1 < len(args) {
			flags[args[i]] = args[i+1]
			i++
		}
	}
	switch behaviour {
	case "refuse":
		emit(map[string]any{"event": "startup", "ok": false, "host_errors": []string{"wasm: Failed to configure base Wasm plugin"},
			"logs":             []Log{{Level: "critical", Msg: "corswasm: invalid configuration: max_age: -1"}},
			"restricted_first": []string{"env.proxy_define_metric during startup"}})
		return 3
	case "input":
		emit(map[string]any{"event": "error", "error": `stdin line 1: unknown key "header" in request`})
		return 2
	case "crash":
		fmt.Fprintln(os.Stderr, "terminate called after throwing an instance of 'std::bad_alloc'")
		return 134
	}
	config, _ := os.ReadFile(flags["--config"])
	emit(map[string]any{"event": "startup", "ok": true, "module": flags["--module"], "memory_bytes": 5242880,
		"logs": []Log{{Level: "info", Phase: "startup", Msg: "restricted=" + flags["--restricted"] + " no-reload=" + flags["--no-reload"] +
			" failure-policy=" + flags["--failure-policy"] + " config=" + string(config)}}})
	if behaviour == "short" {
		return 0
	}
	var requests []Request
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		var r Request
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			emit(map[string]any{"event": "error", "error": err.Error()})
			return 2
		}
		requests = append(requests, r)
	}
	if loop, err := strconv.Atoi(flags["--loop"]); err == nil {
		emit(map[string]any{"event": "soak", "requests": loop, "distinct_requests": len(requests), "ns_per_request": 6997.6,
			"memory_bytes_start": 5242880, "memory_bytes_end": 9306112, "memory_bytes_max": 9306112,
			"memory_samples": [][2]int{{loop / 2, 9240576}, {loop, 9306112}},
			"hostcalls":      map[string]int{"env.proxy_log": 2}, "restricted_violations": map[string]int{},
			"metrics": map[string]int{"wasmcustom.requests": loop}})
		return 0
	}
	for i, r := range requests {
		status := 200
		var headers []Header
		if r.Upstream != nil {
			if r.Upstream.Status != 0 {
				status = r.Upstream.Status
			}
			headers = r.Upstream.Headers
		}
		emit(map[string]any{"event": "request", "i": i, "name": r.Name, "status": status,
			"headers":                   append([]Header{{":status", strconv.Itoa(status)}}, headers...),
			"forwarded_request_headers": r.Headers, "metrics_delta": map[string]int{"wasmcustom.requests": 1}})
	}
	emit(map[string]any{"event": "end", "requests": len(requests), "metrics": map[string]int{"wasmcustom.requests": len(requests)}})
	return 0
}
