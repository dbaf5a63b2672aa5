// Command oci packages build/cors.wasm as an OCI image Istio's WasmPlugin
// pulls, and pushes it, without Docker (see package oci):
//
//	oci build -module build/cors.wasm -out build/oci [-tag v1.2.3]
//	oci push -layout build/oci -image registry.example/corswasm:v1.2.3
//
// `make oci` and `make push IMAGE=…` run it. push authenticates as docker
// and crane do (~/.docker/config.json, credential helpers).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/corswasm/corswasm/tools/oci"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "oci:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: oci build -module FILE -out DIR [-tag TAG] | oci push -layout DIR -image REF")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	switch args[0] {
	case "build":
		module := fs.String("module", "build/cors.wasm", "the module")
		out := fs.String("out", "build/oci", "the OCI layout to write")
		tag := fs.String("tag", "", "the image's name in the layout's index")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		bin, err := os.ReadFile(*module)
		if err != nil {
			return fmt.Errorf("%w (run make build first)", err)
		}
		img, err := oci.Image(bin)
		if err != nil {
			return err
		}
		if err := oci.WriteLayout(*out, img, *tag); err != nil {
			return fmt.Errorf("writing %s: %w", *out, err)
		}
		return describe(stdout, "wrote "+*out, img)
	case "push":
		dir := fs.String("layout", "build/oci", "the OCI layout `make oci` wrote")
		image := fs.String("image", "", "where to push: REGISTRY/NAME:TAG")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *image == "" {
			return errors.New("push: -image REGISTRY/NAME:TAG is required (make push IMAGE=…)")
		}
		ref, err := name.ParseReference(*image)
		if err != nil {
			return fmt.Errorf("push: %q: %w", *image, err)
		}
		img, err := oci.ReadLayout(*dir)
		if err != nil {
			return err
		}
		if err := remote.Write(ref, img, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
			return fmt.Errorf("pushing %s: %w", ref, err)
		}
		return describe(stdout, "pushed "+ref.String(), img)
	}
	return fmt.Errorf("unknown command %q: want build or push", args[0])
}

// describe prints the image's digest, as a WasmPlugin pins it.
func describe(w io.Writer, what string, img v1.Image) error {
	d, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: image %s\nWasmPlugin: sha256: %s (the image digest Istio checks for an oci:// url)\n", what, d, d.Hex)
	return nil
}
