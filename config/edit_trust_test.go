package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// dollarValues are texts a chat user may type that look like references.
var dollarValues = []string{
	"${SLACK_BOT_TOKEN}", "$SLACK_BOT_TOKEN", "${NAME:-x}", "$${X}", "${${X}}", "$", "$$", "US$5 ${X}$",
}

// watchName is a watch name holding v (names have no spaces).
func watchName(i int, v string) string {
	return fmt.Sprintf("w%d%s", i, strings.ReplaceAll(v, " ", "_"))
}

// Every value the editor writes loads back as the text given, in an
// environment where each reference would resolve: a $ is never a lookup.
func TestEditorWritesDollarAsData(t *testing.T) {
	t.Parallel()
	const secret = "xoxb-SECRET-VALUE"
	env := envOf(map[string]string{
		"SLACK_BOT_TOKEN": secret, "DISCORD_BOT_TOKEN": "discord-secret", "X": "x-value", "NAME": "name-value", "SLACK_BOT": "partial",
	})
	path := writeFixture(t, 0o644)
	ed := &Editor{Path: path, Getenv: env}
	for i, v := range dollarValues {
		_, err := ed.Update(context.Background(), func(d *Doc) error {
			for _, err := range []error{
				d.AddKeyword("ai-policy", v), // block list
				d.AddKeyword("chips", v),     // flow list
				d.AddFeed(Feed{Name: fmt.Sprintf("f%d", i), URL: "https://example.com/rss?t=" + v}),
				d.AddChannel(fmt.Sprintf("c%d", i), block("slack", "channel", "C"+v)),
				d.AddWatch(Watch{Name: watchName(i, v), Keywords: []string{v}, Exclude: []string{"x" + v}, Channels: []string{fmt.Sprintf("c%d", i)}}),
			} {
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
	}
	src := mustRead(t, path)
	if bytes.Contains(src, []byte(secret)) {
		t.Fatal("the file holds the secret")
	}
	c, err := Validate(path, src, Env{Lookup: env})
	if err != nil {
		t.Fatal(err)
	}
	aiPolicy, _ := c.WatchByName("ai-policy")
	chips, _ := c.WatchByName("chips")
	for i, v := range dollarValues {
		t.Run(v, func(t *testing.T) {
			if got := aiPolicy.Keywords[2+i]; got != v {
				t.Errorf("block keyword = %q, want %q", got, v)
			}
			if got := chips.Keywords[3+i]; got != v {
				t.Errorf("flow keyword = %q, want %q", got, v)
			}
			if f, ok := c.FeedByName(fmt.Sprintf("f%d", i)); !ok || f.URL != "https://example.com/rss?t="+v {
				t.Errorf("feed url = %q", f.URL)
			}
			if ch, ok := c.ChannelByName(fmt.Sprintf("c%d", i)); !ok || value(ch, "channel") != "C"+v {
				t.Errorf("channel = %+v", blockOf(ch))
			}
			w, ok := c.WatchByName(watchName(i, v))
			if !ok || !slices.Equal(w.Keywords, []string{v}) || !slices.Equal(w.Exclude, []string{"x" + v}) {
				t.Errorf("watch = %+v (found %v)", w, ok)
			}
		})
	}
	// Removing and re-adding finds entries by their loaded value.
	if _, err := ed.Update(context.Background(), func(d *Doc) error { return d.RemoveKeyword("chips", "${SLACK_BOT_TOKEN}") }); err != nil {
		t.Fatal(err)
	}
	_, err = ed.Update(context.Background(), func(d *Doc) error { return d.AddKeyword("chips", "$$") })
	if !errors.Is(err, ErrDuplicate) {
		t.Errorf("adding $$ again: %v, want ErrDuplicate", err)
	}
}

// A hand-written value keeps its references and $$, and the editor finds
// it by what it loads as.
func TestEditorFindsHandWrittenDollar(t *testing.T) {
	t.Parallel()
	path := writeFixture(t, 0o644)
	src := bytes.Replace(mustRead(t, path), []byte("[반도체, HBM, 삼성전자]"), []byte("[반도체, HBM, 삼성전자, 'US$$5', '${X}']"), 1)
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(k string) (string, bool) {
		if k == "X" {
			return "엑스", true
		}
		return tokens(k)
	}
	ed := &Editor{Path: path, Getenv: env}
	for _, q := range []string{"US$5", "엑스"} {
		if _, err := ed.Update(context.Background(), func(d *Doc) error { return d.RemoveKeyword("chips", q) }); err != nil {
			t.Errorf("remove %q: %v", q, err)
		}
	}
	if got := readRaw(t, mustRead(t, path)).keywords("chips"); !slices.Equal(got, []string{"반도체", "HBM", "삼성전자"}) {
		t.Errorf("keywords = %q", got)
	}
}

// An edit the bot could not run (a bot channel without its token) is
// refused before anything is written, naming the variable.
func TestEditorRefusesWhatRunRefuses(t *testing.T) {
	t.Parallel()
	path := writeFixture(t, 0o644)
	before := mustRead(t, path)
	onlySlack := envOf(map[string]string{"SLACK_BOT_TOKEN": "x"})
	// The fixture's discord channel_id already needs DISCORD_BOT_TOKEN.
	_, err := (&Editor{Path: path, Getenv: onlySlack}).Update(context.Background(), func(d *Doc) error { return d.AddKeyword("chips", "DRAM") })
	var errs Errors
	if !errors.Is(err, ErrFileInvalid) || !errors.As(err, &errs) || errs[0].Var != "DISCORD_BOT_TOKEN" {
		t.Fatalf("err = %v, want ErrFileInvalid naming DISCORD_BOT_TOKEN", err)
	}
	// With a file that runs, adding a channel the bot cannot post to.
	src := bytes.Replace(before, []byte("    discord: {channel_id: \"123456789012345678\"}"), []byte("    discord: {webhook_url: \"https://discord.com/api/webhooks/1/x\"}"), 1)
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = (&Editor{Path: path, Getenv: onlySlack}).Update(context.Background(), func(d *Doc) error {
		return d.AddChannel("new", block("discord", "channel_id", "42"))
	})
	if !errors.Is(err, ErrEditInvalid) || !errors.As(err, &errs) || len(errs) != 1 || errs[0].Var != "DISCORD_BOT_TOKEN" || errs[0].Path != "channels.new.discord.channel_id" {
		t.Fatalf("err = %v, want ErrEditInvalid at channels.new.discord.channel_id naming DISCORD_BOT_TOKEN", err)
	}
	if !bytes.Equal(mustRead(t, path), src) {
		t.Error("a refused edit changed the file")
	}
}

// Many edits at once, through one Editor or through one Editor each (as
// separate processes would), all land.
func TestEditorConcurrentEditsAllLand(t *testing.T) {
	t.Parallel() // its own files only; it waits on fsync and the lock more than it computes
	const writers = 16
	for _, shared := range []bool{true, false} {
		t.Run(fmt.Sprintf("shared editor %v", shared), func(t *testing.T) {
			t.Parallel() // each round edits its own fixture
			// One Editor's mutex serializes its own updates; the lock is what
			// separate Editors rely on, so they get the most rounds.
			rounds := 20
			if shared {
				rounds = 5
			}
			lost, failed := 0, 0
			for round := range rounds {
				path := writeFixture(t, 0o644)
				one := &Editor{Path: path, Getenv: tokens}
				var wg sync.WaitGroup
				var mu sync.Mutex
				start := make(chan struct{})
				for i := range writers {
					wg.Go(func() {
						ed := one
						if !shared {
							ed = &Editor{Path: path, Getenv: tokens}
						}
						<-start
						q := fmt.Sprintf("키워드%d", i)
						if _, err := ed.Update(context.Background(), func(d *Doc) error { return d.AddKeyword("chips", q) }); err != nil {
							mu.Lock()
							failed++
							mu.Unlock()
							t.Errorf("round %d: %s: %v", round, q, err)
						}
					})
				}
				close(start)
				wg.Wait()
				got := readRaw(t, mustRead(t, path)).keywords("chips")
				lost += 3 + writers - len(got)
				if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
					t.Errorf("round %d: files left behind: %v", round, entries)
				}
			}
			if lost != 0 || failed != 0 {
				t.Errorf("%d of %d edits lost, %d failed", lost, writers*rounds, failed)
			}
		})
	}
}
