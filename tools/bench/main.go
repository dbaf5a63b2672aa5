//go:build !wasip1

// Command bench prints the module benchmark table of `make bench`: per kind
// of request, what cors.wasm costs against a pass-through module built on
// the same Go runtime and ABI binding, in the local host (tools/wasmhost, on
// wazero) and in Envoy's own Wasm host library (the harness of
// ../shared/envoyhost, when it can be built); heap allocations per request
// (the allocation-counting test build); linear memory after many requests;
// the module's size.
//
// Timings on a shared machine are noisy: both modules run in the same
// process, interleaved, each measurement is repeated (-runs) and the table
// shows medians, ranges and the ratio of the medians.
//
//	go -C tools run ./bench -module ../build/cors.wasm -allocstat ../build/cors-allocstat.wasm
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/corswasm/corswasm/internal/testmodule"
	"github.com/corswasm/corswasm/tools/wasmhost"
)

// kind is one kind of request: the same headers in both hosts, and an
// upstream answer with a content type only.
type kind struct {
	name, label string
	method      string
	headers     [][2]string // without pseudo-headers
}

var kinds = []kind{
	{"notcors", "not CORS (response gets Vary)", "GET", nil},
	{"actual", "actual, allowed (3 headers and Vary added)", "GET", [][2]string{{"origin", "https://app.example.com"}}},
	{"preflight", "preflight, allowed (cors.wasm answers; pass-through forwards)", "OPTIONS", [][2]string{
		{"origin", "https://app.example.com"}, {"access-control-request-method", "PUT"},
		{"access-control-request-headers", "content-type,x-request-id"}}},
}

// common headers every request carries, as a browser's would.
var common = [][2]string{{"user-agent", "curl"}, {"accept", "*/*"}}

type options struct {
	module, allocstat, passthrough, config string
	before                                 string
	runs, localN, envoyLoop, soak          int
	harness                                string
}

