// Package convert turns the CORS settings of Istio, Envoy and the Gateway
// API into a corswasm configuration: an Istio VirtualService's corsPolicy,
// an Envoy bootstrap's, RouteConfiguration's, VirtualHost's or Route's
// CORS policies, a Gateway API HTTPRoute's CORS filter, and an Envoy
// Gateway SecurityPolicy's cors. Each source's
// scoping (hosts, exact paths, path prefixes, whole path segments) becomes
// rules in the source's precedence. A conversion keeps the source's
// meaning, request by request, or refuses the part it cannot keep, with
// the reason: what corswasm cannot express (a route selected by a header,
// a share of requests, a policy the file does not hold…) is refused where
// the CORS handling of some request depends on it. Notes say the
// differences of behaviour between corswasm and the source that the
// converted policies have. The corswasm command's convert uses it.
package convert

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/corswasm/corswasm/internal/engine"
)

// Result is a conversion: the configuration, or the refusals that stop it,
// and the notes.
type Result struct {
	// Config is the converted configuration, and JSON its text (which
	// engine.Load accepts); nil when Refusals is not empty.
	Config *engine.Config
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
var ErrUnknownDocument = errors.New("found nothing to convert: want an Istio VirtualService, an Envoy bootstrap, RouteConfiguration, VirtualHost or Route, a Gateway API HTTPRoute, or an Envoy Gateway SecurityPolicy with cors")

// converter collects a conversion's vhosts, notes and refusals.
type converter struct {
	vhosts []vhost
	// httpRoutes are the HTTPRoutes read, whose vhosts (one per hostname,
	// across routes) are made once all are read.
	httpRoutes []httpRouteMatches
	// routeConfigs are the Envoy RouteConfigurations of the input by
	// name; claimed, those a bootstrap's connection manager takes from
	// RDS, which are converted with it rather than alone.
	routeConfigs map[string]map[string]any
	claimed      map[string]bool
	sources      []string
	notes        []string
	refusals     []string
	// routeNames are the routes read by the name Envoy gives them
	// (xds.route_name), to bind a rule to a name only one route has (see
	// routenames.go).
	routeNames map[string][]namedRoute
	// envoyFilters are the Istio EnvoyFilters read, and gateways the
	// Gateway API Gateways' listeners by NAMESPACE/NAME.
	envoyFilters []envoyFilter
	gateways     map[string][]gatewayListener
	// istioGateways are the Istio Gateways' servers by NAMESPACE/NAME
	// (see istiogateway.go).
	istioGateways map[string][]istioServer
	// istioRedirects are their servers that redirect to HTTPS.
	istioRedirects map[string][]istioServer
	// istioSelectors are their selectors; istioMembers the Gateways a
	// group converted as one stands for, by its name, and istioGroupOf
	// the group of each of them (see istioselectors.go).
	istioSelectors map[string]map[string]string
	istioMembers   map[string][]string
	istioGroupOf   map[string]string
	// parentNotes are notes about one parent, printed when the result
	// is for it (see parents.go).
	parentNotes map[parent][]string
	// assembling is the parent whose configuration is being assembled.
	assembling parent
	// pending are the policy notes of the route being converted.
	pending []string
	said    map[string]bool
	// kinds records the kinds of source seen, for the notes about their
	// behaviour.
	kinds map[string]bool
	// domainsCompared counts the domains compared with a host in
	// choosing virtual hosts (see agree): the conversion's largest work.
	domainsCompared int
	// said holds the notes and refusals about the parts of the input
	// attached to some parents, said when the result is for one of them
	// (see attachedSay); saying is the one being read.
	attachedSaid []*attachedSay
	saying       *attachedSay
	// securityPolicies are the Envoy Gateway SecurityPolicies read, with
	// cors or without (see securitypolicy.go).
	securityPolicies []*egPolicy
}

// attachedSay is what is said about a part of the input attached to
// parents: a VirtualService, a route configuration, a virtual host.
type attachedSay struct {
	parents         []parent
	notes, refusals []string
}

// about records the notes and refusals said until the function it
// returns is called as those of a part attached to parents.
func (c *converter) about(parents []parent) (done func()) {
	s, outer := &attachedSay{parents: parents}, c.saying
	c.attachedSaid = append(c.attachedSaid, s)
	c.saying = s
	return func() { c.saying = outer }
}

// sayAttached says the notes and refusals about the parts attached to
// the parents the conversion is for (selected; nil: all of them).
func (c *converter) sayAttached(selected func(parent) bool) {
	for _, s := range c.attachedSaid {
		if selected != nil && !slices.ContainsFunc(s.parents, selected) {
			continue
		}
		for _, n := range s.notes {
			c.note("%s", n)
		}
		for _, r := range s.refusals {
			c.refuse("%s", r)
		}
	}
}

func newConverter() *converter {
	return &converter{kinds: make(map[string]bool), routeConfigs: make(map[string]map[string]any), claimed: make(map[string]bool),
		parentNotes: make(map[parent][]string), gateways: make(map[string][]gatewayListener), istioGateways: make(map[string][]istioServer), istioRedirects: make(map[string][]istioServer),
		istioSelectors: make(map[string]map[string]string), istioMembers: make(map[string][]string)}
}

// note records a difference of behaviour, once.
func (c *converter) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	if c.saying != nil {
		c.saying.notes = append(c.saying.notes, n)
		return
	}
	if c.first("note: " + n) {
		c.notes = append(c.notes, n)
	}
}

