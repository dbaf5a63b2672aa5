//go:build !wasip1

package wasmhost

import (
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"
)

// WASI profiles: which Envoy's WASI functions to reproduce.
const (
	// WASIEnvoy133 is the WASI of Envoy 1.33 up to the proxy-wasm-cpp-host
	// update of 2026 (PR #533): poll_oneoff fails with ENOSYS, which makes a
	// Go module whose goroutine sleeps or blocks die with
	// "fatal error: poll_oneoff failed".
	WASIEnvoy133 = "envoy-1.33"
	// WASICurrent is the same function set with poll_oneoff succeeding and
	// reporting no events, like Envoy after that update (about 1.39).
	WASICurrent = "current"
)

// WASI errno values Envoy returns.
const (
	errnoSuccess = 0
	errnoBadf    = 8
	errnoFault   = 21
	errnoInval   = 28
	errnoNoent   = 44
	errnoNosys   = 52
	errnoNotsup  = 58
	// randomGetMax is Envoy's limit on one random_get call.
	randomGetMax = 64 << 10
)

// exitError is the panic value of proc_exit: the guest asked to end, which
// Envoy treats as a VM failure.
type exitError struct{ code uint32 }

func (e *exitError) Error() string {
	return fmt.Sprintf("proc_exit(%d) called: the module exited, which fails the VM", e.code)
}

// wasiFuncs returns the WASI functions of a profile: exactly the set of
// Envoy >= 1.33 (proxy-wasm-cpp-host PR #427). Anything else a module imports
// from wasi_snapshot_preview1 makes loading fail, as in Envoy.
func wasiFuncs(profile string) []hostFunc {
	pollOneoff := func(v *vm, s []uint64) { s[0] = errnoNosys }
	if profile == WASICurrent {
		pollOneoff = func(v *vm, s []uint64) {
			if !v.mem.WriteUint32Le(uint32(s[3]), 0) {
				s[0] = errnoFault
				return
			}
			s[0] = errnoSuccess
		}
	}
	return []hostFunc{
		{"args_get", i32s(2), i32s(1), func(v *vm, s []uint64) { s[0] = errnoSuccess }},
		{"args_sizes_get", i32s(2), i32s(1), writeTwoZeros},
		{"environ_get", i32s(2), i32s(1), func(v *vm, s []uint64) { s[0] = errnoSuccess }},
		{"environ_sizes_get", i32s(2), i32s(1), writeTwoZeros},
		{"clock_time_get", []valueType{i32, i64, i32}, i32s(1), wasiClockTimeGet},
		{"fd_write", i32s(4), i32s(1), wasiFdWrite},
		{"fd_read", i32s(4), i32s(1), func(v *vm, s []uint64) { s[0] = errnoNosys }},
		{"fd_seek", []valueType{i32, i64, i32, i32}, i32s(1), func(v *vm, s []uint64) {
			v.hostLog(LevelError, "wasi fd_seek is not supported by Envoy; returning success without seeking")
			s[0] = errnoSuccess
		}},
		{"fd_close", i32s(1), i32s(1), func(v *vm, s []uint64) {
			v.hostLog(LevelError, "wasi fd_close is not supported by Envoy; returning success without closing")
			s[0] = errnoSuccess
		}},
		{"fd_fdstat_get", i32s(2), i32s(1), wasiFdFdstatGet},
		{"fd_fdstat_set_flags", i32s(2), i32s(1), func(v *vm, s []uint64) { s[0] = errnoNosys }},
		// No preopened directories: EBADF ends the Go runtime's scan at fd 3.
		{"fd_prestat_get", i32s(2), i32s(1), func(v *vm, s []uint64) { s[0] = errnoBadf }},
		{"fd_prestat_dir_name", i32s(3), i32s(1), func(v *vm, s []uint64) { s[0] = errnoNosys }},
		{"path_open", []valueType{i32, i32, i32, i32, i32, i64, i64, i32, i32}, i32s(1),
			func(v *vm, s []uint64) { s[0] = errnoNoent }},
		{"poll_oneoff", i32s(4), i32s(1), pollOneoff},
		{"proc_exit", i32s(1), nil, func(v *vm, s []uint64) {
			err := &exitError{code: uint32(s[0])}
			if v.cause == nil {
				v.cause = err
			}
			panic(err)
		}},
		{"random_get", i32s(2), i32s(1), wasiRandomGet},
		{"sched_yield", nil, i32s(1), func(v *vm, s []uint64) { s[0] = errnoSuccess }},
	}
}

// writeTwoZeros answers args_sizes_get and environ_sizes_get: no arguments,
// no environment variables.
func writeTwoZeros(v *vm, s []uint64) {
	if !v.mem.WriteUint32Le(uint32(s[0]), 0) || !v.mem.WriteUint32Le(uint32(s[1]), 0) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoSuccess
}

