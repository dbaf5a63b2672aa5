// Package wasmbin reads and patches the import and export sections of a
// WebAssembly binary, for tests that run the filter module outside Envoy.
//
// Its main use is RenameExport(bin, "_initialize", "_start"): the SDK's
// proxytest.NewWasmVMContext instantiates a module on wazero but never calls
// a reactor's _initialize, while wazero runs _start on instantiation, so the
// rename makes Go's runtime and init() functions run before any callback.
package wasmbin

import (
	"errors"
	"fmt"
)

// Kind is the kind of an import or export (the "externtype" byte).
type Kind byte

// Kind values of the WebAssembly binary format (tag from the exception
// handling proposal).
const (
	KindFunc   Kind = 0
	KindTable  Kind = 1
	KindMemory Kind = 2
	KindGlobal Kind = 3
	KindTag    Kind = 4
)

// String returns the kind's name as the text format spells it.
func (k Kind) String() string {
	switch k {
	case KindFunc:
		return "func"
	case KindTable:
		return "table"
	case KindMemory:
		return "memory"
	case KindGlobal:
		return "global"
	case KindTag:
		return "tag"
	}
	return fmt.Sprintf("kind(%d)", byte(k))
}

// Export is one entry of the export section.
type Export struct {
	Name  string
	Kind  Kind
	Index uint32
}

// Import is one entry of the import section.
type Import struct {
	Module string
	Name   string
	Kind   Kind
}

// Errors the functions return, wrapped with detail; test with errors.Is.
var (
	// ErrNotWasm means the input does not start with the wasm magic number
	// and version 1.
	ErrNotWasm = errors.New("not a wasm binary")
	// ErrMalformed means the input is a wasm binary whose sections cannot be
	// parsed (truncated, a size that overruns, an unknown kind).
	ErrMalformed = errors.New("malformed wasm binary")
	// ErrExportNotFound means RenameExport found no export with the old name.
	ErrExportNotFound = errors.New("export not found")
	// ErrExportExists means RenameExport's new name is already exported;
	// renaming would make the module invalid.
	ErrExportExists = errors.New("export already exists")
)

const (
	sectionImport = 2
	sectionExport = 7
)

var header = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

// section is one section of a binary: its id and where its contents lie.
type section struct {
	id         byte
	start, end int // contents, excluding the id and size
	headerAt   int // offset of the id byte
}

// sections splits bin into its sections, checking only the framing.
func sections(bin []byte) ([]section, error) {
	if len(bin) < len(header) || string(bin[:len(header)]) != string(header) {
		return nil, ErrNotWasm
	}
	var out []section
	r := &reader{b: bin, off: len(header)}
	for !r.done() {
		at := r.off
		id, err := r.byte()
		if err != nil {
			return nil, err
		}
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		if uint64(size) > uint64(len(bin)-r.off) {
			return nil, fmt.Errorf("%w: section %d at offset %d: size %d overruns the binary", ErrMalformed, id, at, size)
		}
		out = append(out, section{id: id, start: r.off, end: r.off + int(size), headerAt: at})
		r.off += int(size)
	}
	return out, nil
}

// findSection returns the only section with the given id, or ok == false.
func findSection(secs []section, id byte) (s section, ok bool, err error) {
	for _, c := range secs {
		if c.id != id {
			continue
		}
		if ok {
			return section{}, false, fmt.Errorf("%w: two sections with id %d", ErrMalformed, id)
		}
		s, ok = c, true
	}
	return s, ok, nil
}

// exportEntry is a parsed export together with where its bytes lie, so a
// rename can copy everything but the name verbatim.
type exportEntry struct {
	Export
	// Offsets in the binary: start of the entry (the name's length), end of
	// the name. The length is re-encoded from here rather than assumed to
	// have been written in the minimal number of bytes.
	start, nameEnd int
}

