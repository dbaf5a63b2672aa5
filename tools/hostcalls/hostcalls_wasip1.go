//go:build wasip1

package main

import (
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/tools/hostcalls/calls"
)

func init() { abi.SetVMContext(&vm{}) }

// propertyValue is calls.PropertyValue as bytes, made once.
var propertyValue = []byte(calls.PropertyValue)

type vm struct{ types.DefaultVMContext }

func (*vm) NewPluginContext(uint32) types.PluginContext {
	p := &plugin{}
	p.stream.plugin = p
	return p
}

// plugin is the configuration read at start, the counter Metric
// increments, and the one stream context every stream shares: it keeps no
// state of its own, so sharing it allocates nothing and needs no recycling.
type plugin struct {
	types.DefaultPluginContext
	op      calls.Op
	n       int
	counter uint32
	stream  stream
	// reported is set once an unexpected answer has been logged: one line
	// per VM is enough to fail make bench (a critical line fails its soak)
	// without logging on every request.
	reported bool
}

// OnPluginStart reads "KIND N"; a configuration it cannot read fails the
// start, so that a measurement never runs the wrong calls.
func (p *plugin) OnPluginStart(size int) types.OnPluginStartStatus {
	config, err := abi.GetBufferBytes(abi.BufferTypePluginConfiguration, 0, size)
	if err != nil {
		abi.Log(abi.LogLevelCritical, "hostcalls: reading the configuration: "+err.Error())
		return false
	}
	k, n, err := calls.Parse(config)
	if err != nil {
		abi.Log(abi.LogLevelCritical, "hostcalls: "+err.Error())
		return false
	}
	// Defined whatever the kind, so that start-up is the same for N and for
	// none, and Metric needs nothing per request but its calls.
	if p.counter, err = abi.DefineCounter(calls.Counter); err != nil {
		abi.Log(abi.LogLevelCritical, "hostcalls: defining the counter: "+err.Error())
		return false
	}
	p.op, p.n = k.Op, n
	return true
}

func (p *plugin) NewHttpContext(uint32) types.HttpContext { return &p.stream }

type stream struct {
	types.DefaultHttpContext
	plugin *plugin
}

// OnHttpResponseHeaders makes the configured calls. The answers are checked
// (a present header found, an absent one not, every call succeeding),
// because an upstream that lacks the present header would measure another
// call than the table says; the check costs no host call.
func (s *stream) OnHttpResponseHeaders(int, bool) types.Action {
	const resp = abi.MapTypeHttpResponseHeaders
	p := s.plugin
	ok := true
	switch p.op {
	case calls.GetFound:
		for range p.n {
			_, found, err := abi.HeaderMapValue(resp, calls.Present)
			ok = ok && found && err == nil
		}
	case calls.GetAbsent:
		for range p.n {
			_, found, err := abi.HeaderMapValue(resp, calls.Absent)
			ok = ok && !found && err == nil
		}
	case calls.Pairs:
		for range p.n {
			m, err := abi.GetHeaderMapPairs(resp)
			ok = ok && len(m) > 0 && err == nil
		}
	case calls.RemoveAbsent:
		for range p.n {
			ok = abi.RemoveHeaderMapValue(resp, calls.Absent) == nil && ok
		}
	case calls.Replace:
		for range p.n {
			ok = abi.ReplaceHeaderMapValue(resp, calls.Present, calls.PresentValue) == nil && ok
		}
	case calls.Add:
		for range p.n {
			ok = abi.AddHeaderMapValue(resp, calls.Added, calls.AddedValue) == nil && ok
		}
	case calls.Metric:
		for range p.n {
			ok = abi.IncrementMetric(p.counter, 1) == nil && ok
		}
	case calls.SetProperty:
		for range p.n {
			ok = abi.SetProperty(calls.Property, propertyValue) == nil && ok
		}
	}
	if !ok && !p.reported {
		p.reported = true
		abi.Log(abi.LogLevelCritical, "hostcalls: a call did not answer as expected (is "+calls.Present+" in the upstream's response?)")
	}
	return types.ActionContinue
}
