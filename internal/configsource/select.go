package configsource

import (
	"fmt"
	"strings"

	"github.com/corswasm/corswasm/internal/engine"
)

// Verdict is what Select made of a configuration.
type Verdict uint8

const (
	// Corswasm is a corswasm JSON file, a plugin whose module is corswasm's,
	// or, when plugins are named, one of those named.
	Corswasm Verdict = iota
	// Guessed is a plugin whose module has no name (inline code, or
	// none) but whose configuration's fields are corswasm's or near
	// misses of them, origins among them: taken for corswasm's, with a
	// note.
	Guessed
	// Skipped is another plugin: left alone, with a note.
	Skipped
)

// Choice is a configuration and what Select made of it.
type Choice struct {
	Config
	Verdict Verdict
	// Note says why a plugin was guessed or skipped ("" for Corswasm); Code
	// classifies it.
	Note string
	Code engine.Code
}

// Taken reports whether the configuration is to be checked or run.
func (c *Choice) Taken() bool { return c.Verdict != Skipped }

// Select tells corswasm's configurations from other plugins'. A corswasm
// JSON file is always corswasm's. Without patterns, a Wasm plugin is
// corswasm's when its module is (CorswasmModule), and another's when its
// module is named otherwise (an image, a URL or a file name), whatever its
// configuration says: another team's CORS plugin has fields like
// corswasm's. Only a plugin whose module has no name (inline code) is
// Guessed from its configuration, when its top-level fields resemble
// corswasm's (one names origins, and most are corswasm's fields or near
// misses of them, as allow_origin: skipping it would leave a corswasm
// policy unchecked), and Skipped otherwise. With patterns, a plugin is
// corswasm's when one of them matches it (Matches), and Skipped
// otherwise, whatever its module.
func Select(cs []Config, patterns []string) []Choice {
	out := make([]Choice, len(cs))
	for i, c := range cs {
		out[i] = Choice{Config: c}
		ch := &out[i]
		switch {
		case c.Kind == JSON:
		case len(patterns) > 0:
			if !c.matchesAny(patterns) {
				ch.Verdict, ch.Code, ch.Note = Skipped, CodePluginSkipped, "skipped: no --plugin names it"
			}
		case CorswasmModule(c.Kind, c.Module):
		case c.corswasmLike && c.Module == "":
			ch.Verdict, ch.Code = Guessed, CodePluginGuessed
			ch.Note = "taken for corswasm's: " + c.describeModule() + ", but its configuration's fields are corswasm's or near misses of them, origins among them; name the plugins to check with --plugin"
		default:
			ch.Verdict, ch.Code = Skipped, CodePluginSkipped
			ch.Note = "skipped: " + c.describeModule() + "; if it is corswasm, name it with --plugin"
		}
	}
	return out
}

// describeModule says why the plugin's module is not recognisably
// corswasm's.
func (c *Config) describeModule() string {
	if c.Module == "" {
		return "it names no module file, URL or image"
	}
	return fmt.Sprintf("its module %q is not corswasm's", c.Module)
}

// Matches reports whether pattern names the plugin: it matches the whole
// of the plugin's name (config.name or metadata.name), a WasmPlugin's
// NAMESPACE/NAME, an EnvoyExtensionPolicy's NAMESPACE/NAME or its
// extension's NAMESPACE/NAME, its module (the file name, URI or image as written), its
// vm_id or its root ID, where "*" in pattern stands for any run of
// characters. A JSON file has none of these.
func (c *Config) Matches(pattern string) bool {
	ids := []string{c.Name, c.Module, c.VMID, c.RootID, c.Object}
	if c.Namespace != "" {
		ids = append(ids, c.Namespace+"/"+c.Name)
	}
	for _, id := range ids {
		if id != "" && globMatch(pattern, id) {
			return true
		}
	}
	return false
}

func (c *Config) matchesAny(patterns []string) bool {
	for _, p := range patterns {
		if c.Matches(p) {
			return true
		}
	}
	return false
}

// globMatch reports whether pattern, in which "*" matches any run of
// characters (and nothing else is special), matches all of s. On a
// mismatch it resumes after the last "*" one character further along s,
// so the work is at most len(pattern)·len(s) steps.
func globMatch(pattern, s string) bool {
	p, i := 0, 0
	star, resume := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, resume = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			resume++
			p, i = star+1, resume
		default:
			return false
		}
	}
	return strings.Trim(pattern[p:], "*") == ""
}

// resemblesCorswasm reports whether a configuration's top-level field
// names are corswasm's: one of them names origins (allow_origins, or a
// typo such as allow_origin), and more than half of them are corswasm's
// fields or near misses of them (engine.TopLevelField). Another plugin's
// configuration that happens to name origins (an OAuth plugin's
// allowed_origins beside redirect_uri and client_id) does not.
func resemblesCorswasm(names []string) bool {
	origins, known := false, 0
	for _, n := range names {
		if _, ok := engine.TopLevelField(n); ok {
			known++
			origins = origins || strings.Contains(strings.ToLower(n), "origin")
		}
	}
	return origins && 2*known > len(names)
}