// policyNote records a note about the CORS handling of the route being
// converted: the route's scopes carry it (takeNotes), and it is printed
// only if one of them is a rule of the result (keepNotes).
func (c *converter) policyNote(format string, args ...any) {
	c.pending = append(c.pending, fmt.Sprintf(format, args...))
}

// takeNotes returns the policy notes recorded since the last call, for
// the scopes of the route just converted.
func (c *converter) takeNotes() []string {
	n := c.pending
	c.pending = nil
	return n
}

// keepNotes prints the notes of the scopes that are rules of the result.
func (c *converter) keepNotes(entries []entry) {
	for _, e := range entries {
		for _, n := range e.notes {
			c.note("%s", n)
		}
	}
}

// refuse records a reason to refuse the conversion, once.
func (c *converter) refuse(format string, args ...any) {
	r := fmt.Sprintf(format, args...)
	if c.saying != nil {
		c.saying.refusals = append(c.saying.refusals, r)
		return
	}
	if c.first("refused: " + r) {
		c.refusals = append(c.refusals, r)
	}
}

func (c *converter) first(msg string) bool {
	if c.said == nil {
		c.said = make(map[string]bool)
	}
	if c.said[msg] {
		return false
	}
	c.said[msg] = true
	return true
}

// Convert converts every VirtualService, Envoy bootstrap or route
// configuration and HTTPRoute of the inputs, YAML or JSON documents
// (several may be separated by "---", and Kubernetes lists are read item
// by item), into one configuration, as if the inputs were one file in
// the order given. Rules keep the precedence the sources give their
// routes. An error means an input could not be read or held nothing to
// convert; a refusal is in the Result.
func Convert(inputs ...Input) (*Result, error) {
	return ConvertFor(Selection{}, inputs...)
}

// ConvertFor is Convert for the parents sel names alone (see parents.go):
// an error when the inputs have none of them.
func ConvertFor(sel Selection, inputs ...Input) (*Result, error) {
	docs, err := readDocuments(inputs)
	if err != nil {
		return nil, err
	}
	c := newConverter()
	for _, d := range docs {
		if name, ok := d.obj["name"].(string); ok && d.obj["kind"] == nil && has(d.obj, "virtual_hosts", "virtualHosts") && c.routeConfigs[name] == nil {
			c.routeConfigs[name] = d.obj
		}
	}
	for _, d := range docs {
		if d.obj["kind"] == nil {
			for _, name := range rdsNames(d.obj) {
				c.claimed[name] = c.routeConfigs[name] != nil
			}
		}
	}
	for _, d := range docs {
		if err := c.document(d.obj); err != nil {
			return nil, fmt.Errorf("%s: %w", d.where, err)
		}
	}
	if len(c.sources) == 0 {
		return nil, ErrUnknownDocument
	}
	if c.egWithCORS() > 0 {
		return c.convertSecurityPolicies(sel)
	}
	c.attachRoutes()
	c.istioGatewayGroups()
	c.checkEnvoyFilters()
	// Validated even when refused, so that every reason shows at once.
	cfg, err := c.assembleByParent(sel)
	if err != nil {
		return nil, err
	}
	js := c.validate(cfg)
	r := &Result{Sources: c.sources, Notes: c.notes, Refusals: c.refusals}
	if len(c.refusals) == 0 {
		c.behaviourNotes(cfg)
		r.Notes = c.notes
		r.Config, r.JSON = cfg, js
	}
	return r, nil
}