// wasiClockTimeGet supports the realtime (0) and monotonic (1) clocks, as
// Envoy does; CPU-time clocks are ENOTSUP.
func wasiClockTimeGet(v *vm, s []uint64) {
	var ns uint64
	switch uint32(s[0]) {
	case 0:
		ns = uint64(time.Now().UnixNano())
	case 1:
		ns = uint64(time.Since(v.host.epoch).Nanoseconds())
	default:
		s[0] = errnoNotsup
		return
	}
	if !v.mem.WriteUint64Le(uint32(s[2]), ns) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoSuccess
}

// wasiFdWrite sends stdout (info) and stderr (error) to the plugin log, like
// Envoy. Other descriptors are EBADF.
func wasiFdWrite(v *vm, s []uint64) {
	fd, iovs, iovsLen, nwrittenPtr := uint32(s[0]), uint32(s[1]), uint32(s[2]), uint32(s[3])
	if fd != 1 && fd != 2 {
		s[0] = errnoBadf
		return
	}
	var data []byte
	for i := uint32(0); i < iovsLen; i++ {
		buf, ok1 := v.mem.ReadUint32Le(iovs + 8*i)
		n, ok2 := v.mem.ReadUint32Le(iovs + 8*i + 4)
		if !ok1 || !ok2 {
			s[0] = errnoFault
			return
		}
		b, ok := v.mem.Read(buf, n)
		if !ok {
			s[0] = errnoFault
			return
		}
		data = append(data, b...)
	}
	v.writeStdio(fd, data)
	if !v.mem.WriteUint32Le(nwrittenPtr, uint32(len(data))) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoSuccess
}

// wasiFdFdstatGet describes stdout and stderr as write-only descriptors, the
// way Envoy does, and refuses every other descriptor.
func wasiFdFdstatGet(v *vm, s []uint64) {
	fd, statPtr := uint32(s[0]), uint32(s[1])
	if fd != 1 && fd != 2 {
		s[0] = errnoBadf
		return
	}
	var stat [24]byte
	stat[8] = 64 // fs_rights_base = FD_WRITE
	if !v.mem.Write(statPtr, stat[:]) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoSuccess
}

func wasiRandomGet(v *vm, s []uint64) {
	ptr, n := uint32(s[0]), uint32(s[1])
	if n > randomGetMax {
		s[0] = errnoInval
		return
	}
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	if !v.mem.Write(ptr, buf) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoSuccess
}

// Host calls Envoy allows while it runs _initialize/main/_start (startVm)
// and while it runs the guest's allocator (allocMemory), from
// proxy-wasm-cpp-host: PR #306 made the lists, PR #427 (Envoy 1.33) let the
// Go runtime's fd_fdstat_get and fd_fdstat_set_flags run at start-up, PR
// #533 (2026) opened start-up to every WASI call and the allocator to
// poll_oneoff.
var (
	startAllowed = []string{
		"env.proxy_log", "fd_write", "args_sizes_get", "args_get", "environ_sizes_get",
		"environ_get", "fd_prestat_get", "fd_prestat_dir_name", "clock_time_get", "random_get",
		"fd_fdstat_get", "fd_fdstat_set_flags",
	}
	allocAllowed = []string{"env.proxy_log", "fd_write", "clock_time_get"}
)

// newStartGuard returns the restriction Envoy applies while the module
// initialises.
func newStartGuard(phase, profile string) *guard {
	names := startAllowed
	wasiList := "fd_write, args, environ, fd_prestat, fd_fdstat, clock_time_get and random_get"
	if profile == WASICurrent {
		names = []string{"env.proxy_log"}
		for _, f := range wasiFuncs(profile) {
			names = append(names, f.name)
		}
		wasiList = "WASI"
	}
	return &guard{
		allowed: qualify(names),
		deny: func(qualified, name string) error {
			if qualified == envModule+"."+name {
				return fmt.Errorf("%s called during %s: Envoy traps host calls other than logging and WASI before the VM starts; make this call from proxy_on_vm_start, proxy_on_configure or later", name, phase)
			}
			return fmt.Errorf("%s called during %s: before the VM starts Envoy traps every host call but proxy_log and the WASI calls %s (%s profile)", qualified, phase, wasiList, profile)
		},
	}
}

// newAllocGuard returns the restriction Envoy applies inside the allocator.
func newAllocGuard(profile string) *guard {
	names := allocAllowed
	if profile == WASICurrent {
		names = append(slices.Clone(names), "poll_oneoff")
	}
	list := strings.Join(names, ", ")
	return &guard{
		allowed: qualify(names),
		deny: func(qualified, _ string) error {
			return fmt.Errorf("%s called inside the module's allocator: Envoy traps every host call there but %s (%s profile); keep the allocator free of other host calls", qualified, list, profile)
		},
	}
}

// qualify expands names to module-qualified names; bare names are WASI
// functions, available under both WASI module names.
func qualify(names []string) map[string]bool {
	m := make(map[string]bool)
	for _, n := range names {
		if strings.HasPrefix(n, envModule+".") {
			m[n] = true
			continue
		}
		m[wasiModule+"."+n] = true
		m[wasiUnstableModule+"."+n] = true
	}
	return m
}
