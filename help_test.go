package main

import (
	"slices"
	"strings"
	"testing"
)

// subcommands are the commands whose examples name a subcommand, which
// has its own flags.
var subcommands = map[string]bool{"feeds": true, "watchlist": true}

func TestHelpTableMatchesDispatch(t *testing.T) {
	table := helpTable()
	var names []string
	for _, h := range table {
		if slices.Contains(names, h.name) {
			t.Errorf("help entry %q appears twice", h.name)
		}
		names = append(names, h.name)
		if _, ok := cmds()[h.name]; !ok {
			t.Errorf("help entry %q has no command in the dispatch map", h.name)
		}
	}
	for name := range cmds() {
		if !slices.Contains(names, name) {
			t.Errorf("command %q has no help entry", name)
		}
	}
	for _, h := range table {
		t.Run(h.name, func(t *testing.T) {
			if h.desc == "" || len(h.synopsis) == 0 {
				t.Errorf("entry without description or usage: %+v", h)
			}
			if len(h.examples) != 2 {
				t.Errorf("%d examples, want 2", len(h.examples))
			}
			for _, s := range h.synopsis {
				if !strings.HasPrefix(s, h.name) {
					t.Errorf("usage line %q does not start with the command", s)
				}
			}
			for _, ex := range h.examples {
				if !strings.Contains(exampleArgs(ex), h.name) {
					t.Errorf("example %q does not run %s", ex, h.name)
				}
			}
		})
	}
}

// exampleArgs is the part of an example command line after "newshound ",
// without comment, pipe or redirection.
func exampleArgs(ex string) string {
	_, rest, ok := strings.Cut(ex, "newshound ")
	if !ok {
		return ""
	}
	for _, sep := range []string{" # ", " | ", " < ", " > "} {
		rest, _, _ = strings.Cut(rest, sep)
	}
	return strings.TrimSpace(rest)
}

func TestCommandHelp(t *testing.T) {
	for _, h := range helpTable() {
		t.Run(h.name, func(t *testing.T) {
			code, out, errs := runCLI(t, h.name, "-h")
			if code != 0 || errs != "" {
				t.Fatalf("%s -h: exit %d, stderr %q", h.name, code, errs)
			}
			for _, want := range append([]string{"Usage:", capitalize(h.desc), "Examples:"}, h.examples...) {
				if !strings.Contains(out, want) {
					t.Errorf("%s -h lacks %q:\n%s", h.name, want, out)
				}
			}
			for _, s := range h.synopsis {
				if !strings.Contains(out, "newshound "+s) {
					t.Errorf("%s -h lacks the usage line %q:\n%s", h.name, s, out)
				}
			}
			for _, flag := range []string{"--help", "-help"} {
				if code, o, _ := runCLI(t, h.name, flag); code != 0 || o != out {
					t.Errorf("%s %s: exit %d, output differs from -h:\n%s", h.name, flag, code, o)
				}
			}
			code, helpOut, errs := runCLI(t, "help", h.name)
			if code != 0 || helpOut != out || errs != "" {
				t.Errorf("help %s: exit %d, stderr %q, output differs from %s -h:\n%s", h.name, code, errs, h.name, helpOut)
			}
		})
	}
}

