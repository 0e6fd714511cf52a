package config

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

var updateEditGolden = flag.Bool("update-edit", false, "rewrite testdata/edit-*.golden")

// rawList is the part of a watchlist the edit tests read back.
type rawList struct {
	Feeds []struct {
		Name, URL string
	}
	Channels map[string]map[string]map[string]string
	Watches  []struct {
		Name                                string
		Keywords, Exclude, Channels, Urgent []string
	}
}

func readRaw(t *testing.T, src []byte) rawList {
	t.Helper()
	var r rawList
	if err := yaml.Unmarshal(src, &r); err != nil {
		t.Fatalf("edited file does not parse: %v\n%s", err, src)
	}
	return r
}

func (r rawList) keywords(watch string) []string {
	for _, w := range r.Watches {
		if w.Name == watch {
			return w.Keywords
		}
	}
	return nil
}

// untouched returns how many lines of before are missing from after: the
// lines outside a longest common subsequence of the two files' lines. Every
// other line of before is in after, byte for byte and in order.
func untouched(before, after []byte) (changed int) {
	a := strings.SplitAfter(string(before), "\n")
	b := strings.SplitAfter(string(after), "\n")
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	return len(a) - lcs[0][0]
}

func TestDocEditsGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fixture string
		edit    func(d *Doc) error
		// changed is how many original lines may differ (removed or
		// rewritten); every other line must be byte-identical.
		changed int
		check   func(t *testing.T, r rawList)
	}{
		{"add-block", "watchlist", func(d *Doc) error { return d.AddKeyword("ai-policy", "반도체") }, 0,
			func(t *testing.T, r rawList) {
				want := []string{"AI 규제", `"AI 국가안보각서"`, "반도체"}
				if got := r.keywords("ai-policy"); !equal(got, want) {
					t.Errorf("keywords = %q, want %q", got, want)
				}
			}},
		{"add-flow-quoted", "watchlist", func(d *Doc) error { return d.AddKeyword("chips", `"AI 국가안보각서"`) }, 1,
			func(t *testing.T, r rawList) {
				want := []string{"반도체", "HBM", "삼성전자", `"AI 국가안보각서"`}
				if got := r.keywords("chips"); !equal(got, want) {
					t.Errorf("keywords = %q, want %q", got, want)
				}
			}},
		{"remove-block", "watchlist", func(d *Doc) error { return d.RemoveKeyword("ai-policy", `"AI 국가안보각서"`) }, 1,
			func(t *testing.T, r rawList) {
				if got := r.keywords("ai-policy"); !equal(got, []string{"AI 규제"}) {
					t.Errorf("keywords = %q", got)
				}
			}},
		{"remove-flow-urgent", "watchlist", func(d *Doc) error { return d.RemoveKeyword("chips", "HBM") }, 2,
			func(t *testing.T, r rawList) {
				if got := r.keywords("chips"); !equal(got, []string{"반도체", "삼성전자"}) {
					t.Errorf("keywords = %q", got)
				}
				if got := r.Watches[1].Urgent; len(got) != 0 {
					t.Errorf("urgent = %q, want none", got)
				}
			}},
		{"add-watch", "watchlist", func(d *Doc) error {
			return d.AddWatch(Watch{Name: "news-desk", Keywords: []string{"속보", "yes"}, Channels: []string{"general"}})
		}, 0, func(t *testing.T, r rawList) {
			w := r.Watches[len(r.Watches)-1]
			if w.Name != "news-desk" || !equal(w.Keywords, []string{"속보", "yes"}) || !equal(w.Channels, []string{"general"}) {
				t.Errorf("new watch = %+v", w)
			}
		}},
		{"add-feed", "watchlist", func(d *Doc) error {
			return d.AddFeed(Feed{Name: "hani", URL: "https://www.hani.co.kr/rss/?a=1#x"})
		}, 0, func(t *testing.T, r rawList) {
			f := r.Feeds[len(r.Feeds)-1]
			if f.Name != "hani" || f.URL != "https://www.hani.co.kr/rss/?a=1#x" {
				t.Errorf("new feed = %+v", f)
			}
		}},
		{"remove-feed", "watchlist", func(d *Doc) error { return d.RemoveFeed("gn-ai") }, 2,
			func(t *testing.T, r rawList) {
				if len(r.Feeds) != 1 || r.Feeds[0].Name != "yonhap" {
					t.Errorf("feeds = %+v", r.Feeds)
				}
			}},
		{"add-channel-and-watch", "watchlist", func(d *Doc) error {
			if err := d.AddChannel("팀-뉴스", block("slack", "channel", "C0999")); err != nil {
				return err
			}
			return d.AddWatch(Watch{Name: "팀-뉴스", Keywords: []string{"반도체"}, Channels: []string{"팀-뉴스"}})
		}, 0, func(t *testing.T, r rawList) {
			if got := r.Channels["팀-뉴스"]["slack"]["channel"]; got != "C0999" {
				t.Errorf("channel = %q", got)
			}
		}},
		{"minimal-fill-null", "minimal", func(d *Doc) error {
			if err := d.AddChannel("console", block("console", "format", "json")); err != nil {
				return err
			}
			return d.AddWatch(Watch{Name: "w", Keywords: []string{"AI"}, Channels: []string{"console"}})
		}, 1, func(t *testing.T, r rawList) {
			if len(r.Watches) != 1 || r.Channels["console"]["console"]["format"] != "json" {
				t.Errorf("got %+v", r)
			}
		}},
		{"minimal-keyword-key", "minimal", func(d *Doc) error {
			if err := d.AddWatch(Watch{Name: "w", Channels: []string{"c"}}); err != nil {
				return err
			}
			return d.AddKeyword("w", "it's")
		}, 1, func(t *testing.T, r rawList) {
			if got := r.keywords("w"); !equal(got, []string{"it's"}) {
				t.Errorf("keywords = %q", got)
			}
		}},
		{"flow-all", "flow", func(d *Doc) error {
			for _, f := range []func() error{
				func() error { return d.AddKeyword("w", "a, b") },
				func() error { return d.RemoveKeyword("w", "x, y") },
				func() error { return d.RemoveFeed("a") },
				func() error { return d.AddFeed(Feed{Name: "c", URL: "https://example.com/c.xml"}) },
				func() error { return d.AddChannel("ops", block("discord", "channel_id", "42")) },
				func() error { return d.AddWatch(Watch{Name: "v", Keywords: []string{"#1"}, Channels: []string{"ops"}}) },
			} {
				if err := f(); err != nil {
					return err
				}
			}
			return nil
		}, 3, func(t *testing.T, r rawList) {
			if got := r.keywords("w"); !equal(got, []string{"z", "a, b"}) {
				t.Errorf("keywords = %q", got)
			}
			if got := r.keywords("v"); !equal(got, []string{"#1"}) {
				t.Errorf("keywords = %q", got)
			}
			if len(r.Feeds) != 2 || r.Feeds[1].Name != "c" || r.Channels["ops"]["discord"]["channel_id"] != "42" {
				t.Errorf("got %+v", r)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", "edit-"+tc.fixture+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			d, err := newDoc("test.yaml", src, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.edit(d); err != nil {
				t.Fatalf("edit: %v", err)
			}
			out := d.Bytes()
			if n := untouched(src, out); n > tc.changed {
				t.Errorf("%d original lines changed, want at most %d:\n%s", n, tc.changed, out)
			}
			tc.check(t, readRaw(t, out))
			golden := filepath.Join("testdata", "edit-"+tc.name+".golden")
			if *updateEditGolden {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update-edit)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("output differs from %s:\n%s", golden, out)
			}
		})
	}
}

