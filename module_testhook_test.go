package main

import (
	"bytes"
	"testing"

	"github.com/corswasm/corswasm/internal/testing/testheaders"
	"github.com/corswasm/corswasm/internal/testing/testmodule"
)

// The module that ships knows neither header that makes a test build
// misbehave; the test builds know theirs (that they do act on it is
// tools/e2e's panic and allocation tests).
func TestModuleHasNoTestHeaders(t *testing.T) {
	for _, c := range []struct {
		what   string
		module func(testing.TB) []byte
		want   map[string]bool
	}{
		{"the module", testmodule.Module, map[string]bool{testheaders.PanicHeader: false, testheaders.AllocHeader: false}},
		{"the panicking test module", testmodule.PanicTestModule, map[string]bool{testheaders.PanicHeader: true}},
		{"the allocating test module", testmodule.AllocStatModule, map[string]bool{testheaders.AllocHeader: true}},
	} {
		bin := c.module(t)
		for header, want := range c.want {
			if got := bytes.Contains(bin, []byte(header)); got != want {
				t.Errorf("%s holds %q: %v; want %v", c.what, header, got, want)
			}
		}
	}
}
