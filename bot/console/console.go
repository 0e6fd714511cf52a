// Package console prints alerts and digests to a terminal or a log file,
// so newshound can be tried without any chat account.
package console

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
)

// Notifier writes each message to W. It is safe for concurrent use.
type Notifier struct {
	name   string
	format string
	mu     sync.Mutex
	w      io.Writer
}

var _ notify.Notifier = (*Notifier)(nil)

// New returns a console notifier for the named channel writing to w.
func New(name string, c config.ConsoleChannel, w io.Writer) (*Notifier, error) {
	switch c.Format {
	case "", "text", "json":
	default:
		return nil, fmt.Errorf("console: channel %s: unknown format %q", name, c.Format)
	}
	return &Notifier{name: name, format: c.Format, w: w}, nil
}

// Split returns the message whole: a terminal has no size limit.
func (n *Notifier) Split(m notify.Message) []notify.Message { return []notify.Message{m} }

// Send writes the message. Text is printed as given, with control
// characters removed so feed text cannot drive the terminal.
func (n *Notifier) Send(_ context.Context, m notify.Message) error {
	var b strings.Builder
	if n.format == "json" {
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		for _, e := range m.Entries {
			if err := enc.Encode(jsonEntry{Channel: n.name, Entry: e}); err != nil {
				return notify.Permanent(fmt.Errorf("console: %w", err))
			}
		}
	} else {
		writeText(&b, m)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := io.WriteString(n.w, b.String()); err != nil {
		return notify.Retry(fmt.Errorf("console: channel %s: %w", n.name, err), 0)
	}
	return nil
}

type jsonEntry struct {
	Channel string `json:"channel"`
	notify.Entry
}

func writeText(b *strings.Builder, m notify.Message) {
	loc := m.Location
	if loc == nil {
		loc = time.UTC
	}
	fmt.Fprintf(b, "━━ %s\n", clean(m.Header))
	for _, e := range m.Entries {
		mark := ""
		if e.Urgent {
			mark = "[urgent] "
		}
		fmt.Fprintf(b, "%s[%s] %s\n", mark, clean(e.Watch), clean(e.Title))
		when := e.Published.In(loc).Format("2006-01-02 15:04 MST")
		if e.Undated {
			when = "first seen " + when + " (undated)"
		}
		fmt.Fprintf(b, "    source:  %s · %s\n", clean(e.Source), when)
		fmt.Fprintf(b, "    link:    %s\n", clean(e.Link))
		if len(e.Terms) > 0 {
			fmt.Fprintf(b, "    matched: %s\n", clean(strings.Join(e.Terms, ", ")))
		}
		if len(e.Also) > 0 {
			names := make([]string, len(e.Also))
			for i, s := range e.Also {
				names[i] = clean(s.Name)
			}
			fmt.Fprintf(b, "    also:    +%d: %s\n", len(e.Also), strings.Join(names, ", "))
		}
	}
	if m.More > 0 {
		fmt.Fprintf(b, "    … and %d more (see recent)\n", m.More)
	}
}

// clean drops control characters (ANSI escapes, bells) from feed text.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			if r == '\n' || r == '\t' {
				return ' '
			}
			return -1
		}
		return r
	}, s)
}