func main() {
	var o options
	flag.StringVar(&o.module, "module", "build/cors.wasm", "the module")
	flag.StringVar(&o.allocstat, "allocstat", "build/cors-allocstat.wasm", "the allocation-counting test build of the module (\"\": no allocation count)")
	flag.StringVar(&o.passthrough, "passthrough", "", "the pass-through module (default: built from tools/passthrough)")
	flag.StringVar(&o.config, "config", "envoy/cors.json", "the plugin configuration")
	flag.IntVar(&o.runs, "runs", 5, "measurements of each kind and module")
	flag.IntVar(&o.localN, "local-n", 20000, "requests per measurement in the local host")
	flag.IntVar(&o.envoyLoop, "envoy-loop", 200000, "requests per measurement in Envoy's host library (the harness's --loop)")
	flag.IntVar(&o.soak, "soak", 1000000, "mixed requests of the memory soak")
	flag.StringVar(&o.harness, "harness", "", "the envoyhost harness binary (default: built with ../shared/envoyhost/build.sh)")
	flag.StringVar(&o.before, "before", "", "another build of the module (e.g. before a change), measured interleaved with the others and shown in a second table")
	flag.Parse()
	if err := run(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(o options, out io.Writer) error {
	root, err := testmodule.RepoRoot()
	if err != nil {
		return err
	}
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(root, p)
	}
	o.module, o.allocstat, o.config, o.passthrough, o.harness = abs(o.module), abs(o.allocstat), abs(o.config), abs(o.passthrough), abs(o.harness)
	o.before = abs(o.before)
	cors, err := os.ReadFile(o.module)
	if err != nil {
		return fmt.Errorf("%w (run make build first)", err)
	}
	config, err := os.ReadFile(o.config)
	if err != nil {
		return err
	}
	var pt []byte
	if o.passthrough != "" {
		pt, err = os.ReadFile(o.passthrough)
	} else {
		pt, err = testmodule.Build(filepath.Join(root, "tools"), "./passthrough")
	}
	if err != nil {
		return fmt.Errorf("the pass-through module: %w", err)
	}
	tmp, err := os.MkdirTemp("", "corswasm-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ptPath := filepath.Join(tmp, "passthrough.wasm")
	if err := os.WriteFile(ptPath, pt, 0o644); err != nil {
		return err
	}

	progress("local host: %d runs of %d requests per kind and module", o.runs, o.localN)
	modules := [][]byte{pt, cors}
	if o.before != "" {
		before, err := os.ReadFile(o.before)
		if err != nil {
			return err
		}
		modules = append(modules, before)
	}
	local, err := localTimes(o, modules, config)
	if err != nil {
		return fmt.Errorf("local host: %w", err)
	}
	var allocs allocCount
	var localMem [2]uint64
	if o.allocstat != "" {
		if allocs, localMem, err = localAllocs(o, config); err != nil {
			return fmt.Errorf("local host, allocations: %w", err)
		}
	}

	var envoy map[string][][]float64
	var soak [2]soakResult
	envoyNote := ""
	harness, herr := findHarness(o, root)
	if herr != nil {
		envoyNote = "Envoy host library: not measured: " + herr.Error()
		progress("%s", envoyNote)
	} else {
		progress("Envoy host library (%s): %d runs of --loop %d per kind and module", harness, o.runs, o.envoyLoop)
		envoy, soak, err = envoyTimes(o, harness, tmp, ptPath, len(modules))
		if err != nil {
			return fmt.Errorf("Envoy host library: %w", err)
		}
	}

	fmt.Fprintf(out, "Module benchmark: %s against the pass-through module, configuration %s; %d runs each, interleaved; median (range), ratio of the medians.\n\n",
		filepath.Base(o.module), rel(root, o.config), o.runs)
	fmt.Fprintln(out, "| request | local host: pass-through µs | cors.wasm µs | ratio | Envoy host library: pass-through µs | cors.wasm µs | ratio |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|")
	for _, k := range kinds {
		row := fmt.Sprintf("| %s | %s | %s | %.2f× |", k.label, cell(local[k.name][0]), cell(local[k.name][1]), median(local[k.name][1])/median(local[k.name][0]))
		if envoy != nil {
			row += fmt.Sprintf(" %s | %s | %.2f× |", cell(envoy[k.name][0]), cell(envoy[k.name][1]), median(envoy[k.name][1])/median(envoy[k.name][0]))
		} else {
			row += " – | – | – |"
		}
		fmt.Fprintln(out, row)
	}
	fmt.Fprintln(out)
	if envoyNote != "" {
		fmt.Fprintln(out, envoyNote)
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "| measure | value |\n|---|---|\n")
	if o.allocstat != "" {
		fmt.Fprintf(out, "| heap allocations per request (allocation-counting build, local host, the three kinds: %d requests after warm-up) | %s |\n",
			allocs.requests, allocs.String())
		fmt.Fprintf(out, "| linear memory, local host, after warm-up → after %d more requests | %s → %s |\n", allocs.requests, mib(localMem[0]), mib(localMem[1]))
	}
	if envoy != nil {
		fmt.Fprintf(out, "| linear memory, Envoy host library, %d mixed requests: cors.wasm start → end (max) | %s → %s (%s) |\n",
			o.soak, mib(soak[1].start), mib(soak[1].end), mib(soak[1].max))
		fmt.Fprintf(out, "| the same for the pass-through module | %s → %s (%s) |\n", mib(soak[0].start), mib(soak[0].end), mib(soak[0].max))
		fmt.Fprintf(out, "| host calls per request in the soak (cors.wasm) | %s |\n", soak[1].hostcalls)
	}
	fmt.Fprintf(out, "| module size | %d bytes (pass-through %d) |\n", len(cors), len(pt))
	if o.before != "" {
		fmt.Fprintf(out, "\nThe same runs, %s (%d bytes), interleaved with the others:\n\n", rel(root, o.before), len(modules[2]))
		fmt.Fprintln(out, "| request | local host µs | ratio | Envoy host library µs | ratio |")
		fmt.Fprintln(out, "|---|---|---|---|---|")
		for _, k := range kinds {
			row := fmt.Sprintf("| %s | %s | %.2f× |", k.label, cell(local[k.name][2]), median(local[k.name][2])/median(local[k.name][0]))
			if envoy != nil {
				row += fmt.Sprintf(" %s | %.2f× |", cell(envoy[k.name][2]), median(envoy[k.name][2])/median(envoy[k.name][0]))
			} else {
				row += " – | – |"
			}
			fmt.Fprintln(out, row)
		}
	}
	return nil
}

func rel(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return r
	}
	return p
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func cell(v []float64) string {
	return fmt.Sprintf("%.2f (%.2f–%.2f)", median(v)/1000, slices.Min(v)/1000, slices.Max(v)/1000)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func mib(b uint64) string { return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20)) }

// cannedUpstream answers every request with a content type only, like the
// harness's request lines.
type cannedUpstream struct{}

func (cannedUpstream) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/plain"}}, Body: io.NopCloser(bytes.NewReader(nil)), Request: r,
	}, nil
}

