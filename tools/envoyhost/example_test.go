//go:build !wasip1

package envoyhost_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/corswasm/corswasm/tools/envoyhost"
)

// Soak a module with one kind of request and read its time per request and
// memory, as tools/bench does. (Compiled, not run: it needs the kit.)
func ExampleSoak() {
	ctx := context.Background()
	harness, err := envoyhost.Harness(ctx)
	if err != nil {
		log.Fatal(err) // errors.Is(err, envoyhost.ErrKitUnavailable): no kit here
	}
	config, err := os.ReadFile("envoy/cors.json")
	if err != nil {
		log.Fatal(err)
	}
	opts := envoyhost.Options{
		Harness:    harness,
		Module:     "build/cors.wasm",
		Config:     config,
		Restricted: envoyhost.RestrictedTrap, // as Envoy with V8
		NoReload:   true,                     // stop at the first VM failure
	}
	preflight := envoyhost.Request{Headers: []envoyhost.Header{
		{":method", "OPTIONS"}, {":path", "/items"}, {":authority", "api.example.com"}, {":scheme", "https"},
		{"origin", "https://app.example.com"}, {"access-control-request-method", "PUT"},
	}}
	s, err := envoyhost.Soak(ctx, opts, 100000, []envoyhost.Request{preflight})
	if err != nil {
		log.Fatal(err)
	}
	if p := s.Problems(); p != nil {
		log.Fatal(p) // failures, mismatches, restricted calls, errors
	}
	fmt.Printf("%.0f ns/request, memory %d → %d bytes (grew by %d)\n", s.NsPerRequest, s.MemoryStart, s.MemoryEnd, s.MemoryGrowth())
}
