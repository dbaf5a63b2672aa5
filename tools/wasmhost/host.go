//go:build !wasip1

package wasmhost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero"
)

// Config configures a Host.
type Config struct {
	// Module is the proxy-wasm module (.wasm bytes).
	Module []byte
	// PluginConfig is the plugin configuration, readable by the plugin as
	// buffer 7 during proxy_on_vm_start and proxy_on_configure (Istio's
	// WasmPlugin pluginConfig arrives as JSON text).
	PluginConfig []byte
	// VMConfig is the VM configuration (buffer 6).
	VMConfig []byte
	// Upstream is where requests go after the filter. Only its scheme and
	// host are used; the path and query come from the request's :path.
	Upstream *url.URL
	// Transport sends requests to Upstream. Nil means a clone of
	// http.DefaultTransport with transparent gzip off, so responses reach
	// the filter as the upstream sent them, and no proxy from the
	// environment.
	Transport http.RoundTripper
	// VMs is the number of module instances, like Envoy's --concurrency
	// (one VM per worker thread). Zero means 2.
	VMs int
	// WASI selects the WASI functions: WASIEnvoy133 (the default) or
	// WASICurrent.
	WASI string
	// FailOpen lets requests through without the filter once their VM has
	// failed, like Envoy's fail_open (Istio's failStrategy FAIL_OPEN).
	// Otherwise they get Envoy's fail-closed 503.
	FailOpen bool
	// LogOutput, if not nil, receives log lines at info and above as they
	// happen, in an Envoy-like format.
	LogOutput io.Writer
	// Properties, if not nil, gives each request the attributes Envoy
	// would serve its stream through proxy_get_property, by dotted path
	// ("xds.route_name", "xds.virtual_host_name"): string values, served
	// as their bytes. It plays Envoy's routing, which this host does not
	// do. A path it does not give is NotFound, as is every path when it
	// is nil (see abi_property.go).
	Properties func(r *http.Request) map[string]string
}

// Host serves HTTP through a proxy-wasm HTTP filter, reproducing what Envoy
// does with one (see the package documentation).
type Host struct {
	cfg       Config
	profile   string
	runtime   wazero.Runtime
	compiled  wazero.CompiledModule
	transport http.RoundTripper
	// ownTransport is set when the host made transport (Config.Transport
	// was nil), and must close its connections.
	ownTransport bool
	epoch        time.Time
	allocGuard   *guard

	vms       []*vm
	pool      chan *vm
	closing   chan struct{}
	closeOnce sync.Once
	closeMu   sync.Mutex
	closed    bool

	logs          logStore
	filterStates  filterStates
	stats         statsStore
	calls         hostCalls
	doubleReplies atomic.Int64
	memMu         sync.Mutex // serializes GuestMemory
}

// New compiles the module, checks it as Envoy would, and starts every VM
// (_initialize, then the root context's proxy_on_vm_start and
// proxy_on_configure). The error explains any failure and quotes what the
// plugin logged.
func New(ctx context.Context, cfg Config) (*Host, error) {
	profile, err := checkProfile(cfg.WASI)
	if err != nil {
		return nil, err
	}
	if cfg.Upstream == nil || cfg.Upstream.Host == "" || (cfg.Upstream.Scheme != "http" && cfg.Upstream.Scheme != "https") {
		return nil, errors.New("no upstream: set Config.Upstream to the http:// or https:// URL of the service behind the filter")
	}
	n := cfg.VMs
	if n == 0 {
		n = defaultVMs
	}
	if n < 0 {
		return nil, fmt.Errorf("VMs is %d: set it to 1 or more, or 0 for %d", n, defaultVMs)
	}
	h := &Host{
		cfg:        cfg,
		profile:    profile,
		transport:  cfg.Transport,
		epoch:      time.Now(),
		allocGuard: newAllocGuard(profile),
		pool:       make(chan *vm, n),
		closing:    make(chan struct{}),
		calls:      hostCalls{},
	}
	upstream := *cfg.Upstream
	h.cfg.Upstream = &upstream
	h.logs.mirror = cfg.LogOutput
	if h.transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DisableCompression = true
		t.Proxy = nil // Envoy talks to its upstream directly
		h.transport, h.ownTransport = t, true
	}
	h.runtime = wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(compilationCache))
	if err := h.load(ctx, n); err != nil {
		_ = h.runtime.Close(context.Background())
		return nil, err
	}
	return h, nil
}

