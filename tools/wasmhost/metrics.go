//go:build !wasip1

package wasmhost

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// metricKind is a proxy-wasm metric type.
type metricKind uint32

const (
	metricCounter metricKind = iota
	metricGauge
	metricHistogram
)

// statsPrefix is the prefix Envoy gives the plugin's metrics.
const statsPrefix = "wasmcustom."

type metric struct {
	name  string
	kind  metricKind
	value uint64 // counter or gauge value; histogram: samples recorded
	sum   uint64 // histogram: sum of samples
}

// statsStore holds the plugin's metrics for all VMs. Like Envoy's stats
// store, defining a name again (from any VM) returns the same metric.
// Metric ids carry the kind in their low two bits, as Envoy's do, so the
// first counter has id 0.
type statsStore struct {
	mu     sync.Mutex
	byName map[string]uint32
	list   []*metric
}

func (s *statsStore) define(kind metricKind, name string) (uint32, uint32) {
	if kind > metricHistogram {
		return 0, statusBadArgument
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.byName[name]; ok {
		if s.list[id>>2].kind != kind {
			return 0, statusBadArgument
		}
		return id, statusOK
	}
	if s.byName == nil {
		s.byName = map[string]uint32{}
	}
	id := uint32(len(s.list))<<2 | uint32(kind)
	s.list = append(s.list, &metric{name: name, kind: kind})
	s.byName[name] = id
	return id, statusOK
}

// lookup returns the metric of id; the caller holds mu.
func (s *statsStore) lookup(id uint32) *metric {
	i := int(id >> 2)
	if i >= len(s.list) || uint32(s.list[i].kind) != id&3 {
		return nil
	}
	return s.list[i]
}

// increment adds offset: counters only go up, gauges both ways, histograms
// refuse (Envoy's incrementMetric).
func (s *statsStore) increment(id uint32, offset int64) uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.lookup(id)
	switch {
	case m == nil:
		return statusNotFound
	case m.kind == metricCounter && offset > 0:
		m.value += uint64(offset)
	case m.kind == metricGauge:
		m.value += uint64(offset) // wraps like Envoy's uint64 gauge
	default:
		return statusBadArgument
	}
	return statusOK
}

// record adds to a counter, sets a gauge, records a histogram sample
// (Envoy's recordMetric).
func (s *statsStore) record(id uint32, value uint64) uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.lookup(id)
	switch {
	case m == nil:
		return statusNotFound
	case m.kind == metricCounter:
		m.value += value
	case m.kind == metricGauge:
		m.value = value
	default:
		m.value++
		m.sum += value
	}
	return statusOK
}

// get returns a counter's or gauge's value; histograms are BadArgument.
func (s *statsStore) get(id uint32) (uint64, uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.lookup(id)
	switch {
	case m == nil:
		return 0, statusNotFound
	case m.kind == metricHistogram:
		return 0, statusBadArgument
	}
	return m.value, statusOK
}

// value returns the metric named name (with or without the wasmcustom.
// prefix): the value of a counter or gauge, the number of samples of a
// histogram.
func (s *statsStore) value(name string) (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byName[strings.TrimPrefix(name, statsPrefix)]
	if !ok {
		return 0, false
	}
	return s.list[id>>2].value, true
}

// snapshot returns every metric's value keyed by its full Envoy name.
func (s *statsStore) snapshot() map[string]uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]uint64, len(s.list))
	for _, m := range s.list {
		out[statsPrefix+m.name] = m.value
	}
	return out
}

// text renders the metrics like Envoy's /stats: "name: value" lines sorted
// by name. Histograms show their sample count and sum instead of Envoy's
// quantiles.
func (s *statsStore) text() string {
	s.mu.Lock()
	lines := make([]string, 0, len(s.list))
	for _, m := range s.list {
		if m.kind == metricHistogram {
			lines = append(lines, fmt.Sprintf("%s%s: count(%d) sum(%d)", statsPrefix, m.name, m.value, m.sum))
			continue
		}
		lines = append(lines, fmt.Sprintf("%s%s: %d", statsPrefix, m.name, m.value))
	}
	s.mu.Unlock()
	sort.Strings(lines)
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}
