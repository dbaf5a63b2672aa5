package wasmbin

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// builder assembles a wasm binary by hand and records the offsets where a
// prefix of it is itself a complete binary (after the header and after each
// section).
type builder struct {
	b          []byte
	boundaries []int
}

func newBuilder() *builder {
	return &builder{b: slices.Clone(header), boundaries: []int{len(header)}}
}

func (w *builder) section(id byte, parts ...[]byte) *builder {
	contents := bytes.Join(parts, nil)
	w.b = append(w.b, id)
	w.b = appendU32(w.b, uint32(len(contents)))
	w.b = append(w.b, contents...)
	w.boundaries = append(w.boundaries, len(w.b))
	return w
}

// vec encodes a vector: the item count, then the items.
func vec(items ...[]byte) []byte {
	return append(appendU32(nil, uint32(len(items))), bytes.Join(items, nil)...)
}

// name encodes a name: its length, then its bytes.
func name(s string) []byte { return append(appendU32(nil, uint32(len(s))), s...) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// parseModule has one import of every kind (with the limit and value-type
// encodings that change a description's length) and a custom section, so a
// parser that mis-sizes any of them desyncs and fails the test.
func parseModule() *builder {
	return newBuilder().
		section(1, vec([]byte{0x60, 0x00, 0x01, 0x7f})). // type 0: () -> i32
		section(2, vec(
			cat(name("env"), name("f"), []byte{0x00, 0x00}),                                         // func, type 0
			cat(name("env"), name("tbl"), []byte{0x01, 0x70, 0x00, 0x01}),                           // table funcref, min 1
			cat(name("env"), name("mem"), []byte{0x02, 0x01, 0x01, 0x02}),                           // memory, min 1 max 2
			cat(name("env"), name("mem64"), []byte{0x02, 0x05, 0x80, 0x80, 0x04, 0x81, 0x80, 0x04}), // memory64 with max
			cat(name("env"), name("g"), []byte{0x03, 0x7f, 0x00}),                                   // global i32 const
			cat(name("env"), name("gref"), []byte{0x03, 0x63, 0x70, 0x01}),                          // global (ref null func) var
			cat(name("wasi"), name("t"), []byte{0x04, 0x00, 0x00}),                                  // tag, type 0
		)).
		section(3, vec([]byte{0x00})). // one function of type 0
		section(7, vec(
			cat(name("_initialize"), []byte{0x00, 0x01}),
			cat(name("memory"), []byte{0x02, 0x00}),
			cat(name("answer"), []byte{0x00, 0x81, 0x00}), // index 1, non-minimal LEB128
		)).
		section(10, vec([]byte{0x04, 0x00, 0x41, 0x2a, 0x0b})). // i32.const 42
		section(0, name("note"), []byte("custom bytes"))
}

var (
	parseModuleImports = []Import{
		{"env", "f", KindFunc},
		{"env", "tbl", KindTable},
		{"env", "mem", KindMemory},
		{"env", "mem64", KindMemory},
		{"env", "g", KindGlobal},
		{"env", "gref", KindGlobal},
		{"wasi", "t", KindTag},
	}
	parseModuleExports = []Export{
		{"_initialize", KindFunc, 1},
		{"memory", KindMemory, 0},
		{"answer", KindFunc, 1},
	}
)

func TestParse(t *testing.T) {
	t.Parallel()
	bin := parseModule().b
	imports, err := Imports(bin)
	if err != nil {
		t.Fatalf("Imports: %v", err)
	}
	if !reflect.DeepEqual(imports, parseModuleImports) {
		t.Errorf("Imports:\n got %v\nwant %v", imports, parseModuleImports)
	}
	exports, err := Exports(bin)
	if err != nil {
		t.Fatalf("Exports: %v", err)
	}
	if !reflect.DeepEqual(exports, parseModuleExports) {
		t.Errorf("Exports:\n got %v\nwant %v", exports, parseModuleExports)
	}
}

func TestParseWithoutSections(t *testing.T) {
	t.Parallel()
	bin := newBuilder().b
	if im, err := Imports(bin); err != nil || im != nil {
		t.Errorf("Imports of an empty module = %v, %v; want nil, nil", im, err)
	}
	if ex, err := Exports(bin); err != nil || ex != nil {
		t.Errorf("Exports of an empty module = %v, %v; want nil, nil", ex, err)
	}
	if _, err := RenameExport(bin, "a", "b"); !errors.Is(err, ErrExportNotFound) {
		t.Errorf("RenameExport of an empty module: %v, want ErrExportNotFound", err)
	}
}

func TestRenameExport(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 300) // a name whose length needs a 2-byte LEB128
	tests := []struct{ from, to string }{
		{"_initialize", "_start"},
		{"answer", "a"},
		{"memory", long},
		{"_initialize", ""},
	}
	for _, tt := range tests {
		t.Run(tt.from+"->"+tt.to[:min(len(tt.to), 8)], func(t *testing.T) {
			t.Parallel()
			w := parseModule()
			bin := w.b
			orig := slices.Clone(bin)
			out, err := RenameExport(bin, tt.from, tt.to)
			if err != nil {
				t.Fatalf("RenameExport: %v", err)
			}
			if !bytes.Equal(bin, orig) {
				t.Fatal("RenameExport modified its input")
			}
			want := slices.Clone(parseModuleExports)
			for i := range want {
				if want[i].Name == tt.from {
					want[i].Name = tt.to
				}
			}
			got, err := Exports(out)
			if err != nil {
				t.Fatalf("Exports of the result: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Exports of the result:\n got %v\nwant %v", got, want)
			}
			// Every section other than the export section is unchanged,
			// including the code and the custom section after it.
			imports, err := Imports(out)
			if err != nil || !reflect.DeepEqual(imports, parseModuleImports) {
				t.Errorf("Imports of the result = %v, %v", imports, err)
			}
			exportEnd := w.boundaries[4]
			if tail := bin[exportEnd:]; !bytes.HasSuffix(out, tail) {
				t.Error("sections after the export section changed")
			}
			if head := bin[:w.boundaries[3]]; !bytes.HasPrefix(out, head) {
				t.Error("sections before the export section changed")
			}
			if diff := len(out) - len(bin); diff < len(tt.to)-len(tt.from) {
				t.Errorf("result is %d bytes longer, want at least %d", diff, len(tt.to)-len(tt.from))
			}
		})
	}
}

