package engine

// verdictFilterStateField is the top-level `verdict_filter_state` switch.
var verdictFilterStateField = boolField("verdict_filter_state", `Top level only. Publish each CORS request's verdict as the filter state property wasm.corswasm.verdict, for access logs (%FILTER_STATE(wasm.corswasm.verdict:PLAIN)%) and later filters. Default false: it costs a host call per CORS request.`,
	func(c *Config) **bool { return &c.VerdictFilterState })

// VerdictFilterState reports whether the filter publishes each CORS
// request's verdict as a filter state property (verdict_filter_state).
func (p *Policy) VerdictFilterState() bool { return p.verdictState }

// reasonCodes name the reasons in the verdict a filter publishes: snake
// case, one token each.
var reasonCodes = [...]string{
	"", "origin_not_allowed", "malformed_origin", "method_not_allowed", "malformed_method",
	"header_not_allowed", "malformed_request_headers", "request_headers_too_large",
	"private_network_not_allowed", "method_too_long",
}

// Code names the reason as one snake-case token ("origin_not_allowed"),
// "" for NoReason; a value that is no reason is named "unknown".
func (r Reason) Code() string {
	if int(r) < len(reasonCodes) {
		return reasonCodes[r]
	}
	return "unknown"
}
