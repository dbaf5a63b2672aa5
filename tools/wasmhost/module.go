//go:build !wasip1

package wasmhost

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tetratelabs/wazero"
)

// compilationCache is shared by every Host of the process, so the same
// module bytes are compiled once however many hosts a test suite starts.
var compilationCache = wazero.NewCompilationCache()

// provided maps "module.function" to the function the host provides.
type provided map[string]hostFunc

func newProvided(profile string) provided {
	p := provided{}
	for _, f := range envFuncs() {
		p[envModule+"."+f.name] = f
	}
	for _, f := range wasiFuncs(profile) {
		p[wasiModule+"."+f.name] = f
		p[wasiUnstableModule+"."+f.name] = f
	}
	return p
}

// compile compiles the module and checks what Envoy checks before running
// it: the ABI version marker, an allocator, an exported memory, the
// signatures of the callbacks, and that every import is provided.
func compile(ctx context.Context, rt wazero.Runtime, wasm []byte, profile string) (wazero.CompiledModule, error) {
	if len(wasm) == 0 {
		return nil, errors.New("no module: set Config.Module to the .wasm bytes")
	}
	cm, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		return nil, fmt.Errorf("compiling the module: %w", err)
	}
	if err := validate(cm, newProvided(profile), profile); err != nil {
		_ = cm.Close(ctx)
		return nil, err
	}
	return cm, nil
}

func validate(cm wazero.CompiledModule, p provided, profile string) error {
	exports := cm.ExportedFunctions()
	if exports[abiVersion021] == nil && exports[abiVersion020] == nil {
		return fmt.Errorf("missing or unknown proxy-wasm ABI version: the module exports neither %s nor %s (Envoy: \"Missing or unknown Proxy-Wasm ABI version\")", abiVersion021, abiVersion020)
	}
	var errs []error
	if exports[exportMalloc] == nil && exports[exportMemoryAlloc] == nil {
		errs = append(errs, fmt.Errorf("the module exports neither %s nor %s (i32) -> i32 (Envoy: \"Wasm module is missing malloc function.\")", exportMalloc, exportMemoryAlloc))
	}
	if cm.ExportedMemories()["memory"] == nil {
		errs = append(errs, errors.New("the module exports no memory named \"memory\": the host cannot exchange data with it"))
	}
	for name, want := range callbackTypes {
		def := exports[name]
		if def == nil || (sameTypes(def.ParamTypes(), want[0]) && sameTypes(def.ResultTypes(), want[1])) {
			continue
		}
		errs = append(errs, fmt.Errorf("the module exports %s with signature %s; Envoy expects %s (\"Bad function signature\")",
			name, signature(def.ParamTypes(), def.ResultTypes()), signature(want[0], want[1])))
	}
	for _, def := range cm.ImportedFunctions() {
		mod, name, _ := def.Import()
		qualified := mod + "." + name
		f, ok := p[qualified]
		switch {
		case !ok && (mod == wasiModule || mod == wasiUnstableModule):
			errs = append(errs, fmt.Errorf("module imports %s, which the %s WASI profile does not provide: Envoy fails to load it (remove the code that needs it, e.g. file access through os)", qualified, profile))
		case !ok:
			errs = append(errs, fmt.Errorf("module imports %s, which Envoy does not provide (Envoy: \"Failed to load Wasm module due to a missing import\")", qualified))
		case !sameTypes(def.ParamTypes(), f.params) || !sameTypes(def.ResultTypes(), f.results):
			errs = append(errs, fmt.Errorf("module imports %s with signature %s; the host provides %s",
				qualified, signature(def.ParamTypes(), def.ResultTypes()), signature(f.params, f.results)))
		}
	}
	for _, mem := range cm.ImportedMemories() {
		mod, name, _ := mem.Import()
		errs = append(errs, fmt.Errorf("module imports memory %s.%s: Envoy's modules define their own memory", mod, name))
	}
	return errors.Join(errs...)
}

// instantiateHostModules registers the env and WASI functions in rt, each
// counting its calls in calls.
func instantiateHostModules(ctx context.Context, rt wazero.Runtime, profile string, calls hostCalls) error {
	if err := instantiateHostModule(ctx, rt, envModule, envFuncs(), calls); err != nil {
		return err
	}
	for _, m := range []string{wasiModule, wasiUnstableModule} {
		if err := instantiateHostModule(ctx, rt, m, wasiFuncs(profile), calls); err != nil {
			return err
		}
	}
	return nil
}

// checkProfile validates Config.WASI.
func checkProfile(profile string) (string, error) {
	switch strings.TrimSpace(profile) {
	case "", WASIEnvoy133:
		return WASIEnvoy133, nil
	case WASICurrent:
		return WASICurrent, nil
	}
	return "", fmt.Errorf("unknown WASI profile %q: use %q or %q", profile, WASIEnvoy133, WASICurrent)
}