// TestExamplesUseRealFlags checks every flag an example writes against the
// flags its command prints for -h, so an example cannot name a flag the
// command does not have.
func TestExamplesUseRealFlags(t *testing.T) {
	for _, h := range helpTable() {
		for _, ex := range h.examples {
			t.Run(h.name+"/"+ex, func(t *testing.T) {
				args := strings.Fields(exampleArgs(ex))
				if args[0] != h.name {
					// A top-level alias such as --version: it must work.
					if code, _, errs := runCLI(t, args...); code != 0 {
						t.Fatalf("%q: exit %d\n%s", ex, code, errs)
					}
					return
				}
				helpArgs := []string{h.name}
				if subcommands[h.name] {
					helpArgs = append(helpArgs, args[1])
				}
				code, out, errs := runCLI(t, append(helpArgs, "-h")...)
				if code != 0 {
					t.Fatalf("%v -h: exit %d\n%s", helpArgs, code, errs)
				}
				for _, a := range args[len(helpArgs):] {
					if !strings.HasPrefix(a, "-") {
						continue
					}
					name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
					if !strings.Contains(out, "\n  --"+name+"\n") && !strings.Contains(out, "\n  --"+name+" ") {
						t.Errorf("example %q uses %s, which %v does not define:\n%s", ex, a, helpArgs, out)
					}
				}
			})
		}
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	code, out, errs := runCLI(t, "help")
	if code != 0 || errs != "" {
		t.Fatalf("help: exit %d, stderr %q", code, errs)
	}
	for _, h := range helpTable() {
		for _, want := range append([]string{h.desc}, h.examples...) {
			if !strings.Contains(out, want) {
				t.Errorf("help lacks %q of %s", want, h.name)
			}
		}
		for _, s := range h.synopsis {
			if !strings.Contains(out, "newshound "+s) {
				t.Errorf("help lacks the usage line %q", s)
			}
		}
	}
	for _, flag := range []string{"-h", "--help", "-help"} {
		if code, o, _ := runCLI(t, flag); code != 0 || o != out {
			t.Errorf("newshound %s: exit %d, output differs from help:\n%s", flag, code, o)
		}
	}
	// No command at all: the short list, on stderr, exit 2.
	code, out, errs = runCLI(t)
	if code != 2 || out != "" {
		t.Fatalf("no command: exit %d, stdout %q", code, out)
	}
	for _, h := range helpTable() {
		if !strings.Contains(errs, "  "+h.name+" ") || !strings.Contains(errs, h.desc) {
			t.Errorf("usage lacks %s:\n%s", h.name, errs)
		}
	}
}

func TestUnknownWordsSuggest(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want string // in stderr; "" for no suggestion
	}{
		{"transposed command", []string{"chekc"}, `unknown command "chekc"; did you mean "check"?`},
		{"missing letter", []string{"fech", "x.xml"}, `did you mean "fetch"?`},
		{"extra letter", []string{"statuss"}, `did you mean "status"?`},
		{"help of a typo", []string{"help", "verison"}, `newshound help: unknown command "verison"; did you mean "version"?`},
		{"feeds subcommand", []string{"feeds", "imprt", "x.opml"}, `unknown subcommand "imprt"; did you mean "import"?`},
		{"flag", []string{"check", "--confg", "w.yaml"}, "did you mean --config?"},
		{"flag of a subcommand", []string{"feeds", "import", "--dryrun", "x.opml"}, "did you mean --dry-run?"},
		{"nothing near", []string{"frobnicate"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCLI(t, c.args...)
			if code != 2 || out != "" {
				t.Fatalf("exit %d (want 2), stdout %q\n%s", code, out, errs)
			}
			if c.want == "" {
				if strings.Contains(errs, "did you mean") || !strings.Contains(errs, "unknown command") || !strings.Contains(errs, "Commands:") {
					t.Errorf("want the command list and no suggestion:\n%s", errs)
				}
				return
			}
			if !strings.Contains(errs, c.want) {
				t.Errorf("stderr lacks %q:\n%s", c.want, errs)
			}
		})
	}
}

// TestFeedsUsageAgrees keeps the usage that feeds prints after a mistake
// in line with its help entry.
func TestFeedsUsageAgrees(t *testing.T) {
	h, ok := lookupHelp("feeds")
	if !ok {
		t.Fatal("no help entry for feeds")
	}
	usage := strings.Join(strings.Fields(feedsUsage), " ")
	for _, s := range h.synopsis {
		if !strings.Contains(usage, "newshound "+s) {
			t.Errorf("feedsUsage lacks %q:\n%s", s, feedsUsage)
		}
	}
}
