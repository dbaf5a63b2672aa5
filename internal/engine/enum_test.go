package engine

import (
	"fmt"
	"go/types"
	"slices"
	"strings"
	"testing"
)

// enumStrings are the String methods of the package's exported integer
// types, over any value of the type. TestEnumStringsNeverPanic finds the
// types by type-checking the package, so that a new one must be added here.
var enumStrings = map[string]func(v uint8) string{
	"Kind":         func(v uint8) string { return Kind(v).String() },
	"Reason":       func(v uint8) string { return Reason(v).String() },
	"Action":       func(v uint8) string { return Action(v).String() },
	"Disagreement": func(v uint8) string { return Disagreement(v).String() },
}

// A value converted from a number is a valid Go value of the type: naming
// one that is no constant of it, in a log line, must not panic. Every
// value of each type is named: its constant's name, or "Type(n)".
func TestEnumStringsNeverPanic(t *testing.T) {
	t.Parallel()
	known := map[string]int{"Kind": len(kindNames), "Reason": len(reasonNames), "Action": len(actionNames)}
	for name, str := range enumStrings {
		for v := range 256 {
			got := callString(t, name, str, uint8(v))
			switch want := fmt.Sprintf("%s(%d)", name, v); {
			case name == "Disagreement":
				unknown := Disagreement(v) &^ AllDisagreements
				if mark := fmt.Sprintf("Disagreement(%#x)", uint8(unknown)); (unknown != 0) != strings.Contains(got, mark) {
					t.Errorf("Disagreement(%#x).String() = %q; want %q in it just when bits outside AllDisagreements are set", v, got, mark)
				}
			case v < known[name] && (got == want || got == "" && !(name == "Reason" && v == 0)):
				t.Errorf("%s(%d).String() = %q; want its constant's name", name, v, got)
			case v >= known[name] && got != want:
				t.Errorf("%s(%d).String() = %q; want %q", name, v, got, want)
			}
		}
	}

	// Every exported integer type with a String method is walked above.
	sourceImporterMu.Lock()
	defer sourceImporterMu.Unlock()
	_, imp := sourceImporter()
	pkg, err := imp.Import("github.com/corswasm/corswasm/internal/engine")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, n := range pkg.Scope().Names() {
		tn, ok := pkg.Scope().Lookup(n).(*types.TypeName)
		if !ok || !tn.Exported() {
			continue
		}
		basic, ok := tn.Type().Underlying().(*types.Basic)
		if !ok || basic.Info()&types.IsInteger == 0 {
			continue
		}
		if m, _, _ := types.LookupFieldOrMethod(tn.Type(), false, pkg, "String"); m != nil {
			found = append(found, n)
		}
	}
	var walked []string
	for name := range enumStrings {
		walked = append(walked, name)
	}
	slices.Sort(found)
	slices.Sort(walked)
	if !slices.Equal(found, walked) {
		t.Errorf("the exported integer types with String are %q; the test walks %q", found, walked)
	}
}

// callString calls str(v), failing the test if it panics.
func callString(t *testing.T, name string, str func(uint8) string, v uint8) (s string) {
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s(%d).String() panics: %v", name, v, r)
		}
	}()
	return str(v)
}
