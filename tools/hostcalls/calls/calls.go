// Package calls is the one list of the host calls the hostcalls module
// (tools/hostcalls) can make, shared by the module, its tests and make
// bench's "one host call" table (tools/bench), and the module's plugin
// configuration: "KIND N", e.g. "remove-absent 10", makes N calls of KIND
// per request in the response callback.
//
// It has no build tag: the module (GOOS=wasip1) and the native tools both
// import it.
package calls

import (
	"errors"
	"strconv"
	"strings"
)

// Op tells the module which call to make.
type Op uint8

const (
	GetFound Op = iota
	GetAbsent
	Pairs
	RemoveAbsent
	Replace
	Add
	Metric
	SetProperty
)

// Kind is one kind of host call.
type Kind struct {
	Op Op
	// Name is how the configuration names it.
	Name string
	// HostCall is the proxy-wasm import it calls, as hosts count them
	// ("env.proxy_get_header_map_value").
	HostCall string
	// Label describes it in make bench's table.
	Label string
}

// The headers the calls use on the response header map. The upstream of
// make bench (and of the module's tests) answers with Present: PresentValue
// and without Absent or Added, so that every call but Add leaves the map as
// it found it and answers the same every time.
const (
	Present      = "content-type"
	PresentValue = "text/plain"
	// Absent is a CORS header an upstream usually does not send: probing or
	// removing it is what a filter that did not read the whole map would
	// do for each CORS header.
	Absent = "access-control-allow-origin"
	// Added is the header Add appends, once per call.
	Added      = "x-hostcalls"
	AddedValue = "1"
)

// Counter is the counter Metric increments, by one per call.
const Counter = "hostcalls.calls"

// Property and PropertyValue are what SetProperty sets, a value the size of
// a usual corswasm verdict.
const (
	Property      = "hostcalls.property"
	PropertyValue = "kind=preflight verdict=rejected reason=origin_not_allowed rule=partner-api mode=enforce"
)

// Kinds are every kind, in the order of the table.
var Kinds = []Kind{
	{GetFound, "get-found", "env.proxy_get_header_map_value",
		"get_header_map_value, header present (the host calls back proxy_on_memory_allocate)"},
	{GetAbsent, "get-absent", "env.proxy_get_header_map_value", "get_header_map_value, header absent"},
	{Pairs, "pairs", "env.proxy_get_header_map_pairs",
		"get_header_map_pairs, the whole response map (allocated in the module, as a present value)"},
	{RemoveAbsent, "remove-absent", "env.proxy_remove_header_map_value", "remove_header_map_value, header absent"},
	{Replace, "replace", "env.proxy_replace_header_map_value",
		"replace_header_map_value, a present header with its own value"},
	{Add, "add", "env.proxy_add_header_map_value",
		"add_header_map_value (each call adds a line the response then carries)"},
	{Metric, "metric", "env.proxy_increment_metric", "increment_metric"},
	{SetProperty, "set-property", "env.proxy_set_property",
		"set_property, the same property again (corswasm's verdict_filter_state: a filter state entry)"},
}

// MaxN bounds the calls per request a configuration may ask for: enough for
// any measurement, small enough that Add cannot grow a response without
// bound.
const MaxN = 10000

// Config is the plugin configuration for n calls of k per request.
func Config(k Kind, n int) []byte { return strconv.AppendInt([]byte(k.Name+" "), int64(n), 10) }

// Parse reads a configuration Config wrote. The module imports it, so it
// does without fmt: a larger module takes longer to compile at each of make
// bench's starts of Envoy's host library.
func Parse(config []byte) (Kind, int, error) {
	name, count, ok := strings.Cut(strings.TrimSpace(string(config)), " ")
	if !ok {
		return Kind{}, 0, errors.New(`the configuration is "KIND N", e.g. "remove-absent 10"`)
	}
	n, err := strconv.Atoi(count)
	if err != nil || n < 0 || n > MaxN {
		return Kind{}, 0, errors.New(strconv.Quote(count) + ": N must be a whole number from 0 to " + strconv.Itoa(MaxN))
	}
	for _, k := range Kinds {
		if k.Name == name {
			return k, n, nil
		}
	}
	return Kind{}, 0, errors.New(strconv.Quote(name) + ": no such kind of call")
}
