// Command corswasm checks, explains and converts corswasm configurations,
// natively, with the policy package the module is built from:
//
//	corswasm check [--json] [--plugin PATTERN]... FILE...
//	corswasm explain [--json] [--plugin PATTERN] FILE --origin O [--method M] ...
//	corswasm convert [--listener NAME[/CHAIN]] [--gateway NS/NAME] [--parent NS/NAME[/SECTION]] FILE...
//	corswasm learn [--segments N] [--report FILE] [--json] FILE...
//	corswasm schema
//	corswasm version
//
// Install it with
//
//	go install github.com/corswasm/corswasm/cmd/corswasm@latest
//
// Exit status: 0 when every configuration is valid (or the command did its
// work), 1 when a configuration has problems, check finds no corswasm
// configuration in any file, a conversion is refused, or learn finds no
// observation or cannot propose a configuration, 2 for a usage
// error or an input that cannot be read.
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit statuses.
const (
	exitOK       = 0
	exitProblems = 1
	exitUsage    = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env is what a command reads and writes: the process's streams, or a
// test's buffers.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// run runs the command line args and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "check":
		return e.check(args[1:])
	case "explain":
		return e.explain(args[1:])
	case "convert":
		return e.convert(args[1:])
	case "learn":
		return e.learn(args[1:])
	case "schema":
		return e.schema(args[1:])
	case "version", "--version":
		return e.version(args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "corswasm: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

const usage = `corswasm checks, explains, converts and learns corswasm CORS configurations.

Usage:
  corswasm check [--json] [--plugin PATTERN]... FILE...
      validate each corswasm configuration: a corswasm JSON file, or the
      Wasm plugin's in an Envoy configuration (YAML or JSON), an Istio
      WasmPlugin or EnvoyFilter, a kubectl List; other Wasm plugins are
      skipped with a note, --plugin names the ones to check; "-" reads
      standard input
  corswasm explain [--json] [--plugin PATTERN] FILE --origin ORIGIN [--method M]
          [--request-method M] [--request-headers H] [--host HOST] [--path P]
          [--scheme S] [--response-header 'NAME: VALUE']...
      what the filter does with one request: the rule that decides, the
      verdict, and the exact headers it sends
  corswasm convert [--listener NAME[/CHAIN]] [--gateway NS/NAME] [--parent NS/NAME[/SECTION]] FILE...
      Istio VirtualService corsPolicies, Envoy CORS policies (a bootstrap,
      RouteConfigurations, VirtualHosts or Routes), Gateway API HTTPRoute
      CORS filters or Envoy Gateway SecurityPolicy cors to one corswasm configuration on standard output, the
      files read as one in the order given; differences on standard error;
      --listener, --gateway and --parent convert for one listener, Istio
      gateway or Gateway API parent alone
  corswasm learn [--segments N] [--report FILE] [--json] FILE...
      read the observations corswasm logs in audit mode (the proxies' application logs,
      kubectl logs output, JSON log records) and propose a configuration
      doing what the upstreams do, on standard output; the report (what
      each service does, on what evidence, its risks) on standard error
      or --report FILE, as JSON with --json
  corswasm schema
      the JSON Schema of the configuration
  corswasm version

Exit status: 0 valid (warnings allowed) or done; 1 problems found, no
corswasm configuration in any file, conversion refused, or no observation
to learn from; 2 usage error or unreadable input.
`
