//go:build !wasip1

package wasmhost

import (
	"maps"
	"sync"
	"time"
)

// filterStateKeyPrefix is what Envoy puts before a property's path to name
// its filter state entry (source/extensions/common/wasm/context.cc,
// Context::setProperty: CelStateKeyPrefix, "wasm.", then the path exactly as
// the module sent it, NUL separators included).
const filterStateKeyPrefix = "wasm."

// StreamFilterState is what the plugin stored in one stream's filter state
// with proxy_set_property: the last value of each key, as an access log at
// the stream's end reads it.
type StreamFilterState struct {
	// Time is when the plugin first set a property in the stream.
	Time time.Time
	// Stream is the stream's context id, unique within its VM.
	Stream uint32
	// VM is the index of the VM that served the stream.
	VM int
	// State maps each key ("wasm." + the path) to its value.
	State map[string]string
}

// maxFilterStates bounds the streams FilterStates remembers.
const maxFilterStates = 10000

// filterStates holds the filter state of the streams that set some. A
// stream's entry is updated as it sets properties, so that it is complete
// once the client has the response (the filter sets them in its header
// callbacks), before the stream's log phase.
type filterStates struct {
	mu      sync.Mutex
	streams []*StreamFilterState
}

// set stores key = value in the entry of stream id of VM vm, created by the
// stream's first call (*entry nil).
func (f *filterStates) set(entry **StreamFilterState, vm int, id uint32, key, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if *entry == nil {
		if len(f.streams) >= maxFilterStates {
			f.streams = append(f.streams[:0], f.streams[len(f.streams)-maxFilterStates/2:]...)
		}
		*entry = &StreamFilterState{Time: time.Now(), Stream: id, VM: vm, State: map[string]string{}}
		f.streams = append(f.streams, *entry)
	}
	(*entry).State[key] = value
}

func (f *filterStates) snapshot() []StreamFilterState {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]StreamFilterState, len(f.streams))
	for i, s := range f.streams {
		out[i] = *s
		out[i].State = maps.Clone(s.State)
	}
	return out
}

// FilterStates returns, for each stream in which the plugin called
// proxy_set_property (the latest 10,000 at most), in the order of their
// first calls, the filter state it set: what Envoy's access log reads with
// %FILTER_STATE(wasm.<path>:PLAIN)%.
func (h *Host) FilterStates() []StreamFilterState { return h.filterStates.snapshot() }

// proxySetProperty(path, path_size, value, value_size) stores value in the
// stream's filter state under "wasm." + path, replacing an earlier value, as
// Envoy does with its default prototype (mutable bytes). Outside a stream
// (root context callbacks) there is no stream info: NotFound, as in Envoy.
func proxySetProperty(v *vm, s []uint64) {
	st := v.activeStream()
	if st == nil {
		s[0] = statusNotFound
		return
	}
	path, ok := v.readString(uint32(s[0]), uint32(s[1]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	value, ok := v.readString(uint32(s[2]), uint32(s[3]))
	if !ok {
		s[0] = statusInvalidMemoryAccess
		return
	}
	v.host.filterStates.set(&st.filterState, v.index, st.id, filterStateKeyPrefix+path, value)
	s[0] = statusOK
}
