package filter

import (
	"errors"
	"runtime/debug"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/internal/engine"
	"github.com/corswasm/corswasm/internal/headermap"
)

// Version is the module's version, logged when a configuration is loaded.
// The Makefile stamps it: -ldflags "-X github.com/corswasm/corswasm/filter.Version=…".
var Version = "dev"

// pluginContext holds one plugin configuration's compiled policy, shared by
// the HTTP contexts it creates, and scratch space they use one at a time (a
// VM runs one callback at a time).
type pluginContext struct {
	types.DefaultPluginContext
	policy  *engine.Policy
	metrics metrics

	// ruleInputs says which pseudo-headers choosing a rule reads.
	ruleInputs ruleInputs

	// Scratch reused by every request of this plugin context.
	decision engine.Decision
	request  requestHeaders
	reply    []byte
	upstream engine.UpstreamAnswer
	// pairs holds the pairs of the header map being read.
	pairs []headermap.Pair
	// edits are the edits of the response being edited.
	edits engine.ResponseEdits

	auditLog logLimiter
	logBuf   []byte
	// observer records audit mode's observations; nil when off.
	observer *observer
	// verdictBuf holds the verdict property's value; nil when
	// verdict_filter_state is off (verdict.go).
	verdictBuf []byte

	// free holds the contexts of deleted streams, for new streams.
	free []*httpContext
}

var (
	_ types.PluginContext     = (*pluginContext)(nil)
	_ abi.HttpContextRecycler = (*pluginContext)(nil)
)

// compileMemoryLimit is the Go runtime's soft memory limit while a
// configuration compiles. Compiling allocates far more than the policy
// keeps (each allow_origin_regexes pattern's analysis is garbage once
// done) and a VM's linear memory never shrinks; the collector's pacing
// follows wall-clock measurements, so without a limit how much of that
// garbage a VM's memory ends up holding depends on the machine's load.
// Under the limit the collector reclaims it before the heap grows past
// it; a configuration whose policy holds more only makes the collector
// run more often until compilation ends.
const compileMemoryLimit = 10 << 20

// OnPluginStart reads and compiles the plugin configuration. On any problem
// it logs every one of them at critical level and returns false, so that
// Envoy rejects the configuration instead of serving without CORS.
func (p *pluginContext) OnPluginStart(size int) (status types.OnPluginStartStatus) {
	defer func() {
		if r := recover(); r != nil {
			logf(logCritical, "corswasm: recovered from a panic while starting: %v", r)
			status = false
		}
	}()
	data, err := hostPluginConfiguration(size)
	if err != nil {
		logf(logCritical, "corswasm: cannot read the plugin configuration: %v", err)
		return false
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(compileMemoryLimit))
	pol, err := engine.Load(data)
	if err != nil {
		var ce *engine.ConfigError
		if errors.As(err, &ce) {
			for _, pr := range ce.Problems {
				logf(logCritical, "corswasm: invalid configuration: %s", pr)
			}
			logf(logCritical, "corswasm: refusing to start: %d problem(s) in the plugin configuration", len(ce.Problems))
		} else {
			logf(logCritical, "corswasm: invalid configuration: %v", err)
		}
		return false
	}
	for _, w := range pol.Warnings() {
		logf(logWarn, "corswasm: configuration warning: %s", w)
	}
	p.metrics.define(pol)
	// Room for the usual log lines, so that logging does not allocate
	// later, when a refusal or a disagreement is first logged.
	p.logBuf = make([]byte, 0, 1024)
	if p.observer = newObserver(pol.Observations(), pol.RuleNames()); p.observer != nil {
		p.observer.logged, p.observer.dropped = p.metrics.observations[0], p.metrics.observations[1]
	}
	if pol.VerdictFilterState() {
		p.verdictBuf = make([]byte, 0, maxVerdictLength)
	}
	p.pairs = make([]headermap.Pair, 0, 32)
	p.auditLog.buf = make([]byte, 0, 128)
	p.ruleInputs.authority, p.ruleInputs.path = pol.RuleInputs()
	p.ruleInputs.route, p.ruleInputs.virtualHost = pol.RouteInputs()
	p.policy = pol
	logf(logInfo, "corswasm: configuration loaded (version %s, %d warning(s))", Version, len(pol.Warnings()))
	return true
}

// NewHttpContext creates the context of one HTTP stream, or reuses a
// deleted stream's. Before a successful start there is no policy, and no
// context: Envoy does not send traffic to a plugin that failed to start.
func (p *pluginContext) NewHttpContext(contextID uint32) types.HttpContext {
	if p.policy == nil {
		return nil
	}
	if n := len(p.free); n > 0 {
		c := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		return c
	}
	return &httpContext{plugin: p}
}

// RecycleHttpContext takes back the context of a deleted stream
// (proxy_on_delete), for a later stream: reusing contexts keeps requests
// from allocating.
func (p *pluginContext) RecycleHttpContext(h types.HttpContext) {
	if c, ok := h.(*httpContext); ok && c.plugin == p {
		c.reset()
		p.free = append(p.free, c)
	}
}
