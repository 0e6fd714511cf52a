package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/config"
)

// runCLIEnv is runCLI with the environment vars.
func runCLIEnv(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	code = Main(ctx, args, env{tick: testTick, stdin: strings.NewReader(""), stdout: &out, stderr: &errb, lookup: lookup})
	return code, out.String(), errb.String()
}

func loadExample(t *testing.T) *config.Config {
	t.Helper()
	path := filepath.Join("config", "watchlist.example.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(path, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestInitWritesAStarterThatChecks writes each starter, checks it as
// `check --no-env` does and, with the variables init told to set, as
// `check` does; then a second init must leave the file alone.
func TestInitWritesAStarterThatChecks(t *testing.T) {
	example := loadExample(t)
	exampleURLs := map[string]bool{}
	for _, f := range example.Feeds {
		exampleURLs[f.URL] = true
	}
	for _, tt := range []struct {
		name string
		args []string // FILE is appended, or put where "FILE" is
		kind string
		vars []string
	}{
		{"default console", nil, "console", nil},
		{"console", []string{"--console"}, "console", nil},
		{"slack", []string{"--slack"}, "slack", []string{"SLACK_WEBHOOK_URL"}},
		{"discord after FILE", []string{"FILE", "--discord"}, "discord", []string{"DISCORD_WEBHOOK_URL"}},
		{"name with a space", []string{"-slack", "FILE"}, "slack", []string{"SLACK_WEBHOOK_URL"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			name := "watch.yaml"
			if strings.Contains(tt.name, "space") {
				name = "my watch's list.yaml"
			}
			file := filepath.Join(t.TempDir(), name)
			args := []string{"init"}
			if !slices.Contains(tt.args, "FILE") {
				args = append(append(args, tt.args...), file)
			} else {
				for _, a := range tt.args {
					args = append(args, strings.ReplaceAll(a, "FILE", file))
				}
			}
			code, out, errs := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("init: exit %d\n%s", code, errs)
			}
			q := shellQuote(file)
			if name != "watch.yaml" && q == file {
				t.Fatalf("%q not quoted for the shell", file)
			}
			for _, want := range []string{"1. ", "2. Check the file:  newshound check --config " + q + "\n", "3. Start the bot:   newshound run --config " + q + "\n"} {
				if !strings.Contains(out, want) {
					t.Errorf("init output lacks %q:\n%s", want, out)
				}
			}
			for _, v := range tt.vars {
				if !strings.Contains(out, "export "+v+"=") {
					t.Errorf("init output does not say to set %s:\n%s", v, out)
				}
			}
			if len(tt.vars) == 0 && !strings.Contains(out, "Nothing to set") {
				t.Errorf("init output for a console channel:\n%s", out)
			}

			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(data), "\n")
			schema, ok := strings.CutPrefix(first, "# yaml-language-server: $schema=https://raw.githubusercontent.com/newshound/newshound/main/")
			if !ok {
				t.Errorf("first line %q does not point at the schema", first)
			} else if _, err := os.Stat(schema); err != nil {
				t.Errorf("first line points at %s, not in the repository: %v", schema, err)
			}
			if n := strings.Count(string(data), "\n#"); n < 10 {
				t.Errorf("only %d comment lines: the starter should explain itself", n)
			}

			// check --no-env passes, and so does check with the variables
			// init named, and only with them.
			if code, out, errs := runCLI(t, "check", "--no-env", "--config", file); code != 0 {
				t.Errorf("check --no-env: exit %d\n%s%s", code, out, errs)
			}
			vars := map[string]string{}
			for _, v := range tt.vars {
				vars[v] = "https://hooks.example.com/" + strings.ToLower(v)
			}
			if code, out, errs := runCLIEnv(t, vars, "check", "--config", file); code != 0 {
				t.Errorf("check with %v: exit %d\n%s%s", tt.vars, code, out, errs)
			}
			if len(tt.vars) > 0 {
				if code, _, errs := runCLIEnv(t, nil, "check", "--config", file); code != 1 || !strings.Contains(errs, tt.vars[0]) {
					t.Errorf("check without %s: exit %d, stderr %q", tt.vars[0], code, errs)
				}
			}

			cfg, err := config.Validate(file, data, config.Env{Skip: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Channels) != 1 || cfg.Channels[cfg.ChannelOrder[0]].Type() != tt.kind {
				t.Errorf("channels %v, want one %s channel", cfg.ChannelOrder, tt.kind)
			}
			if len(cfg.Watches) != 1 || !slices.Equal(cfg.Watches[0].Keywords, example.Watches[0].Keywords) {
				t.Errorf("watches %+v, want the example's keywords %q", cfg.Watches, example.Watches[0].Keywords)
			}
			news := 0
			for _, f := range cfg.Feeds {
				switch {
				case f.GoogleNews != "":
					news++
				case !exampleURLs[f.URL]:
					t.Errorf("feed %s (%s) is not one of the example's outlets", f.Name, f.URL)
				}
			}
			if news != 1 || len(cfg.Feeds) < 3 {
				t.Errorf("%d feeds with %d Google News searches; want a few outlets and one search", len(cfg.Feeds), news)
			}

			// A second init, of any kind, leaves the file as it is.
			if err := os.WriteFile(file, []byte("# mine\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, again := range [][]string{{"init", file}, {"init", "--discord", file}} {
				code, out, errs := runCLI(t, again...)
				if code != 1 || !strings.Contains(errs, "already exists") || out != "" {
					t.Errorf("%v over an existing file: exit %d, stdout %q, stderr %q", again, code, out, errs)
				}
			}
			if got, _ := os.ReadFile(file); string(got) != "# mine\n" {
				t.Errorf("existing file changed to:\n%s", got)
			}
		})
	}
}

func TestInitDefaultFile(t *testing.T) {
	t.Chdir(t.TempDir())
	code, out, errs := runCLI(t, "init")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if !strings.Contains(out, "newshound check --config watchlist.yaml\n") {
		t.Errorf("output:\n%s", out)
	}
	if code, _, errs := runCLI(t, "check", "--no-env"); code != 0 {
		t.Errorf("check --no-env on the default file: exit %d\n%s", code, errs)
	}
}

func TestInitRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"two kinds", []string{"--slack", "--discord", filepath.Join(dir, "a.yaml")}, 2, "choose one of"},
		{"two files", []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")}, 2, "one FILE"},
		{"unknown flag", []string{"--slak", filepath.Join(dir, "a.yaml")}, 2, "did you mean --slack?"},
		{"missing directory", []string{filepath.Join(dir, "no", "a.yaml")}, 1, "no such file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCLI(t, append([]string{"init"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d with %q", code, errs, tt.code, tt.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files written: %v", entries)
			}
		})
	}
}

func TestStarterKindsAreValid(t *testing.T) {
	for _, kind := range config.StarterKinds() {
		data, err := config.Starter(kind)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := config.Validate(kind+".yaml", data, config.Env{Skip: true}); err != nil {
			t.Errorf("%s: %v", kind, err)
		}
	}
	if _, err := config.Starter("telegram"); err == nil {
		t.Error("a starter for an unknown kind")
	}
}