// validate writes cfg as JSON and checks it as the filter would: its
// errors are refusals (the source allowed something corswasm refuses, such
// as "*" with credentials); its warnings are notes, when the conversion is
// not refused (they are about the configuration written).
func (c *converter) validate(cfg *engine.Config) []byte {
	js, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		c.refuse("the converted configuration does not marshal: %v", err)
		return nil
	}
	errs, warnings := engine.Check(js)
	for _, e := range errs {
		c.refuse("the converted configuration: %s", e)
	}
	if len(c.refusals) == 0 {
		for _, w := range warnings {
			c.note("corswasm warns about the converted configuration: %s", w)
		}
	}
	return append(js, '\n')
}

// document converts one document by its kind.
func (c *converter) document(obj map[string]any) error {
	kind, _ := obj["kind"].(string)
	api, _ := obj["apiVersion"].(string)
	switch {
	case kind == "VirtualService" && strings.HasPrefix(api, "networking.istio.io/"):
		js, err := jsonOf(obj)
		if err != nil {
			return err
		}
		return c.virtualService(js)
	case kind == "HTTPRoute" && strings.HasPrefix(api, "gateway.networking.k8s.io/"):
		js, err := jsonOf(obj)
		if err != nil {
			return err
		}
		return c.httpRoute(js)
	case kind == "Gateway" && strings.HasPrefix(api, "gateway.networking.k8s.io/"):
		js, err := jsonOf(obj)
		if err != nil {
			return err
		}
		return c.readGateway(js)
	case kind == "Gateway" && strings.HasPrefix(api, "networking.istio.io/"):
		js, err := jsonOf(obj)
		if err != nil {
			return err
		}
		return c.readIstioGateway(js)
	case kind == "SecurityPolicy" && strings.HasPrefix(api, "gateway.envoyproxy.io/"):
		js, err := jsonOf(obj)
		if err != nil {
			return err
		}
		return c.securityPolicy(js)
	case kind == "EnvoyFilter" && strings.HasPrefix(api, "networking.istio.io/"):
		js, err := jsonOf(obj)
		if err != nil {
			return err
		}
		return c.readEnvoyFilter(js)
	case kind != "":
		return nil // another Kubernetes object in the same file
	}
	return c.envoy(obj)
}

// behaviourNotes adds the differences of behaviour between the sources
// read and the configuration written that its policies have: each only
// when some policy of the configuration has the feature it is about.
func (c *converter) behaviourNotes(cfg *engine.Config) {
	policies := []*engine.Config{cfg}
	if len(cfg.Rules) > 0 {
		policies = nil
		for i := range cfg.Rules {
			policies = append(policies, &cfg.Rules[i].Config)
		}
	}
	var enforced, audited, star bool
	for _, p := range policies {
		switch {
		case p.Enabled != nil && !*p.Enabled:
			continue
		case p.Mode == engine.Audit:
			audited = true
		default:
			enforced = true
		}
		star = star || slices.Contains(p.AllowOrigins, "*")
	}
	envoy, gateway := c.kinds["envoy"], c.kinds["gateway"]
	if envoy && star {
		c.note("Envoy's CORS filter (Istio's corsPolicy) allows \"*\" by reflecting the request's origin, never sending \"*\"; corswasm sends \"*\" for allow_origins [\"*\"] without credentials")
	}
	if envoy && enforced {
		c.note("Envoy's CORS filter does not check the requested method and headers, nor send Vary: Origin; corswasm refuses a preflight whose method or headers are not allowed (403), and adds Vary: Origin to every response whose CORS headers depend on the origin")
		c.note("Envoy answers an allowed preflight with 200; corswasm with 204 (set \"preflight_status\": 200 to keep 200)")
	}
	if gateway && enforced {
		c.note("a Gateway API implementation may answer a refused preflight 200 or 204 without CORS headers; corswasm answers 403 without them")
	}
	if enforced {
		c.note("where corswasm decides, it replaces the upstream's CORS headers on CORS requests (set \"upstream_cors_headers\": \"keep\" to keep them)")
	}
	if !enforced && !audited {
		c.note("the source does no CORS handling on any request: the configuration leaves every request alone (\"enabled\": false)")
		return
	}
	c.note("run `corswasm check` on the result, and consider \"mode\": \"audit\" first: it compares corswasm's answers with the upstream's before enforcing")
}
