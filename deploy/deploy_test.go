package deploy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/newshound/newshound/config"
)

// yamlFiles are the YAML files of deploy/ and deploy/kubernetes/.
func yamlFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, pat := range []string{"*.yaml", "kubernetes/*.yaml"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) < 5 {
		t.Fatalf("found only %d YAML files: %v", len(out), out)
	}
	return out
}

// decodeAll decodes every document of a YAML file.
func decodeAll(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	if len(docs) == 0 {
		t.Fatalf("%s: no YAML documents", path)
	}
	return docs
}

// manifest returns the one Kubernetes object of kind in deploy/kubernetes.
func manifest(t *testing.T, kind string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, f := range yamlFiles(t) {
		for _, doc := range decodeAll(t, f) {
			if doc["kind"] == kind && strings.HasPrefix(f, "kubernetes") {
				found = append(found, doc)
			}
		}
	}
	if len(found) != 1 {
		t.Fatalf("found %d %s manifests, want 1", len(found), kind)
	}
	return found[0]
}

// get follows keys (string) and indexes (int) into decoded YAML.
func get(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %v: not a mapping", p)
			}
			v = m[k]
		case int:
			s, ok := v.([]any)
			if !ok || k >= len(s) {
				t.Fatalf("at %v: not a list of that length", p)
			}
			v = s[k]
		}
	}
	return v
}

func strs(t *testing.T, v any) []string {
	t.Helper()
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, x := range l {
		out[i], _ = x.(string)
	}
	return out
}

func TestYAMLParses(t *testing.T) {
	t.Parallel()
	for _, f := range yamlFiles(t) {
		t.Run(f, func(t *testing.T) {
			for i, doc := range decodeAll(t, f) {
				if strings.HasPrefix(f, "kubernetes") && (doc["apiVersion"] == nil || doc["kind"] == nil) {
					t.Errorf("document %d has no apiVersion or kind", i)
				}
			}
		})
	}
}

// TestConfigMapWatchlist parses the ConfigMap's watchlist as the bot would,
// with every ${NAME} it uses defined in the Secret template.
func TestConfigMapWatchlist(t *testing.T) {
	t.Parallel()
	src, _ := get(t, manifest(t, "ConfigMap"), "data", "watchlist.yaml").(string)
	secret, _ := get(t, manifest(t, "Secret"), "stringData").(map[string]any)
	var used []string
	getenv := func(name string) (string, bool) {
		used = append(used, name)
		return "https://placeholder.example/" + name, true
	}
	cfg, err := config.Parse("configmap.yaml", []byte(src), getenv)
	if err != nil {
		t.Fatalf("the ConfigMap's watchlist does not load:\n%v", err)
	}
	for _, name := range used {
		if _, ok := secret[name]; !ok {
			t.Errorf("the watchlist uses ${%s}, which the Secret template does not set", name)
		}
	}
	port := get(t, manifest(t, "Deployment"), "spec", "template", "spec", "containers", 0, "ports", 0, "containerPort")
	if want := fmt.Sprintf(":%v", port); cfg.Server.Listen != want {
		t.Errorf("server.listen = %q, want %q (the probes and Service use the container port)", cfg.Server.Listen, want)
	}
}

// runFlags are the flags "newshound run" defines, read from cmd_run.go.
func runFlags(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("../cmd_run.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`fs\.\w+\("([a-z-]+)"`).FindAllSubmatch(src, -1) {
		out = append(out, string(m[1]))
	}
	if !slices.Contains(out, "config") {
		t.Fatalf("no --config flag found in cmd_run.go (found %v)", out)
	}
	return out
}

// checkRun checks a "run ..." argument list: known flags, each with a
// value unless boolean, and a --config.
func checkRun(t *testing.T, args []string, flags []string) {
	t.Helper()
	if len(args) == 0 || args[0] != "run" {
		t.Fatalf("command %q does not start with run", args)
	}
	seen := map[string]bool{}
	for i := 1; i < len(args); i++ {
		name, ok := strings.CutPrefix(args[i], "--")
		if !ok || !slices.Contains(flags, name) {
			t.Fatalf("command %q: %q is not a flag of newshound run %v", args, args[i], flags)
		}
		seen[name] = true
		if name != "once" {
			i++
			if i == len(args) || strings.HasPrefix(args[i], "-") {
				t.Fatalf("command %q: --%s has no value", args, name)
			}
		}
	}
	if !seen["config"] {
		t.Fatalf("command %q has no --config", args)
	}
}

