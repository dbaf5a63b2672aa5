package e2e

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	composetypes "github.com/compose-spec/compose-go/v2/types"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3" // registers StdoutAccessLog for the harness's access logs
)

// ---- docker compose ----

// harnessComposeWant is what the harness's compose file must set up.
type harnessComposeWant struct {
	image    string   // the envoy service's image
	ports    []uint32 // published on 127.0.0.1, each to the same container port
	upstream string   // host:port of the echo upstream, as Envoy's cluster names it
}

// harnessLoadCompose loads a compose file the way `docker compose -f` does:
// dir is the file's directory (relative paths start there) and env the
// environment used for interpolation. Nothing it refers to needs to exist.
func harnessLoadCompose(data []byte, dir string, env map[string]string) (*composetypes.Project, error) {
	details := composetypes.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []composetypes.ConfigFile{{Filename: filepath.Join(dir, "docker-compose.yaml"), Content: data}},
		Environment: env,
	}
	return loader.LoadWithContext(context.Background(), details)
}

// harnessCheckCompose loads the harness's compose file and checks its envoy
// service (image, forced envoy entrypoint, bootstrap, read-only mounts of the
// module and the bootstrap, ports on 127.0.0.1) and its echo upstream (name,
// address, read-only mount of the binary).
func harnessCheckCompose(data []byte, dir string, env map[string]string, want harnessComposeWant) error {
	project, err := harnessLoadCompose(data, dir, env)
	if err != nil {
		return fmt.Errorf("compose-go cannot load it: %w", err)
	}
	var errs harnessErrors
	envoy, err := project.GetService("envoy")
	if err != nil {
		errs.addf("no envoy service: %w", err)
	} else {
		if envoy.Image != want.image {
			errs.addf("envoy image %q; want %q", envoy.Image, want.image)
		}
		if got := []string(envoy.Entrypoint); !slices.Equal(got, []string{"envoy"}) {
			errs.addf("envoy entrypoint %q; want [envoy], so that images whose entrypoint is not envoy (istio/proxyv2) work", got)
		}
		if !harnessHasArgs(envoy.Command, "-c", harnessBootstrapPath) {
			errs.addf("envoy command %q does not pass -c %s", []string(envoy.Command), harnessBootstrapPath)
		}
		harnessCheckMounts(&errs, "envoy", envoy.Volumes, map[string]string{
			harnessModulePath:    filepath.Join(dir, "..", "..", "build", "cors.wasm"),
			harnessBootstrapPath: filepath.Join(dir, "envoy.yaml"),
		})
		var got, wantPorts []string
		for _, p := range envoy.Ports {
			proto := p.Protocol
			if proto == "" {
				proto = "tcp"
			}
			got = append(got, fmt.Sprintf("%s:%s->%d/%s", p.HostIP, p.Published, p.Target, proto))
		}
		for _, p := range want.ports {
			wantPorts = append(wantPorts, fmt.Sprintf("127.0.0.1:%d->%d/tcp", p, p))
		}
		sort.Strings(got)
		sort.Strings(wantPorts)
		if !slices.Equal(got, wantPorts) {
			errs.addf("envoy publishes %v; want %v", got, wantPorts)
		}
	}
	host, port, err := net.SplitHostPort(want.upstream)
	if err != nil {
		errs.addf("upstream %q: %w", want.upstream, err)
		return errs.err()
	}
	echo, err := project.GetService(host)
	if err != nil {
		errs.addf("no %s service, which Envoy's echo cluster reaches: %w", host, err)
		return errs.err()
	}
	if got, wantCmd := []string(echo.Command), []string{"/echo", "-addr", ":" + port}; !slices.Equal(got, wantCmd) {
		errs.addf("%s command %q; want %q", host, got, wantCmd)
	}
	harnessCheckMounts(&errs, host, echo.Volumes, map[string]string{
		"/echo": filepath.Join(dir, "..", "..", "build", "echo"),
	})
	return errs.err()
}

// harnessHasArgs reports whether args holds want as consecutive elements.
func harnessHasArgs(args []string, want ...string) bool {
	for i := 0; i+len(want) <= len(args); i++ {
		if slices.Equal(args[i:i+len(want)], want) {
			return true
		}
	}
	return false
}

// harnessCheckMounts requires, for each target in want, a read-only bind
// mount of the source want[target] that does not create a missing source.
func harnessCheckMounts(errs *harnessErrors, service string, volumes []composetypes.ServiceVolumeConfig, want map[string]string) {
	targets := make([]string, 0, len(want))
	for target := range want {
		targets = append(targets, target)
	}
	sort.Strings(targets)
	for _, target := range targets {
		i := slices.IndexFunc(volumes, func(v composetypes.ServiceVolumeConfig) bool { return v.Target == target })
		if i < 0 {
			errs.addf("%s: nothing mounted on %s", service, target)
			continue
		}
		v := volumes[i]
		if v.Type != composetypes.VolumeTypeBind || filepath.Clean(v.Source) != filepath.Clean(want[target]) {
			errs.addf("%s: %s is a %s mount of %q; want a bind mount of %q", service, target, v.Type, v.Source, want[target])
		}
		if !v.ReadOnly {
			errs.addf("%s: %s is mounted read-write; want read-only", service, target)
		}
		if v.Bind == nil || bool(v.Bind.CreateHostPath) {
			errs.addf("%s: %s: want bind.create_host_path: false, so that a missing file fails instead of becoming a directory", service, target)
		}
	}
}

