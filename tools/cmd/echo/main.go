// Command echo serves the echo upstream (package tools/echo) for the
// Envoy docker-compose harness.
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/corswasm/corswasm/tools/echo"
)

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	flag.Parse()
	log.Printf("echo upstream listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, echo.Handler()))
}