func parseExports(bin []byte, s section) ([]exportEntry, error) {
	r := &reader{b: bin[:s.end], off: s.start}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	var out []exportEntry
	for i := uint32(0); i < n; i++ {
		start := r.off
		name, err := r.name()
		if err != nil {
			return nil, err
		}
		nameEnd := r.off
		kind, err := r.byte()
		if err != nil {
			return nil, err
		}
		if Kind(kind) > KindTag {
			return nil, fmt.Errorf("%w: export %q has unknown kind %d", ErrMalformed, name, kind)
		}
		index, err := r.u32()
		if err != nil {
			return nil, err
		}
		out = append(out, exportEntry{Export{name, Kind(kind), index}, start, nameEnd})
	}
	if !r.done() {
		return nil, fmt.Errorf("%w: %d trailing bytes in the export section", ErrMalformed, s.end-r.off)
	}
	return out, nil
}

// Exports lists the module's exports in section order.
func Exports(bin []byte) ([]Export, error) {
	secs, err := sections(bin)
	if err != nil {
		return nil, err
	}
	s, ok, err := findSection(secs, sectionExport)
	if err != nil || !ok {
		return nil, err
	}
	entries, err := parseExports(bin, s)
	if err != nil {
		return nil, err
	}
	out := make([]Export, len(entries))
	for i, e := range entries {
		out[i] = e.Export
	}
	return out, nil
}

// Imports lists the module's imports in section order. Every import kind is
// decoded in full, since its description's length is not encoded anywhere.
func Imports(bin []byte) ([]Import, error) {
	secs, err := sections(bin)
	if err != nil {
		return nil, err
	}
	s, ok, err := findSection(secs, sectionImport)
	if err != nil || !ok {
		return nil, err
	}
	r := &reader{b: bin[:s.end], off: s.start}
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	var out []Import
	for i := uint32(0); i < n; i++ {
		module, err := r.name()
		if err != nil {
			return nil, err
		}
		name, err := r.name()
		if err != nil {
			return nil, err
		}
		kind, err := r.byte()
		if err != nil {
			return nil, err
		}
		if err := r.skipImportDesc(Kind(kind)); err != nil {
			return nil, fmt.Errorf("import %q %q: %w", module, name, err)
		}
		out = append(out, Import{module, name, Kind(kind)})
	}
	if !r.done() {
		return nil, fmt.Errorf("%w: %d trailing bytes in the import section", ErrMalformed, s.end-r.off)
	}
	return out, nil
}

// RenameExport returns a copy of bin in which the export named from is
// named to. The export section is re-encoded (with its new LEB128 size);
// every other byte is copied unchanged.
func RenameExport(bin []byte, from, to string) ([]byte, error) {
	secs, err := sections(bin)
	if err != nil {
		return nil, err
	}
	s, ok, err := findSection(secs, sectionExport)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %q (the module has no export section)", ErrExportNotFound, from)
	}
	entries, err := parseExports(bin, s)
	if err != nil {
		return nil, err
	}
	target := -1
	for i, e := range entries {
		switch e.Name {
		case to:
			return nil, fmt.Errorf("%w: %q", ErrExportExists, to)
		case from:
			if target < 0 {
				target = i
			}
		}
	}
	if target < 0 {
		return nil, fmt.Errorf("%w: %q", ErrExportNotFound, from)
	}

	// New section contents: the entry count and entries as they were, with
	// one name replaced.
	e := entries[target]
	contents := make([]byte, 0, s.end-s.start+len(to)+5)
	contents = append(contents, bin[s.start:e.start]...)
	contents = appendU32(contents, uint32(len(to)))
	contents = append(contents, to...)
	contents = append(contents, bin[e.nameEnd:s.end]...)

	out := make([]byte, 0, len(bin)+len(to)+10)
	out = append(out, bin[:s.headerAt]...)
	out = append(out, sectionExport)
	out = appendU32(out, uint32(len(contents)))
	out = append(out, contents...)
	out = append(out, bin[s.end:]...)
	return out, nil
}
