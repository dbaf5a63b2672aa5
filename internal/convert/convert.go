// Package convert turns the CORS settings of Istio, Envoy and the Gateway
// API into a corswasm configuration: an Istio VirtualService's corsPolicy,
// an Envoy RouteConfiguration, VirtualHost or Route CorsPolicy, and a
// Gateway API HTTPRoute's CORS filter. Each source's scoping (hosts, path
// prefixes) becomes rules; every difference of behaviour the operator must
// know is a note; what cannot be converted without allowing more than the
// source did, or what the source allowed unsafely, is refused with the
// reason. The corswasm command's convert uses it.
package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/corswasm/corswasm/policy"
)

// Result is a conversion: the configuration, or the refusals that stop it,
// and the notes.
type Result struct {
	// Config is the converted configuration, and JSON its text (which
	// policy.Load accepts); nil when Refusals is not empty.
	Config *policy.Config
	JSON   []byte
	// Sources names the documents converted ("Istio VirtualService
	// default/api").
	Sources []string
	// Notes are the differences of behaviour between the source and the
	// converted configuration.
	Notes []string
	// Refusals say what could not be converted safely, and why.
	Refusals []string
}

// ErrUnknownDocument is returned (wrapped) for a document none of whose
// parts is a kind Convert knows.
var ErrUnknownDocument = errors.New("found nothing to convert: want an Istio VirtualService, an Envoy RouteConfiguration, VirtualHost or Route, or a Gateway API HTTPRoute")

// converter collects a conversion's vhosts, notes and refusals.
type converter struct {
	vhosts []vhost
	// httpRoutes are the HTTPRoutes read, whose vhosts (one per hostname,
	// across routes) are made once all are read.
	httpRoutes []httpRouteMatches
	sources    []string
	notes      []string
	noted      map[string]bool
	refusals   []string
	// kinds records the kinds of source seen, for the notes about their
	// behaviour.
	kinds map[string]bool
}

func (c *converter) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	if c.noted == nil {
		c.noted = make(map[string]bool)
	}
	if !c.noted[n] {
		c.noted[n] = true
		c.notes = append(c.notes, n)
	}
}

func (c *converter) refuse(format string, args ...any) {
	c.refusals = append(c.refusals, fmt.Sprintf(format, args...))
}

// Convert converts every VirtualService, Envoy route configuration and
// HTTPRoute of a YAML or JSON document (several documents may be separated
// by "---") into one configuration. Rules keep the precedence the sources
// give their routes. An error means the document could not be read or held
// nothing to convert; a refusal is in the Result.
func Convert(data []byte) (*Result, error) {
	c := &converter{kinds: make(map[string]bool)}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not valid YAML or JSON: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		obj, ok := doc.(map[string]any)
		if !ok {
			continue
		}
		js, err := json.Marshal(obj)
		if err != nil {
			return nil, fmt.Errorf("document %d: %v", i+1, err)
		}
		if err := c.document(obj, js); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
	}
	if len(c.sources) == 0 {
		return nil, ErrUnknownDocument
	}
	c.gatewayVHosts()
	c.behaviourNotes()
	// Validated even when refused, so that every reason shows at once.
	cfg := c.assemble()
	js := c.validate(cfg)
	r := &Result{Sources: c.sources, Notes: c.notes, Refusals: c.refusals}
	if len(c.refusals) == 0 {
		r.Config, r.JSON = cfg, js
	}
	return r, nil
}

// validate writes cfg as JSON and checks it as the filter would: its
// errors are refusals (the source allowed something corswasm refuses, such
// as "*" with credentials), its warnings notes.
func (c *converter) validate(cfg *policy.Config) []byte {
	js, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		c.refuse("the converted configuration does not marshal: %v", err)
		return nil
	}
	errs, warnings := policy.Check(js)
	for _, e := range errs {
		c.refuse("the converted configuration: %s", e)
	}
	for _, w := range warnings {
		c.note("corswasm warns about the converted configuration: %s", w)
	}
	return append(js, '\n')
}

// document converts one document by its kind.
func (c *converter) document(obj map[string]any, js []byte) error {
	kind, _ := obj["kind"].(string)
	api, _ := obj["apiVersion"].(string)
	switch {
	case kind == "VirtualService" && strings.HasPrefix(api, "networking.istio.io/"):
		return c.virtualService(js)
	case kind == "HTTPRoute" && strings.HasPrefix(api, "gateway.networking.k8s.io/"):
		return c.httpRoute(js)
	case kind != "":
		return nil // another Kubernetes object in the same file
	}
	return c.envoy(obj)
}

// behaviourNotes adds the differences every conversion from a kind of
// source carries, whatever its settings.
func (c *converter) behaviourNotes() {
	if c.kinds["envoy"] {
		c.note("Envoy's CORS filter (Istio's corsPolicy) reflects any allowed origin, never \"*\"; corswasm sends \"*\" for allow_origins [\"*\"] without credentials")
		c.note("Envoy's CORS filter does not check the requested method and headers, nor send Vary: Origin; corswasm refuses a preflight whose method or headers are not allowed (403), and adds Vary: Origin to every response whose CORS headers depend on the origin")
		c.note("Envoy answers an allowed preflight with 200; corswasm with 204 (set \"preflight_status\": 200 to keep 200)")
		c.note("routes without a CORS policy passed the upstream's own CORS headers through; here too (\"enabled\": false), but where corswasm decides, it replaces the upstream's CORS headers on CORS requests (set \"upstream_cors_headers\": \"keep\" to keep them)")
	}
	if c.kinds["gateway"] {
		c.note("a Gateway API implementation may answer a refused preflight 200 or 204 without CORS headers; corswasm answers 403 without them")
		c.note("corswasm replaces the upstream's CORS headers on CORS requests it decides (set \"upstream_cors_headers\": \"keep\" to keep them)")
	}
	c.note("run `corswasm check` on the result, and consider \"mode\": \"audit\" first: it compares corswasm's answers with the upstream's before enforcing")
}