// argAfter returns the value given to --flag in args.
func argAfter(args []string, flag string) string {
	if i := slices.Index(args, "--"+flag); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

func TestRunCommands(t *testing.T) {
	t.Parallel()
	flags := runFlags(t)
	t.Run("Dockerfile", func(t *testing.T) {
		data, err := os.ReadFile("Dockerfile")
		if err != nil {
			t.Fatal(err)
		}
		var entry, cmd []string
		for line := range strings.Lines(string(data)) {
			if rest, ok := strings.CutPrefix(line, "ENTRYPOINT "); ok {
				entry = jsonArgs(t, rest)
			}
			if rest, ok := strings.CutPrefix(line, "CMD "); ok {
				cmd = jsonArgs(t, rest)
			}
		}
		if len(entry) != 1 || filepath.Base(entry[0]) != "newshound" {
			t.Errorf("ENTRYPOINT = %q, want the newshound binary", entry)
		}
		checkRun(t, cmd, flags)
		if dir := filepath.Dir(argAfter(cmd, "config")); dir != "/data" {
			t.Errorf("default watchlist folder %q is not the /data volume", dir)
		}
	})
	t.Run("systemd", func(t *testing.T) {
		data, err := os.ReadFile("newshound.service")
		if err != nil {
			t.Fatal(err)
		}
		var exec []string
		for line := range strings.Lines(string(data)) {
			if rest, ok := strings.CutPrefix(line, "ExecStart="); ok {
				exec = strings.Fields(rest)
			}
		}
		if len(exec) < 2 || filepath.Base(exec[0]) != "newshound" {
			t.Fatalf("ExecStart = %q, want the newshound binary", exec)
		}
		checkRun(t, exec[1:], flags)
		// The bot rewrites the watchlist; only the state directory is
		// writable under ProtectSystem=strict.
		if !strings.Contains(string(data), "StateDirectory=newshound\n") || filepath.Dir(argAfter(exec, "config")) != "/var/lib/newshound" {
			t.Errorf("the watchlist %q is not in StateDirectory /var/lib/newshound", argAfter(exec, "config"))
		}
	})
	t.Run("kubernetes", func(t *testing.T) {
		pod := get(t, manifest(t, "Deployment"), "spec", "template", "spec")
		args := strs(t, get(t, pod, "containers", 0, "args"))
		checkRun(t, args, flags)
		var mounts []string
		for _, m := range get(t, pod, "containers", 0, "volumeMounts").([]any) {
			if ro, _ := get(t, m, "readOnly").(bool); !ro {
				mounts = append(mounts, get(t, m, "mountPath").(string))
			}
		}
		if dir := filepath.Dir(argAfter(args, "config")); !slices.Contains(mounts, dir) {
			t.Errorf("watchlist folder %q is not a writable volume mount %v", dir, mounts)
		}
	})
	for _, f := range []string{"compose.yaml", "compose.postgres.yaml"} {
		t.Run(f, func(t *testing.T) {
			checkRun(t, strs(t, get(t, decodeAll(t, f)[0], "services", "newshound", "command")), flags)
		})
	}
}

func jsonArgs(t *testing.T, s string) []string {
	t.Helper()
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("%q is not exec form: %v", s, err)
	}
	return out
}

// TestComposeBuild checks that the compose files build deploy/Dockerfile
// from the repository root.
func TestComposeBuild(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"compose.yaml", "compose.postgres.yaml"} {
		t.Run(f, func(t *testing.T) {
			build := get(t, decodeAll(t, f)[0], "services", "newshound", "build")
			ctx, _ := get(t, build, "context").(string)
			df, _ := get(t, build, "dockerfile").(string)
			if _, err := os.Stat(filepath.Join(ctx, "go.mod")); err != nil {
				t.Errorf("build context %q is not the repository root: %v", ctx, err)
			}
			if filepath.Join(ctx, df) != filepath.Join("..", "deploy", "Dockerfile") {
				t.Errorf("dockerfile %q (in context %q) is not deploy/Dockerfile", df, ctx)
			}
		})
	}
}

// graceMargin is how much longer than the process's stop grace every
// deployment waits before it kills the process.
const graceMargin = 10 * time.Second