// load compiles the module and starts n VMs.
func (h *Host) load(ctx context.Context, n int) error {
	if err := instantiateHostModules(ctx, h.runtime, h.profile, h.calls); err != nil {
		return fmt.Errorf("registering host functions: %w", err)
	}
	cm, err := compile(ctx, h.runtime, h.cfg.Module, h.profile)
	if err != nil {
		return err
	}
	h.compiled = cm
	for i := range n {
		v, err := h.newVM(ctx, i)
		if err != nil {
			return err
		}
		if err := v.start(); err != nil {
			return fmt.Errorf("starting the plugin: %w", err)
		}
		h.vms = append(h.vms, v)
		h.pool <- v
	}
	return nil
}

// ServeHTTP serves one request through the filter on the next free VM,
// waiting for one if all are busy.
func (h *Host) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, err := h.acquire(r.Context())
	if err != nil {
		http.Error(w, "proxy-wasm host: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer func() { h.pool <- v }()
	v.serve(w, r)
}

var errClosed = errors.New("the host is shut down")

func (h *Host) acquire(ctx context.Context) (*vm, error) {
	select {
	case <-h.closing:
		return nil, errClosed
	default:
	}
	select {
	case v := <-h.pool:
		return v, nil
	case <-h.closing:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close stops accepting requests, waits for those in flight (until ctx
// ends) and releases the VMs.
func (h *Host) Close(ctx context.Context) error {
	h.closeOnce.Do(func() { close(h.closing) })
	h.closeMu.Lock()
	defer h.closeMu.Unlock()
	if h.closed {
		return nil
	}
	var err error
wait:
	for range h.vms {
		select {
		case <-h.pool:
		case <-ctx.Done():
			err = fmt.Errorf("closing with requests in flight: %w", ctx.Err())
			break wait
		}
	}
	h.closed = true
	if h.ownTransport {
		// The transport is ours: drop its idle upstream connections.
		h.transport.(*http.Transport).CloseIdleConnections()
	}
	if cerr := h.runtime.Close(context.Background()); err == nil {
		err = cerr
	}
	return err
}

// Counter returns the value of the plugin's metric name (with or without
// Envoy's "wasmcustom." prefix): a counter's or gauge's value, a
// histogram's number of samples. Metrics are shared by all VMs.
func (h *Host) Counter(name string) (uint64, bool) { return h.stats.value(name) }

// Stats returns every metric of the plugin by its Envoy name
// ("wasmcustom.<name>"), valued as Counter values them.
func (h *Host) Stats() map[string]uint64 { return h.stats.snapshot() }

// HostCalls returns how many times the module called each host function
// since the host started, all VMs together, by qualified name as Envoy's
// host library names its imports ("env.proxy_get_header_map_value",
// "wasi_snapshot_preview1.clock_time_get"); functions never called are
// absent. Start-up's calls are included: the difference of two snapshots
// taken between requests is what the requests in between called.
func (h *Host) HostCalls() map[string]uint64 { return h.calls.snapshot() }

// Logs returns the log lines so far (the latest 10,000 at most): what the
// plugin logged with proxy_log or wrote to stdout and stderr, and the
// host's events (VM failures, double local replies, unimplemented calls).
func (h *Host) Logs() []LogLine { return h.logs.snapshot() }

// DoubleLocalReplies counts requests whose plugin sent a local reply from
// proxy_on_response_headers while that callback ran on the plugin's own
// local reply. Envoy hangs such requests (envoyproxy/envoy#28826); the host
// answers them 500 so tests can prove a filter never does it.
func (h *Host) DoubleLocalReplies() int { return int(h.doubleReplies.Load()) }

// GuestMemory returns the size in bytes of each VM's linear memory, waiting
// for every VM to be free (so call it between requests). Tests use it to
// show that a filter's memory stays flat over many requests.
func (h *Host) GuestMemory(ctx context.Context) ([]uint32, error) {
	// One caller at a time: two taking VMs in turn could each hold part of
	// the pool and wait for the rest.
	h.memMu.Lock()
	defer h.memMu.Unlock()
	taken := make([]*vm, 0, len(h.vms))
	defer func() {
		for _, v := range taken {
			h.pool <- v
		}
	}()
	for range h.vms {
		v, err := h.acquire(ctx)
		if err != nil {
			return nil, err
		}
		taken = append(taken, v)
	}
	sizes := make([]uint32, len(h.vms))
	for _, v := range taken {
		sizes[v.index] = v.mem.Size()
	}
	return sizes, nil
}
