//go:build !wasip1

package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/corswasm/corswasm/internal/configsource"
)

// pluginConfig is the plugin configuration the command runs, and where it
// was found.
type pluginConfig struct {
	data []byte
	// label names it: the file, and inside an Envoy or Kubernetes document
	// its line and place, as `corswasm check` names it.
	label string
	// notes are about the other plugins of the file: skipped, or a plugin
	// taken for corswasm's by its configuration.
	notes []string
}

// choiceError is a file that holds several corswasm configurations: the
// command runs one, and never picks it silently.
type choiceError struct {
	file       string
	candidates []configsource.Choice
}

func (e *choiceError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s holds %d corswasm configurations; choose one with -plugin PATTERN (make run PLUGIN=PATTERN), such as its name:", e.file, len(e.candidates))
	for _, c := range e.candidates {
		fmt.Fprintf(&b, "\n  %s: name %q", c.Label(e.file), c.Name)
	}
	return b.String()
}

// readPluginConfig takes the one corswasm configuration of a file's
// content as `corswasm check` finds it (internal/configsource): a corswasm
// JSON file, or the configuration of corswasm's Wasm plugin in an Envoy
// configuration, an Istio WasmPlugin or EnvoyFilter, or a kubectl List.
// pattern, when not empty, names the plugin as check's --plugin does.
func readPluginConfig(file string, data []byte, pattern string) (pluginConfig, error) {
	cs, err := configsource.Find(data)
	if err != nil {
		return pluginConfig{}, fmt.Errorf("%s: %w", file, err)
	}
	var patterns []string
	if pattern != "" {
		patterns = []string{pattern}
	}
	var pc pluginConfig
	var taken []configsource.Choice
	for _, ch := range configsource.Select(cs, patterns) {
		// With a pattern, the plugins it does not name are left out
		// knowingly: no note for each.
		if ch.Note != "" && (pattern == "" || ch.Taken()) {
			pc.notes = append(pc.notes, fmt.Sprintf("%s: note: %s [%s]", ch.Label(file), ch.Note, ch.Code))
		}
		if ch.Taken() {
			taken = append(taken, ch)
		}
	}
	switch {
	case len(taken) == 0 && pattern != "":
		return pc, fmt.Errorf("%s: no Wasm plugin matches -plugin %q", file, pattern)
	case len(taken) == 0:
		return pc, fmt.Errorf("%s: found no corswasm configuration: every Wasm plugin in it is skipped:\n  %s", file, strings.Join(pc.notes, "\n  "))
	case len(taken) > 1:
		return pc, &choiceError{file: file, candidates: taken}
	}
	c := taken[0]
	if c.Problem != "" {
		return pc, errors.New(c.Label(file) + ": " + strings.TrimPrefix(c.ProblemPath+": ", ": ") + c.Problem)
	}
	pc.data, pc.label = c.Data, c.Label(file)
	return pc, nil
}