func TestDocEditsCRLF(t *testing.T) {
	t.Parallel()
	src := bytes.ReplaceAll(mustRead(t, "testdata/edit-watchlist.yaml"), []byte("\n"), []byte("\r\n"))
	d, err := newDoc("crlf.yaml", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.AddKeyword("ai-policy", "반도체"); err != nil {
		t.Fatal(err)
	}
	if err := d.RemoveFeed("gn-ai"); err != nil {
		t.Fatal(err)
	}
	if err := d.AddWatch(Watch{Name: "w", Keywords: []string{"x"}, Channels: []string{"dev"}}); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(d.Bytes(), []byte("\n")); n != bytes.Count(d.Bytes(), []byte("\r\n")) {
		t.Errorf("mixed line breaks:\n%q", d.Bytes())
	}
	if got := readRaw(t, d.Bytes()).keywords("ai-policy"); len(got) != 3 || got[2] != "반도체" {
		t.Errorf("keywords = %q", got)
	}
}

// The project's own commented example stays intact under every edit.
func TestDocEditsExample(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("watchlist.example.yaml")
	if err != nil {
		t.Skip("no watchlist.example.yaml:", err)
	}
	cfg, err := Validate("watchlist.example.yaml", src, Env{Lookup: tokens})
	if err != nil || len(cfg.Watches) == 0 || len(cfg.Feeds) < 2 || len(cfg.ChannelOrder) == 0 {
		t.Skip("the example is not a usable watchlist:", err)
	}
	w, ch := cfg.Watches[0], cfg.ChannelOrder[0]
	d, err := newDoc("watchlist.example.yaml", src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, edit := range []func() error{
		func() error { return d.AddKeyword(w.Name, "반도체") },
		func() error { return d.AddKeyword(w.Name, `"AI 행동계획"`) },
		func() error { return d.RemoveKeyword(w.Name, w.Keywords[0]) },
		func() error { return d.AddChannel("news-desk", block("slack", "channel", "C0123")) },
		func() error {
			return d.AddWatch(Watch{Name: "news-desk", Keywords: []string{"속보"}, Channels: []string{"news-desk", ch}})
		},
		func() error { return d.AddFeed(Feed{Name: "hani", URL: "https://www.hani.co.kr/rss/"}) },
	} {
		if err := edit(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Validate("watchlist.example.yaml", d.Bytes(), Env{Lookup: tokens}); err != nil {
		t.Fatalf("edited example is invalid: %v\n%s", err, d.Bytes())
	}
	// The watch's keyword line (flow or block) is the only one rewritten.
	if n := untouched(src, d.Bytes()); n > 1 {
		t.Errorf("%d original lines changed:\n%s", n, d.Bytes())
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDocEditErrors(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/edit-watchlist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	anchored := []byte("base: &kw [a, b]\nwatches:\n  - name: w\n    keywords: *kw\n  - <<: {channels: [c]}\n    name: m\n    keywords: [x]\n")
	tests := []struct {
		name string
		src  []byte
		edit func(d *Doc) error
		want error
	}{
		{"duplicate query", src, func(d *Doc) error { return d.AddKeyword("chips", "HBM") }, ErrDuplicate},
		{"no watch", src, func(d *Doc) error { return d.AddKeyword("nope", "x") }, ErrNoSuchEntry},
		{"no query", src, func(d *Doc) error { return d.RemoveKeyword("chips", "nope") }, ErrNoSuchEntry},
		{"duplicate watch", src, func(d *Doc) error { return d.AddWatch(Watch{Name: "chips", Keywords: []string{"a"}}) }, ErrDuplicate},
		{"duplicate feed", src, func(d *Doc) error { return d.AddFeed(Feed{Name: "yonhap", URL: "https://x"}) }, ErrDuplicate},
		{"duplicate channel", src, func(d *Doc) error { return d.AddChannel("dev", block("console")) }, ErrDuplicate},
		{"feed in use", src, func(d *Doc) error { return d.RemoveFeed("yonhap") }, ErrInUse},
		{"no feed", src, func(d *Doc) error { return d.RemoveFeed("nope") }, ErrNoSuchEntry},
		{"alias", anchored, func(d *Doc) error { return d.AddKeyword("w", "c") }, ErrUnsupportedLayout},
		{"merge key", anchored, func(d *Doc) error { return d.AddKeyword("m", "c") }, ErrUnsupportedLayout},
		{"digest on new watch", src, func(d *Doc) error {
			return d.AddWatch(Watch{Name: "n", Keywords: []string{"a"}, Digest: Digest{At: []string{"09:00"}}})
		}, ErrUnsupportedLayout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := newDoc("test.yaml", tc.src, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.edit(d); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if !bytes.Equal(d.Bytes(), tc.src) {
				t.Errorf("a refused edit changed the text:\n%s", d.Bytes())
			}
		})
	}
	for _, bad := range []string{"", "  ", "a\nb", "a\x00"} {
		d, _ := newDoc("test.yaml", src, nil)
		if err := d.AddKeyword("chips", bad); err == nil {
			t.Errorf("AddKeyword(%q) accepted", bad)
		}
	}
}

func TestScalarTextRoundTrip(t *testing.T) {
	t.Parallel()
	values := []string{
		"반도체", "AI 규제", `"AI 국가안보각서"`, "it's", "a: b", "#tag", "- x", "yes", "No", "null", "~",
		"1e3", "0x1F", "2024-01-01", "1:30", "5G", "3.5", "[a]", "{a}", "a, b", "title:AI", "site:yna.co.kr",
		" lead", "trail ", "a  b", "@here", "!tag", "*star", "&amp", "%x", "`tick`", "ＡＩ", "AI OR 반도체", "-광고",
	}
	for _, v := range values {
		t.Run(v, func(t *testing.T) {
			var block []string
			if err := yaml.Unmarshal([]byte("- "+scalarText(v)+"\n"), &block); err != nil || len(block) != 1 || block[0] != v {
				t.Errorf("block %q: got %q, %v", scalarText(v), block, err)
			}
			var flow []string
			if err := yaml.Unmarshal([]byte("[x, "+scalarText(v)+"]"), &flow); err != nil || len(flow) != 2 || flow[1] != v {
				t.Errorf("flow %q: got %q, %v", scalarText(v), flow, err)
			}
			var any map[string]any
			if err := yaml.Unmarshal([]byte("k: "+scalarText(v)), &any); err != nil || any["k"] != v {
				t.Errorf("untyped %q: got %#v, %v", scalarText(v), any["k"], err)
			}
		})
	}
}

// writeFixture copies a valid watchlist to a temporary file.
func writeFixture(t *testing.T, mode os.FileMode) string {
	t.Helper()
	src, err := os.ReadFile("testdata/edit-watchlist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "watchlist.yaml")
	if err := os.WriteFile(path, src, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// tokens is an environment with the bot tokens the fixture's slack
// channel: and discord channel_id: need, and nothing else.
func tokens(k string) (string, bool) {
	switch k {
	case "SLACK_BOT_TOKEN", "DISCORD_BOT_TOKEN":
		return "token-" + k, true
	}
	return "", false
}

func TestEditorUpdate(t *testing.T) {
	t.Parallel()
	path := writeFixture(t, 0o640)
	before, _ := os.ReadFile(path)
	ed := &Editor{Path: path, Getenv: tokens}
	res, err := ed.Update(context.Background(), func(d *Doc) error { return d.AddKeyword("ai-policy", "반도체") })
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if res.Before != SourceHash(before) || res.After != SourceHash(after) || res.Before == res.After {
		t.Errorf("hashes %s → %s do not match the file", res.Before, res.After)
	}
	if got := res.Config.Watches[0].Keywords; got[len(got)-1] != "반도체" {
		t.Errorf("returned config keywords = %q", got)
	}
	if n := untouched(before, after); n != 0 {
		t.Errorf("%d original lines changed", n)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// An edit that changes nothing writes nothing.
	res, err = ed.Update(context.Background(), func(*Doc) error { return nil })
	if err != nil || res.Before != res.After {
		t.Errorf("no-op update: %+v, %v", res, err)
	}
}

func TestEditorSymlink(t *testing.T) {
	t.Parallel()
	path := writeFixture(t, 0o644)
	link := filepath.Join(t.TempDir(), "link.yaml")
	if err := os.Symlink(path, link); err != nil {
		t.Skip("symlinks not supported:", err)
	}
	if _, err := (&Editor{Path: link, Getenv: tokens}).Update(context.Background(), func(d *Doc) error { return d.AddKeyword("chips", "DRAM") }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Contains(got, []byte("DRAM")) {
		t.Errorf("target not edited:\n%s", got)
	}
}

func TestEditorConcurrentHandEdit(t *testing.T) {
	t.Parallel()
	path := writeFixture(t, 0o644)
	ed := &Editor{Path: path, Getenv: tokens}
	edits := 0
	ed.beforeRename = func() {
		// A person saves the file between our read and our rename.
		if edits++; edits > 1 {
			return
		}
		src, _ := os.ReadFile(path)
		src = bytes.Replace(src, []byte("      - AI 규제\n"), []byte("      - AI 규제\n      - 인공지능 기본법   # added by hand\n"), 1)
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Error(err)
		}
	}
	res, err := ed.Update(context.Background(), func(d *Doc) error { return d.AddKeyword("ai-policy", "반도체") })
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := []string{"AI 규제", "인공지능 기본법", `"AI 국가안보각서"`, "반도체"}
	if k := readRaw(t, got).keywords("ai-policy"); !equal(k, want) {
		t.Errorf("keywords = %q, want %q (hand edit kept and ours re-applied)", k, want)
	}
	if !bytes.Contains(got, []byte("# added by hand")) {
		t.Error("the hand edit's comment was lost")
	}
	if res.Before == SourceHash(mustRead(t, "testdata/edit-watchlist.yaml")) {
		t.Error("Before should be the hash of the hand-edited file the edit was applied to")
	}
	if edits != 2 {
		t.Errorf("edit applied %d times, want 2", edits)
	}
}

func TestEditorConflict(t *testing.T) {
	t.Parallel()
	path := writeFixture(t, 0o644)
	ed := &Editor{Path: path, Getenv: tokens}
	n := 0
	ed.beforeRename = func() {
		n++
		src, _ := os.ReadFile(path)
		if err := os.WriteFile(path, append(src, []byte("# edit "+strings.Repeat("x", n)+"\n")...), 0o644); err != nil {
			t.Error(err)
		}
	}
	_, err := ed.Update(context.Background(), func(d *Doc) error { return d.AddKeyword("ai-policy", "반도체") })
	if !errors.Is(err, ErrEditConflict) {
		t.Fatalf("err = %v, want ErrEditConflict", err)
	}
	got, _ := os.ReadFile(path)
	if bytes.Contains(got, []byte("반도체\n")) && readRaw(t, got).keywords("ai-policy")[2] == "반도체" {
		t.Error("the edit was written over a person's edit")
	}
	if !bytes.HasSuffix(got, []byte("# edit xxx\n")) {
		t.Errorf("the last hand edit was lost:\n%s", got)
	}
}

func TestEditorRefusesInvalid(t *testing.T) {
	t.Parallel()
	path := writeFixture(t, 0o644)
	before := mustRead(t, path)
	ed := &Editor{Path: path, Getenv: tokens}
	_, err := ed.Update(context.Background(), func(d *Doc) error {
		if err := d.RemoveKeyword("ai-policy", "AI 규제"); err != nil {
			return err
		}
		return d.RemoveKeyword("ai-policy", `"AI 국가안보각서"`)
	})
	var errs Errors
	if !errors.Is(err, ErrEditInvalid) || !errors.As(err, &errs) || len(errs) == 0 {
		t.Fatalf("err = %v, want ErrEditInvalid with Errors", err)
	}
	if !bytes.Equal(mustRead(t, path), before) {
		t.Error("a refused edit changed the file")
	}

	// A file broken by hand is not edited at all.
	broken := bytes.Replace(before, []byte("  - name: chips\n    keywords: [반도체, HBM, 삼성전자]"), []byte("  - name: chips\n    keywords: []"), 1)
	if err := os.WriteFile(path, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ed.Update(context.Background(), func(d *Doc) error { return d.AddKeyword("ai-policy", "x") })
	if !errors.Is(err, ErrFileInvalid) || !errors.As(err, &errs) {
		t.Fatalf("err = %v, want ErrFileInvalid", err)
	}
	if !bytes.Equal(mustRead(t, path), broken) {
		t.Error("an invalid file was edited")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