func TestRenameExportErrors(t *testing.T) {
	t.Parallel()
	bin := parseModule().b
	tests := []struct {
		name     string
		bin      []byte
		from, to string
		want     error
	}{
		{"missing export", bin, "_start", "main", ErrExportNotFound},
		{"target exists", bin, "_initialize", "memory", ErrExportExists},
		{"rename to itself", bin, "answer", "answer", ErrExportExists},
		{"empty input", nil, "a", "b", ErrNotWasm},
		{"garbage", []byte("definitely not wasm"), "a", "b", ErrNotWasm},
		{"wrong version", append([]byte{0, 'a', 's', 'm', 2, 0, 0, 0}, bin[8:]...), "a", "b", ErrNotWasm},
		{"truncated", bin[:len(bin)-3], "_initialize", "_start", ErrMalformed},
		{"section size overruns", append(slices.Clone(header), 7, 0x7f, 0), "a", "b", ErrMalformed},
		{"two export sections", newBuilder().section(7, vec()).section(7, vec()).b, "a", "b", ErrMalformed},
		{"unknown export kind", newBuilder().section(7, vec(cat(name("a"), []byte{0x09, 0x00}))).b, "a", "b", ErrMalformed},
		{"trailing bytes in export section", newBuilder().section(7, vec(cat(name("a"), []byte{0x00, 0x00})), []byte{0xff}).b, "a", "b", ErrMalformed},
		{"overlong LEB128", newBuilder().section(7, []byte{0x81, 0x80, 0x80, 0x80, 0x80, 0x00}).b, "a", "b", ErrMalformed},
		{"LEB128 beyond 32 bits", newBuilder().section(7, []byte{0x80, 0x80, 0x80, 0x80, 0x10}).b, "a", "b", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := RenameExport(tt.bin, tt.from, tt.to)
			if !errors.Is(err, tt.want) {
				t.Errorf("RenameExport error = %v, want %v", err, tt.want)
			}
			if out != nil {
				t.Errorf("RenameExport returned %d bytes along with an error", len(out))
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		desc []byte // kind byte and description of a single import
	}{
		{"unknown kind", []byte{0x05, 0x00}},
		{"unknown limits flags", []byte{0x02, 0x08, 0x01}},
		{"unknown global mutability", []byte{0x03, 0x7f, 0x02}},
		{"description cut short", []byte{0x01, 0x70, 0x01, 0x01}}, // table max missing
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bin := newBuilder().section(2, vec(cat(name("m"), name("n"), tt.desc))).b
			if _, err := Imports(bin); !errors.Is(err, ErrMalformed) {
				t.Errorf("Imports error = %v, want ErrMalformed", err)
			}
		})
	}
}

