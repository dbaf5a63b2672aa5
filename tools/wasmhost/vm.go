//go:build !wasip1

package wasmhost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// vm is one instance of the module, like one Envoy worker thread's copy.
// Only the request holding it from the pool calls into it.
type vm struct {
	host       *Host
	index      int
	ctx        context.Context // carries the vm to host functions
	mod        api.Module
	mem        api.Memory
	malloc     api.Function
	mallocName string
	callbacks  map[string]api.Function // the proxy_on_* the module exports

	nextID uint32 // next stream context id

	// guard restricts host calls while Envoy would (start-up, allocator);
	// nil allows every host function.
	guard *guard
	// cause is the first reason the current guest call failed inside a host
	// function (a refused host call, proc_exit, a trap in the allocator).
	cause error
	// pluginConfigReadable is set while Envoy lets the root context read
	// the plugin configuration (proxy_on_vm_start, proxy_on_configure).
	pluginConfigReadable bool
	// effective is the context id set by proxy_set_effective_context for
	// the rest of the current callback; 0 means the callback's own context.
	effective uint32
	stream    *stream // the request being served, nil between requests
	starting  bool    // start-up quotes the output of all its calls

	failed  error // set once the VM failed; it never runs again
	stdio   [3]bytes.Buffer
	recent  []string        // module output of the current guest call
	omitted int             // lines dropped from recent
	crash   []string        // a Go crash report in that output
	warned  map[string]bool // callbacks already warned about a pause
}

// guard is a restriction on host calls and how to explain a refusal.
type guard struct {
	allowed map[string]bool
	deny    func(qualified, name string) error
}

// checkAllowed traps the guest (by panicking out of the host function) when
// the current guard refuses the host function, as Envoy's
// "restricted_callback" trap does.
func (v *vm) checkAllowed(qualified, name string) {
	if v.guard == nil || v.guard.allowed[qualified] {
		return
	}
	err := v.guard.deny(qualified, name)
	if v.cause == nil {
		v.cause = err
	}
	panic(err)
}

// newVM instantiates the compiled module without running any start function.
func (h *Host) newVM(ctx context.Context, index int) (*vm, error) {
	v := &vm{host: h, index: index, nextID: rootContextID + 1, callbacks: map[string]api.Function{}, warned: map[string]bool{}}
	v.ctx = context.WithValue(context.Background(), vmKey{}, v)
	cfg := wazero.NewModuleConfig().WithName("").WithStartFunctions()
	mod, err := h.runtime.InstantiateModule(v.ctx, h.compiled, cfg)
	if err != nil {
		return nil, fmt.Errorf("vm %d: instantiating the module: %w", index, err)
	}
	v.mod, v.mem = mod, mod.Memory()
	v.mallocName = exportMalloc
	if v.malloc = mod.ExportedFunction(exportMalloc); v.malloc == nil {
		v.mallocName = exportMemoryAlloc
		v.malloc = mod.ExportedFunction(exportMemoryAlloc)
	}
	for name := range callbackTypes {
		if strings.HasPrefix(name, "proxy_on_") {
			if f := mod.ExportedFunction(name); f != nil {
				v.callbacks[name] = f
			}
		}
	}
	return v, nil
}

// start runs Envoy's start-up sequence: _initialize (then main(0, 0)) or
// _start with only logging and some WASI calls allowed, then the root
// context's proxy_on_context_create, proxy_on_vm_start and
// proxy_on_configure.
func (v *vm) start() error {
	v.starting = true
	defer func() { v.starting = false }()
	if v.mod.ExportedFunction(exportInitialize) != nil {
		if err := v.runRestricted(exportInitialize); err != nil {
			return err
		}
		if v.mod.ExportedFunction(exportMain) != nil {
			if err := v.runRestricted(exportMain); err != nil {
				return err
			}
		}
	} else if v.mod.ExportedFunction(exportStart) != nil {
		if err := v.runRestricted(exportStart); err != nil {
			return err
		}
	}
	if _, err := v.call("proxy_on_context_create", rootContextID, 0); err != nil {
		return err
	}
	v.pluginConfigReadable = true
	defer func() { v.pluginConfigReadable = false }()
	ok, err := v.call("proxy_on_vm_start", rootContextID, uint64(len(v.host.cfg.VMConfig)))
	if err != nil {
		return err
	}
	if ok != nil && ok[0] == 0 {
		return fmt.Errorf("vm %d: proxy_on_vm_start returned false: Envoy fails to start the VM%s", v.index, v.recentOutput())
	}
	ok, err = v.call("proxy_on_configure", rootContextID, uint64(len(v.host.cfg.PluginConfig)))
	if err != nil {
		return err
	}
	if ok != nil && ok[0] == 0 {
		return fmt.Errorf("vm %d: proxy_on_configure returned false: Envoy rejects the plugin configuration%s", v.index, v.recentOutput())
	}
	return nil
}

// runRestricted runs _initialize, main or _start under Envoy's start-up
// restriction. main gets (0, 0) when it takes two i32 arguments.
func (v *vm) runRestricted(name string) error {
	fn := v.mod.ExportedFunction(name)
	var args []uint64
	if name == exportMain {
		params := fn.Definition().ParamTypes()
		switch {
		case sameTypes(params, i32s(2)):
			args = []uint64{0, 0}
		case len(params) != 0:
			return fmt.Errorf("vm %d: main has signature %s; Envoy calls main(0, 0) with two i32 arguments",
				v.index, signature(params, fn.Definition().ResultTypes()))
		}
	}
	v.guard = newStartGuard(name, v.host.profile)
	defer func() { v.guard = nil }()
	_, err := v.invoke(name, fn, args)
	return err
}

// call runs the proxy_on_* callback name if the module exports it; results
// are nil when it does not. An error means the VM failed.
func (v *vm) call(name string, args ...uint64) ([]uint64, error) {
	fn := v.callbacks[name]
	if fn == nil {
		return nil, nil
	}
	return v.invoke(name, fn, args)
}

// invoke calls fn and turns any error (a trap, proc_exit, a refused host
// call) into the VM's failure.
func (v *vm) invoke(name string, fn api.Function, args []uint64) ([]uint64, error) {
	if v.failed != nil {
		return nil, v.failed
	}
	if !v.starting {
		v.recent, v.crash, v.omitted = v.recent[:0], v.crash[:0], 0
	}
	v.cause, v.effective = nil, 0
	res, err := fn.Call(v.ctx, args...)
	v.flushStdio()
	if err != nil {
		v.fail(name, err)
		return nil, v.failed
	}
	return res, nil
}

// fail marks the VM failed and logs why, as Envoy logs a failed VM.
func (v *vm) fail(name string, err error) {
	reason := v.cause
	if reason == nil {
		reason = trimStack(err)
	}
	v.failed = fmt.Errorf("vm %d: %s failed: %w%s", v.index, name, reason, v.recentOutput())
	v.hostLog(LevelCritical, "wasm VM failed: "+v.failed.Error())
}

// trimStack drops the wasm stack trace wazero appends to a trap's message.
func trimStack(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "\nwasm stack trace:"); i >= 0 {
		return errors.New(msg[:i])
	}
	return err
}

// newContextID allocates a stream context id, unique within the VM.
func (v *vm) newContextID() uint32 {
	id := v.nextID
	v.nextID++
	return id
}

// activeStream returns the request stream host calls apply to, or nil when
// the current context is the root context.
func (v *vm) activeStream() *stream {
	if v.stream == nil || (v.effective != 0 && v.effective != v.stream.id) {
		return nil
	}
	return v.stream
}
