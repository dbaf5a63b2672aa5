package learn

import (
	"encoding/json"

	"github.com/corswasm/corswasm/internal/engine"
)

// validator asks engine.Check about one value at a time, so that a value
// corswasm refuses is left out of the proposal (and named in the report)
// rather than make the whole proposal fail.
type validator struct {
	cache map[string]string
}

func newValidator() *validator { return &validator{cache: make(map[string]string)} }

// problem is engine.Check's first error about a configuration, "" when it
// has none.
func (v *validator) problem(cfg any) string {
	js, err := json.Marshal(cfg)
	if err != nil {
		return err.Error()
	}
	if p, ok := v.cache[string(js)]; ok {
		return p
	}
	errs, _ := engine.Check(js)
	p := ""
	if len(errs) > 0 {
		p = errs[0].Reason
	}
	v.cache[string(js)] = p
	return p
}

func (v *validator) origin(o string, credentials bool) string {
	return v.problem(map[string]any{"allow_origins": []string{o}, "allow_credentials": credentials})
}

func (v *validator) method(m string) string {
	return v.problem(map[string]any{"allow_methods": []string{m}})
}

func (v *validator) header(h string) string {
	return v.problem(map[string]any{"allow_headers": []string{h}})
}

func (v *validator) expose(h string, credentials bool) string {
	return v.problem(map[string]any{"expose_headers": []string{h}, "allow_origins": []string{"https://example.com"}, "allow_credentials": credentials})
}

// match is the problem of a rule matching the host and path bucket.
func (v *validator) match(host, path string, prefix bool) string {
	m := map[string]any{"hosts": []string{host}}
	if prefix {
		m["path_prefixes"] = []string{path}
	} else {
		m["paths"] = []string{path}
	}
	return v.problem(map[string]any{"rules": []any{map[string]any{"name": "r", "match": m}}})
}