// systemdSeconds reads a systemd time span such as "30", "30s", "1min 10s".
func systemdSeconds(t *testing.T, v string) time.Duration {
	t.Helper()
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second
	}
	d, err := time.ParseDuration(strings.NewReplacer("min", "m", " ", "").Replace(v))
	if err != nil {
		t.Fatalf("TimeoutStopSec=%s is not a time span this test reads: %v", v, err)
	}
	return d
}

// TestStopGrace: each deployment gives the process at least graceMargin
// more than the stop grace it runs with (config.DefaultStopGrace unless
// the deployment's own watchlist sets server.stop_grace) before it kills
// it, and the binary waits for that grace, read from the watchlist.
func TestStopGrace(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../cmd_run.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte("cfg.Server.StopGrace.D()")) {
		t.Fatal("cmd_run.go does not wait for cfg.Server.StopGrace on stop")
	}
	// The Kubernetes watchlist is the ConfigMap's; the other files run
	// with a watchlist of the operator's, so with the default grace.
	cmSrc, _ := get(t, manifest(t, "ConfigMap"), "data", "watchlist.yaml").(string)
	cm, err := config.Parse("configmap.yaml", []byte(cmSrc), func(name string) (string, bool) { return "https://placeholder.example/" + name, true })
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		process time.Duration
		kill    func(t *testing.T) time.Duration
	}{
		{"compose.yaml", config.DefaultStopGrace, func(t *testing.T) time.Duration { return composeGrace(t, "compose.yaml") }},
		{"compose.postgres.yaml", config.DefaultStopGrace, func(t *testing.T) time.Duration { return composeGrace(t, "compose.postgres.yaml") }},
		{"newshound.service", config.DefaultStopGrace, func(t *testing.T) time.Duration {
			data, err := os.ReadFile("newshound.service")
			if err != nil {
				t.Fatal(err)
			}
			var v string
			for line := range strings.Lines(string(data)) {
				if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "TimeoutStopSec="); ok {
					v = rest
				}
			}
			if v == "" {
				t.Fatal("no TimeoutStopSec (systemd's default is 90s, or DefaultTimeoutStopSec): set it")
			}
			return systemdSeconds(t, v)
		}},
		{"kubernetes/deployment.yaml", cm.Server.StopGrace.D(), func(t *testing.T) time.Duration {
			v := get(t, manifest(t, "Deployment"), "spec", "template", "spec", "terminationGracePeriodSeconds")
			n, ok := v.(int)
			if !ok {
				t.Fatalf("terminationGracePeriodSeconds = %v, want a number (the default is 30)", v)
			}
			return time.Duration(n) * time.Second
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.process <= 0 {
				t.Fatalf("process stop grace %v", tt.process)
			}
			if kill := tt.kill(t); kill < tt.process+graceMargin {
				t.Errorf("kills after %v, want at least the stop grace %v + %v", kill, tt.process, graceMargin)
			}
		})
	}
}

// composeGrace is the newshound service's stop_grace_period.
func composeGrace(t *testing.T, file string) time.Duration {
	t.Helper()
	v, ok := get(t, decodeAll(t, file)[0], "services", "newshound", "stop_grace_period").(string)
	if !ok {
		t.Fatal("no stop_grace_period (Compose's default is 10s)")
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("stop_grace_period %q: %v", v, err)
	}
	return d
}

// TestProbes: Kubernetes sends traffic only to a ready pod (/readyz: the
// store answers) and restarts only a dead one (/healthz), and the paths
// are ones the binary serves.
func TestProbes(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../platforms.go")
	if err != nil {
		t.Fatal(err)
	}
	c := get(t, manifest(t, "Deployment"), "spec", "template", "spec", "containers", 0)
	for _, p := range []struct{ probe, path string }{{"readinessProbe", "/readyz"}, {"livenessProbe", "/healthz"}} {
		t.Run(p.probe, func(t *testing.T) {
			got, _ := get(t, c, p.probe, "httpGet", "path").(string)
			if got != p.path {
				t.Errorf("%s path = %q, want %q", p.probe, got, p.path)
			}
			if !bytes.Contains(src, []byte(`"GET `+got+`"`)) {
				t.Errorf("platforms.go serves no GET %s", got)
			}
		})
	}
}
