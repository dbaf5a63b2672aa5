package calls

import (
	"strconv"
	"strings"
	"testing"
)

// Every kind's configuration reads back as that kind and count.
func TestConfigParses(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kinds {
		if seen[k.Name] {
			t.Errorf("two kinds named %q", k.Name)
		}
		seen[k.Name] = true
		if !strings.HasPrefix(k.HostCall, "env.proxy_") {
			t.Errorf("%s: host call %q is not a proxy-wasm import", k.Name, k.HostCall)
		}
		for _, n := range []int{0, 10, MaxN} {
			got, gotN, err := Parse(Config(k, n))
			if err != nil || got != k || gotN != n {
				t.Errorf("Parse(%q) = %v, %d, %v; want %v, %d", Config(k, n), got, gotN, err, k, n)
			}
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, config := range []string{"", "metric", "metric -1", "metric " + strconv.Itoa(MaxN+1), "metric ten", "metric 1 2", "Metric 1", "nonsense 3"} {
		if k, n, err := Parse([]byte(config)); err == nil {
			t.Errorf("Parse(%q) = %v, %d; want an error", config, k, n)
		}
	}
}