// TestTruncation cuts the module at every length. A cut at a section
// boundary leaves a valid, shorter module; any other cut must be reported,
// never panic or be read as valid.
func TestTruncation(t *testing.T) {
	t.Parallel()
	w := parseModule()
	for n := range len(w.b) {
		prefix := w.b[:n]
		_, errE := Exports(prefix)
		_, errI := Imports(prefix)
		_, errR := RenameExport(prefix, "_initialize", "_start")
		switch {
		case n < len(header):
			for _, err := range []error{errE, errI, errR} {
				if !errors.Is(err, ErrNotWasm) {
					t.Fatalf("cut at %d: error %v, want ErrNotWasm", n, err)
				}
			}
		case slices.Contains(w.boundaries, n):
			if errE != nil || errI != nil {
				t.Fatalf("cut at section boundary %d: Exports error %v, Imports error %v", n, errE, errI)
			}
		default:
			for _, err := range []error{errE, errI, errR} {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("cut at %d: error %v, want ErrMalformed", n, err)
				}
			}
		}
	}
}

// FuzzParse feeds arbitrary bytes and names to every function: none may
// panic, and a successful rename must leave a module whose exports are the
// old ones with exactly that name changed and whose imports are unchanged.
func FuzzParse(f *testing.F) {
	f.Add(parseModule().b, "_initialize", "_start")
	f.Add(parseModule().b, "memory", strings.Repeat("m", 130))
	f.Add(newBuilder().b, "a", "b")
	f.Fuzz(func(t *testing.T, bin []byte, from, to string) {
		exports, errE := Exports(bin)
		imports, errI := Imports(bin)
		out, err := RenameExport(bin, from, to)
		if err != nil {
			if out != nil {
				t.Fatal("output along with an error")
			}
			return
		}
		if errE != nil {
			t.Fatalf("RenameExport succeeded on a binary Exports rejects: %v", errE)
		}
		got, err := Exports(out)
		if err != nil {
			t.Fatalf("Exports of the renamed binary: %v", err)
		}
		want := slices.Clone(exports)
		renamed := 0
		for i := range want {
			if want[i].Name == from {
				want[i].Name = to
				renamed++
			}
		}
		if renamed == 0 {
			t.Fatalf("RenameExport succeeded without an export named %q", from)
		}
		if renamed == 1 && !reflect.DeepEqual(got, want) {
			t.Fatalf("exports after rename:\n got %v\nwant %v", got, want)
		}
		gotImports, errI2 := Imports(out)
		if (errI == nil) != (errI2 == nil) || !reflect.DeepEqual(imports, gotImports) {
			t.Fatalf("imports changed by the rename: %v, %v -> %v, %v", imports, errI, gotImports, errI2)
		}
	})
}
