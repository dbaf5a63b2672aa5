package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/corswasm/corswasm/internal/engine"
)

// version is the command's version, stamped by `make corswasm` with
// -ldflags "-X main.stampedVersion=..."; empty, it is read from the build
// information (the module version `go install …@v0.1.0` records).
var stampedVersion = ""

// schema prints the configuration's JSON Schema.
func (e *env) schema(args []string) int {
	if len(args) > 0 {
		fmt.Fprintf(e.stderr, "corswasm schema: unexpected argument %q\n", args[0])
		return exitUsage
	}
	e.stdout.Write(engine.JSONSchema())
	return exitOK
}

// version prints the command's version and the Go release it was built
// with.
func (e *env) version(args []string) int {
	if len(args) > 0 {
		fmt.Fprintf(e.stderr, "corswasm version: unexpected argument %q\n", args[0])
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "corswasm %s (%s)\n", commandVersion(), runtime.Version())
	return exitOK
}

// commandVersion is the stamped version, else the module's version from
// the build information, else "dev".
func commandVersion() string {
	if stampedVersion != "" {
		return stampedVersion
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
