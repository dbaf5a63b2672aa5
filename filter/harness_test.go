package filter

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// vmTest runs a filter test twice: natively, with the filter under the
// SDK's proxytest emulator, and against the compiled module (the same
// emulator running cors.wasm on wazero).
func vmTest(t *testing.T, f func(t *testing.T, vm types.VMContext)) {
	t.Helper()
	t.Run("native", func(t *testing.T) { f(t, NewVMContext()) })
	t.Run("wasm", func(t *testing.T) { f(t, productionVM.get(t, testmodule.Module)) })
}

// sharedVM is one instance of a module, shared by the tests: compiling the
// module takes wazero about two seconds. Each test starts its own plugin
// context in it, as Envoy does in a VM when a configuration changes.
type sharedVM struct {
	once sync.Once
	vm   proxytest.WasmVMContext
	err  error
}

var productionVM, panicTestVM sharedVM

// testmoduleModule is testmodule.Module, for sharedVM.get.
var testmoduleModule = testmodule.Module

func (s *sharedVM) get(t *testing.T, module func(testing.TB) []byte) types.VMContext {
	t.Helper()
	bin := testmodule.ForProxytest(t, module(t))
	s.once.Do(func() { s.vm, s.err = proxytest.NewWasmVMContext(bin) })
	if s.err != nil {
		t.Fatalf("loading the module: %v", s.err)
	}
	return s.vm
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, s := range []*sharedVM{&productionVM, &panicTestVM} {
		if s.vm != nil {
			s.vm.Close()
		}
	}
	os.Exit(code)
}

// startHost starts the plugin with a configuration and fails the test if
// it does not start.
func startHost(t *testing.T, vm types.VMContext, config string) proxytest.HostEmulator {
	t.Helper()
	host, ok := tryStart(t, vm, config)
	if !ok {
		t.Fatalf("plugin refused configuration %s:\n%s", config, strings.Join(host.GetCriticalLogs(), "\n"))
	}
	return host
}

func tryStart(t *testing.T, vm types.VMContext, config string) (proxytest.HostEmulator, bool) {
	t.Helper()
	opt := proxytest.NewEmulatorOption().WithVMContext(vm).WithPluginConfiguration([]byte(config))
	host, reset := proxytest.NewHostEmulator(opt)
	t.Cleanup(reset)
	if host.StartVM() != types.OnVMStartStatusOK {
		t.Fatal("StartVM failed")
	}
	return host, host.StartPlugin() == types.OnPluginStartStatusOK
}

// exchange is one request through the filter, as Envoy runs it.
type exchange struct {
	requestAction types.Action
	// local is the filter's local reply, or nil if the request went on.
	local *proxytest.LocalHttpResponse
	// response is the response headers after the filter's response
	// callback ran: on the local reply when there was one (Envoy runs it
	// there too), otherwise on the upstream's.
	response [][2]string
}

// roundTrip sends request headers through the filter, then, like Envoy,
// runs the response callback on the filter's local reply if it sent one,
// or on the upstream's response headers otherwise.
func roundTrip(t *testing.T, host proxytest.HostEmulator, request, upstream [][2]string) exchange {
	t.Helper()
	id := host.InitializeHttpContext()
	var x exchange
	x.requestAction = host.CallOnRequestHeaders(id, request, false)
	x.local = host.GetSentLocalResponse(id)
	response := upstream
	if x.local != nil {
		if x.requestAction != types.ActionPause {
			t.Errorf("request callback sent a local reply and returned %v; want ActionPause", x.requestAction)
		}
		response = append([][2]string{{":status", strconv.Itoa(int(x.local.StatusCode))}}, x.local.Headers...)
	} else if x.requestAction != types.ActionContinue {
		t.Errorf("request callback returned %v without a local reply; want ActionContinue", x.requestAction)
	}
	if a := host.CallOnResponseHeaders(id, response, false); a != types.ActionContinue {
		t.Errorf("response callback returned %v; want ActionContinue", a)
	}
	if again := host.GetSentLocalResponse(id); again != x.local {
		t.Errorf("response callback sent a second local reply %+v (it hangs the stream in Envoy)", again)
	}
	x.response = host.GetCurrentResponseHeaders(id)
	host.CompleteHttpContext(id)
	return x
}

// values returns every value of a header, in order.
func values(headers [][2]string, name string) []string {
	var out []string
	for _, h := range headers {
		if h[0] == name {
			out = append(out, h[1])
		}
	}
	return out
}

// corsHeaders returns the Access-Control-* headers among headers.
func corsHeaders(headers [][2]string) [][2]string {
	var out [][2]string
	for _, h := range headers {
		if strings.HasPrefix(h[0], "access-control-") {
			out = append(out, h)
		}
	}
	return out
}

func request(method, path string, extra ...string) [][2]string {
	h := [][2]string{{":method", method}, {":path", path}, {":authority", "api.example.com"}, {":scheme", "https"}}
	for i := 0; i+1 < len(extra); i += 2 {
		h = append(h, [2]string{extra[i], extra[i+1]})
	}
	return h
}

func upstreamResponse(extra ...string) [][2]string {
	h := [][2]string{{":status", "200"}, {"content-type", "application/json"}}
	for i := 0; i+1 < len(extra); i += 2 {
		h = append(h, [2]string{extra[i], extra[i+1]})
	}
	return h
}

func counterValue(t *testing.T, host proxytest.HostEmulator, name string) uint64 {
	t.Helper()
	v, err := host.GetCounterMetric(name)
	if err != nil {
		t.Fatalf("counter %s: %v", name, err)
	}
	return v
}

func equalHeaders(a, b [][2]string) bool { return slices.Equal(a, b) }
