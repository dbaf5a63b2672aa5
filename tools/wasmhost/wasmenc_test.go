//go:build !wasip1

package wasmhost

import (
	"bytes"
	"encoding/binary"
)

// wasmModule builds small WebAssembly binaries for tests: imported and
// defined functions, one memory exported as "memory", data segments and
// exports. Function bodies are raw instruction bytes built with the
// helpers below.
type wasmModule struct {
	types   [][2][]byte // params, results (value type bytes)
	imports []wasmImport
	funcs   []wasmFunc
	exports []wasmExport
	data    []wasmData
	noMem   bool
	dataEnd uint32
}

type wasmImport struct {
	module, name string
	typ          uint32
}

type wasmFunc struct {
	typ  uint32
	body []byte
}

type wasmExport struct {
	name  string
	kind  byte
	index uint32
}

type wasmData struct {
	offset uint32
	bytes  []byte
}

const (
	tI32 = 0x7f
	tI64 = 0x7e
)

// sig describes a function type: n i32 parameters and m i32 results.
func sig(params, results int) [2][]byte {
	return [2][]byte{bytes.Repeat([]byte{tI32}, params), bytes.Repeat([]byte{tI32}, results)}
}

func (m *wasmModule) typeIndex(t [2][]byte) uint32 {
	for i, have := range m.types {
		if bytes.Equal(have[0], t[0]) && bytes.Equal(have[1], t[1]) {
			return uint32(i)
		}
	}
	m.types = append(m.types, t)
	return uint32(len(m.types) - 1)
}

// importFunc imports a function and returns its index. Imports must come
// before defined functions.
func (m *wasmModule) importFunc(module, name string, t [2][]byte) uint32 {
	if len(m.funcs) > 0 {
		panic("wasmModule: import after a defined function")
	}
	m.imports = append(m.imports, wasmImport{module, name, m.typeIndex(t)})
	return uint32(len(m.imports) - 1)
}

// fn defines a function; export names it in the export section if not
// empty. It returns the function index.
func (m *wasmModule) fn(export string, t [2][]byte, body ...[]byte) uint32 {
	m.funcs = append(m.funcs, wasmFunc{m.typeIndex(t), bytes.Join(body, nil)})
	idx := uint32(len(m.imports) + len(m.funcs) - 1)
	if export != "" {
		m.exports = append(m.exports, wasmExport{export, 0, idx})
	}
	return idx
}

// str places s in memory from address 1024 on and returns its address and
// length.
func (m *wasmModule) str(s string) (uint32, uint32) {
	if m.dataEnd == 0 {
		m.dataEnd = 1024
	}
	addr := m.dataEnd
	m.data = append(m.data, wasmData{addr, []byte(s)})
	m.dataEnd += uint32(len(s)+7) &^ 7
	return addr, uint32(len(s))
}

// iovec places s in memory followed by a WASI iovec pointing at it and
// returns the iovec's address.
func (m *wasmModule) iovec(s string) uint32 {
	addr, n := m.str(s)
	iov := binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, addr), n)
	m.data = append(m.data, wasmData{m.dataEnd, iov})
	m.dataEnd += 8
	return m.dataEnd - 8
}

// Instructions.
func i32c(v int32) []byte  { return append([]byte{0x41}, sleb(int64(v))...) }
func call(f uint32) []byte { return append([]byte{0x10}, uleb(uint64(f))...) }

// localGet pushes parameter i.
func localGet(i uint32) []byte { return append([]byte{0x20}, uleb(uint64(i))...) }

var (
	drop        = []byte{0x1a}
	unreachable = []byte{0x00}
)

// callDrop calls f with constant i32 arguments and drops its result.
func callDrop(f uint32, args ...int32) []byte {
	var b []byte
	for _, a := range args {
		b = append(b, i32c(a)...)
	}
	return append(append(b, call(f)...), drop...)
}

func (m *wasmModule) bytes() []byte {
	var out bytes.Buffer
	out.Write([]byte{0, 'a', 's', 'm', 1, 0, 0, 0})
	section := func(id byte, items ...[]byte) {
		body := bytes.Join(items, nil)
		out.WriteByte(id)
		out.Write(uleb(uint64(len(body))))
		out.Write(body)
	}
	vec := func(n int, items ...[]byte) []byte {
		return append(uleb(uint64(n)), bytes.Join(items, nil)...)
	}
	name := func(s string) []byte { return append(uleb(uint64(len(s))), s...) }

	var types [][]byte
	for _, t := range m.types {
		types = append(types, append(append([]byte{0x60}, vec(len(t[0]), t[0])...), vec(len(t[1]), t[1])...))
	}
	section(1, vec(len(types), types...))
	var imports [][]byte
	for _, im := range m.imports {
		imports = append(imports, bytes.Join([][]byte{name(im.module), name(im.name), {0x00}, uleb(uint64(im.typ))}, nil))
	}
	section(2, vec(len(imports), imports...))
	var funcs [][]byte
	for _, f := range m.funcs {
		funcs = append(funcs, uleb(uint64(f.typ)))
	}
	section(3, vec(len(funcs), funcs...))
	exports := m.exports
	if !m.noMem {
		section(5, vec(1, []byte{0x00, 0x01})) // one memory, min 1 page
		exports = append(exports, wasmExport{"memory", 2, 0})
	}
	var exps [][]byte
	for _, e := range exports {
		exps = append(exps, bytes.Join([][]byte{name(e.name), {e.kind}, uleb(uint64(e.index))}, nil))
	}
	section(7, vec(len(exps), exps...))
	var codes [][]byte
	for _, f := range m.funcs {
		body := append(append([]byte{0x00}, f.body...), 0x0b) // no locals; end
		codes = append(codes, append(uleb(uint64(len(body))), body...))
	}
	section(10, vec(len(codes), codes...))
	var data [][]byte
	for _, d := range m.data {
		expr := append(append([]byte{0x00}, i32c(int32(d.offset))...), 0x0b)
		data = append(data, append(expr, vec(len(d.bytes), d.bytes)...))
	}
	section(11, vec(len(data), data...))
	return out.Bytes()
}

func uleb(v uint64) []byte { return binary.AppendUvarint(nil, v) }

func sleb(v int64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// newFilterModule starts a module Envoy accepts: the ABI 0.2.1 marker, and
// a malloc that hands out address 4096 (enough for the tests' small
// copies). Callers add imports first (pass them in), then functions.
func newFilterModule(imports func(m *wasmModule)) *wasmModule {
	m := &wasmModule{}
	if imports != nil {
		imports(m)
	}
	m.fn("proxy_abi_version_0_2_1", sig(0, 0))
	m.fn("malloc", sig(1, 1), i32c(4096))
	return m
}