func newHost(module, config []byte) (*wasmhost.Host, error) {
	u, _ := url.Parse("http://upstream.invalid")
	return wasmhost.New(context.Background(), wasmhost.Config{Module: module, PluginConfig: config, Upstream: u, Transport: cannedUpstream{}, VMs: 1})
}

func httpRequest(k kind) *http.Request {
	r := httptest.NewRequest(k.method, "https://api.example.com/x", nil)
	for _, h := range append(slices.Clone(common), k.headers...) {
		r.Header.Add(h[0], h[1])
	}
	return r
}

// localTimes measures ns per request in the local host: [kind][module]
// (0 pass-through, 1 cors.wasm, 2 -before), one value per run.
func localTimes(o options, modules [][]byte, config []byte) (map[string][][]float64, error) {
	hosts := make([]*wasmhost.Host, len(modules))
	for i, m := range modules {
		h, err := newHost(m, config)
		if err != nil {
			return nil, err
		}
		defer h.Close(context.Background())
		hosts[i] = h
	}
	res := map[string][][]float64{}
	for _, k := range kinds {
		res[k.name] = make([][]float64, len(modules))
	}
	for run := 0; run <= o.runs; run++ {
		for _, k := range kinds {
			for i, h := range hosts {
				n := o.localN
				if run == 0 {
					n = o.localN / 10 // warm-up, not reported
				}
				w := httptest.NewRecorder()
				start := time.Now()
				for range n {
					w.Body.Reset()
					h.ServeHTTP(w, httpRequest(k))
				}
				ns := float64(time.Since(start).Nanoseconds()) / float64(n)
				if w.Code >= 500 {
					return nil, fmt.Errorf("%s: status %d", k.name, w.Code)
				}
				if run > 0 {
					res[k.name][i] = append(res[k.name][i], ns)
				}
			}
		}
	}
	return res, nil
}

// allocCount is what the allocation-counting build counted.
type allocCount struct {
	allocs, requests uint64
}

func (a allocCount) String() string {
	return fmt.Sprintf("%.4f (%d allocations in %d requests)", float64(a.allocs)/float64(a.requests), a.allocs, a.requests)
}

// localAllocs runs every kind through the allocation-counting build: after
// a warm-up, the heap allocations per request and the linear memory before
// and after.
func localAllocs(o options, config []byte) (allocCount, [2]uint64, error) {
	var mem [2]uint64
	bin, err := os.ReadFile(o.allocstat)
	if err != nil {
		return allocCount{}, mem, fmt.Errorf("%w (make bench builds it)", err)
	}
	h, err := newHost(bin, config)
	if err != nil {
		return allocCount{}, mem, err
	}
	defer h.Close(context.Background())
	const metric = "corswasm.test.heap_allocs"
	mix := func(n int) {
		for i := range n {
			h.ServeHTTP(httptest.NewRecorder(), httpRequest(kinds[i%len(kinds)]))
		}
	}
	memory := func() uint64 {
		m, _ := h.GuestMemory(context.Background())
		return uint64(m[0])
	}
	mix(3000)
	before, ok := h.Counter(metric)
	if !ok {
		return allocCount{}, mem, fmt.Errorf("%s has no %s counter: not the allocation-counting build", o.allocstat, metric)
	}
	mem[0] = memory()
	n := o.localN * len(kinds)
	mix(n)
	after, _ := h.Counter(metric)
	mem[1] = memory()
	return allocCount{after - before, uint64(n)}, mem, nil
}

// findHarness returns the harness binary: -harness, or what
// ../shared/envoyhost/build.sh builds (its last line of output).
func findHarness(o options, root string) (string, error) {
	if o.harness != "" {
		if _, err := os.Stat(o.harness); err != nil {
			return "", err
		}
		return o.harness, nil
	}
	script := filepath.Join(root, "..", "shared", "envoyhost", "build.sh")
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("no %s (Envoy's host library kit)", script)
	}
	cmd := exec.Command("bash", script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s failed: %v: %s", script, err, lastLine(stderr.String()))
	}
	path := lastLine(string(outb))
	if path == "" {
		return "", fmt.Errorf("%s printed no harness path", script)
	}
	return path, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// harnessLine is one request line of the harness's input.