func harnessComposeWantFor(t *testing.T, image string) harnessComposeWant {
	t.Helper()
	env, err := harnessCheckE2EBootstrap(harnessRead(t, "tools/e2e/envoy.yaml"), harnessTestdata(t), "echo:8080")
	if err != nil {
		t.Fatalf("tools/e2e/envoy.yaml: %v", err)
	}
	want := harnessComposeWant{image: image, upstream: env.clusters["echo"]}
	for _, p := range env.plugins {
		want.ports = append(want.ports, p.port)
	}
	want.ports = append(want.ports, env.adminPort)
	return want
}

// TestHarnessCompose loads tools/e2e/docker-compose.yaml with compose-go,
// with and without ENVOY_IMAGE, and checks it against tools/e2e/envoy.yaml.
// Nothing it mounts needs to exist.
func TestHarnessCompose(t *testing.T) {
	data := harnessRead(t, "tools/e2e/docker-compose.yaml")
	dir := harnessE2EDir(t)
	tests := []struct {
		name  string
		env   map[string]string
		image string
	}{
		{"default image", map[string]string{}, harnessDefaultImage},
		{"ENVOY_IMAGE", map[string]string{"ENVOY_IMAGE": "istio/proxyv2:1.31.1"}, "istio/proxyv2:1.31.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := harnessCheckCompose(data, dir, tt.env, harnessComposeWantFor(t, tt.image)); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("loads in an empty directory", func(t *testing.T) {
		if _, err := harnessLoadCompose(data, t.TempDir(), map[string]string{}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestHarnessComposeMutations proves that the compose checks fail: each
// case applies its edits (old, new pairs) to a copy of the compose file.
func TestHarnessComposeMutations(t *testing.T) {
	data := harnessRead(t, "tools/e2e/docker-compose.yaml")
	dir := harnessE2EDir(t)
	istio := map[string]string{"ENVOY_IMAGE": "istio/proxyv2:1.31.1"}
	tests := []struct {
		name  string
		edits [][2]string
		env   map[string]string // nil: no ENVOY_IMAGE, the default image expected
		image string            // the image expected with env
		want  string
	}{
		{"schema: unknown key", [][2]string{{"    entrypoint:", "    entrypont:"}}, nil, "", "entrypont"},
		{"another default image", [][2]string{{"envoyproxy/envoy:v1.40-latest}", "envoyproxy/envoy:v1.30-latest}"}}, nil, "",
			`envoy image "envoyproxy/envoy:v1.30-latest"`},
		{"ENVOY_IMAGE ignored", [][2]string{{"${ENVOY_IMAGE:-envoyproxy/envoy:v1.40-latest}", "envoyproxy/envoy:v1.40-latest"}}, istio, "istio/proxyv2:1.31.1",
			`want "istio/proxyv2:1.31.1"`},
		{"image's own entrypoint", [][2]string{{`entrypoint: ["envoy"]`, `entrypoint: ["/docker-entrypoint.sh", "envoy"]`}}, nil, "", "envoy entrypoint"},
		{"another bootstrap path", [][2]string{{"- /etc/envoy/envoy.yaml", "- /etc/envoy/other.yaml"}}, nil, "", "does not pass -c /etc/envoy/envoy.yaml"},
		{"another module", [][2]string{{"source: ../../build/cors.wasm", "source: ../../build/cors-panictest.wasm"}}, nil, "", "want a bind mount of"},
		{"module mounted read-write", [][2]string{{"target: /etc/envoy/cors.wasm\n        read_only: true", "target: /etc/envoy/cors.wasm\n        read_only: false"}}, nil, "",
			"/etc/envoy/cors.wasm is mounted read-write"},
		{"bootstrap not mounted", [][2]string{{"target: /etc/envoy/envoy.yaml", "target: /etc/envoy/bootstrap.yaml"}}, nil, "", "nothing mounted on /etc/envoy/envoy.yaml"},
		{"missing file becomes a directory", [][2]string{{"bind: {create_host_path: false}", "bind: {create_host_path: true}"}}, nil, "", "create_host_path"},
		{"admin on every interface", [][2]string{{`"127.0.0.1:9901:9901"`, `"9901:9901"`}}, nil, "", "envoy publishes"},
		{"a listener not published", [][2]string{{"10000-10006:10000-10006", "10000-10005:10000-10005"}}, nil, "", "127.0.0.1:10006->10006/tcp"},
		{"echo on another port", [][2]string{{`":8080"`, `":9090"`}}, nil, "", "echo command"},
		{"echo binary not mounted", [][2]string{{"target: /echo\n", "target: /bin/echo\n"}}, nil, "", "echo: nothing mounted on /echo"},
		{"echo service renamed", [][2]string{{"\n  echo:\n", "\n  upstream:\n"}, {"      - echo\n", "      - upstream\n"}}, nil, "", "no echo service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, image := tt.env, tt.image
			if env == nil {
				env, image = map[string]string{}, harnessDefaultImage
			}
			mutated := data
			for _, e := range tt.edits {
				mutated = harnessReplace(t, mutated, e[0], e[1])
			}
			harnessWantErr(t, harnessCheckCompose(mutated, dir, env, harnessComposeWantFor(t, image)), tt.want)
		})
	}
}

// TestHarnessSentinel checks the preflight the script waits for: the
// configuration on the first listener (main) answers it with 204 and the
// sentinel origin, and the example's configuration refuses it, so a 204
// proves that Envoy runs the module with the harness's configuration.