func harnessLine(k kind) string {
	headers := [][2]string{{":method", k.method}, {":path", "/x"}, {":authority", "api.example.com"}, {":scheme", "https"}}
	headers = append(headers, k.headers...)
	headers = append(headers, common...)
	line, _ := json.Marshal(map[string]any{
		"name": k.name, "headers": headers,
		"upstream": map[string]any{"status": 200, "headers": [][2]string{{"content-type", "text/plain"}}},
	})
	return string(line)
}

// soakResult is what a harness soak reports.
type soakResult struct {
	nsPerRequest    float64
	start, end, max uint64
	hostcalls       string
}

func harnessRun(harness, module, config, input string, loop int) (soakResult, error) {
	cmd := exec.Command(harness, "--module", module, "--config", config, "--restricted", "trap", "--loop", fmt.Sprint(loop))
	in, err := os.Open(input)
	if err != nil {
		return soakResult{}, err
	}
	defer in.Close()
	cmd.Stdin = in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return soakResult{}, fmt.Errorf("%s: %v: %s%s", filepath.Base(module), err, lastLine(stderr.String()), lastLine(string(outb)))
	}
	sc := bufio.NewScanner(bytes.NewReader(outb))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var s struct {
			Event      string             `json:"event"`
			NS         float64            `json:"ns_per_request"`
			Start      uint64             `json:"memory_bytes_start"`
			End        uint64             `json:"memory_bytes_end"`
			Max        uint64             `json:"memory_bytes_max"`
			Failures   int                `json:"failures"`
			Mismatches int                `json:"mismatches_vs_first_pass"`
			Requests   int                `json:"requests"`
			Hostcalls  map[string]float64 `json:"hostcalls"`
		}
		if json.Unmarshal(sc.Bytes(), &s) != nil || s.Event != "soak" {
			continue
		}
		if s.Failures != 0 || s.Mismatches != 0 {
			return soakResult{}, fmt.Errorf("%s: %d failures, %d mismatches", filepath.Base(module), s.Failures, s.Mismatches)
		}
		var calls []string
		for name, n := range s.Hostcalls {
			if per := n / float64(s.Requests); strings.HasPrefix(name, "env.") && per >= 0.01 {
				calls = append(calls, fmt.Sprintf("%s %.2f", strings.TrimPrefix(name, "env.proxy_"), per))
			}
		}
		slices.Sort(calls)
		return soakResult{s.NS, s.Start, s.End, s.Max, strings.Join(calls, ", ")}, nil
	}
	return soakResult{}, errors.New("no soak line in the harness's output")
}

// envoyTimes measures ns per request in Envoy's host library, and soaks
// both modules with the mix of every kind.
func envoyTimes(o options, harness, tmp, ptPath string, nmodules int) (map[string][][]float64, [2]soakResult, error) {
	var soak [2]soakResult
	inputs := map[string]string{}
	var mix []string
	for _, k := range kinds {
		inputs[k.name] = filepath.Join(tmp, k.name+".jsonl")
		if err := os.WriteFile(inputs[k.name], []byte(harnessLine(k)+"\n"), 0o644); err != nil {
			return nil, soak, err
		}
		mix = append(mix, harnessLine(k))
	}
	mixPath := filepath.Join(tmp, "mix.jsonl")
	if err := os.WriteFile(mixPath, []byte(strings.Join(mix, "\n")+"\n"), 0o644); err != nil {
		return nil, soak, err
	}
	modules := []string{ptPath, o.module}
	if nmodules > 2 {
		modules = append(modules, o.before)
	}
	res := map[string][][]float64{}
	for _, k := range kinds {
		res[k.name] = make([][]float64, len(modules))
	}
	for range o.runs {
		for _, k := range kinds {
			for i, m := range modules {
				s, err := harnessRun(harness, m, o.config, inputs[k.name], o.envoyLoop)
				if err != nil {
					return nil, soak, err
				}
				res[k.name][i] = append(res[k.name][i], s.nsPerRequest)
			}
		}
	}
	progress("Envoy host library: memory soak of %d mixed requests per module", o.soak)
	for i, m := range modules[:2] {
		s, err := harnessRun(harness, m, o.config, mixPath, o.soak)
		if err != nil {
			return nil, soak, err
		}
		soak[i] = s
	}
	return res, soak, nil
}
