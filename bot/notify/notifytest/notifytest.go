// Package notifytest is the conformance suite every notify.Notifier must
// pass, each against its own fake server: every part of a split message
// is within the platform's limits and no entry is lost, hostile feed text
// pings no one, a 429 is retryable after the delay the platform asked
// for (and the next send waits it out), a 5xx or a lost connection is
// retryable, another 4xx is reported and not retried, no error text
// carries a secret, and an idempotency key is sent where the platform
// has one. A receiver's test calls Run with a function that builds a
// fresh Harness.
package notifytest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/bot/notify"
)

// Harness is one notifier under test and the handles the suite needs on
// the receiver it talks to. Fields left nil turn off the cases that need
// them, which are then skipped with the reason.
type Harness struct {
	// Notifier is the receiver under test, pointed at the harness's
	// own fake (a Server, or a buffer for a terminal).
	Notifier notify.Notifier
	// Requests returns what the receiver got so far, one Request per
	// delivered message, in order. Required.
	Requests func() []Request
	// CheckLimits reports how one received body breaks the platform's
	// limits (messages, blocks or embeds, lengths), nil when it is within
	// them. Nil: the receiver has no limits (a terminal).
	CheckLimits func(body []byte) error
	// Pings lists what in one received body would notify people or
	// drive the receiver (a broadcast or user mention, a terminal
	// control sequence), in the platform's own terms; empty when nothing
	// would. Required.
	Pings func(body []byte) []string
	// Answer makes the receiver answer the next request with status and,
	// for a 429, ask for a delay of after (Server.Answer). Nil: there is
	// no server, and the network cases are skipped.
	Answer func(status int, after time.Duration)
	// Down makes the receiver unreachable for later sends. Nil: the
	// lost-connection case is skipped.
	Down func()
	// Waited is how long the notifier has waited on its (fake) clock so
	// far. Nil: the check that a send after a 429 waits is skipped.
	Waited func() time.Duration
	// Secrets must appear in no error text: the webhook URL, its path
	// and token, the bot token.
	Secrets []string
	// IdempotencyHeader is the request header that carries an
	// idempotency key; "" when the platform has none, which skips the
	// case.
	IdempotencyHeader string
}

// Run runs the suite. newHarness must return a fresh harness, with its
// own fake receiver, for each call.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"SplitWithinLimits", testSplit},
		{"HostileTextPingsNoOne", testHostile},
		{"RateLimitedHonoursRetryAfter", testRateLimited},
		{"ServerErrorRetryable", testServerError},
		{"ClientErrorReported", testClientError},
		{"ConnectionLostRetryable", testDown},
		{"NoSecretInErrors", testNoSecret},
		{"IdempotencyKey", testIdempotency},
		{"ReportTextWithinLimits", testReport},
		{"SurgeWithinLimits", testSurge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if h.Notifier == nil || h.Requests == nil || h.Pings == nil {
				t.Fatal("notifytest: harness lacks Notifier, Requests or Pings")
			}
			tc.fn(t, h)
		})
	}
}

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// korean returns n runes of Korean news prose.
func korean(n, seed int) string {
	words := []string{"반도체", "수출이", "급증했다", "삼성전자가", "발표한", "자료에", "따르면", "정부는", "인공지능", "규제를", "강화한다"}
	var rs []rune
	for i := 0; len(rs) < n; i++ {
		rs = append(rs, []rune(words[(i+seed)%len(words)]+" ")...)
	}
	return string(rs[:n])
}

func entries(n int, f func(i int) notify.Entry) []notify.Entry {
	out := make([]notify.Entry, n)
	for i := range out {
		out[i] = f(i)
		out[i].ID = int64(i + 1)
	}
	return out
}

// splitCases are messages that need splitting on chat platforms, or
// test the edge of a single part.
func splitCases() []notify.Message {
	kst := time.FixedZone("KST", 9*3600)
	return []notify.Message{
		{Header: "반도체 동향: " + korean(300, 0), More: 7, Location: kst, Entries: entries(60, func(i int) notify.Entry {
			return notify.Entry{
				Watch: fmt.Sprintf("반도체-%d", i%4), Feed: "yna", Source: "연합뉴스 " + korean(80, i),
				Title:     fmt.Sprintf("%03d %s", i, korean(400, i)),
				Link:      fmt.Sprintf("https://news.example/rss/articles/%d?oc=5&%s", i, strings.Repeat("x", 500)),
				Snippet:   korean(2000, i+1),
				Image:     fmt.Sprintf("https://img.example/%d.jpg", i),
				Published: t0.Add(time.Duration(i) * time.Minute),
				Terms:     []string{"반도체", "삼성전자"},
				Also:      []notify.Source{{Name: "뉴시스", Link: "https://a.example/1"}, {Name: "뉴스1"}, {Name: "한국경제"}, {Name: "매일경제"}, {Name: "조선비즈"}, {Name: "머니투데이"}},
			}
		})},
		{Header: "short", Entries: entries(130, func(i int) notify.Entry {
			return notify.Entry{Watch: "w", Title: fmt.Sprintf("%03d 짧은 제목", i), Link: fmt.Sprintf("https://a.example/%d", i), Published: t0}
		})},
		{Header: strings.Repeat("&", 400), More: 3, Entries: entries(1, func(int) notify.Entry {
			also := make([]notify.Source, 50)
			for i := range also {
				also[i] = notify.Source{Name: strings.Repeat("&", 100), Link: fmt.Sprintf("https://s.example/%d", i)}
			}
			return notify.Entry{
				Watch: strings.Repeat("w", 500), Source: strings.Repeat("&", 5000),
				Title: "000 " + strings.Repeat("<&>", 30000), Link: "https://a.example/" + strings.Repeat("&", 1980),
				Snippet: strings.Repeat("*&_", 50000), Image: "https://i.example/" + strings.Repeat("a", 1980),
				Terms: []string{"&", "*"}, Also: also, Published: t0,
			}
		})},
		{Header: "emoji", Entries: entries(40, func(i int) notify.Entry {
			return notify.Entry{
				Watch: strings.Repeat("🔥", 60) + fmt.Sprint(i), Source: strings.Repeat("&", 70),
				Title:   fmt.Sprintf("%03d ", i) + strings.Repeat("😀&", 300),
				Link:    fmt.Sprintf("https://a.example/%d?%s", i, strings.Repeat("a&b", 600)),
				Snippet: strings.Repeat("<😀>", 400), Terms: []string{"😀"}, Published: t0,
			}
		})},
		{Header: "one", Entries: entries(1, func(int) notify.Entry {
			return notify.Entry{Watch: "w", Title: "한 건", Link: "https://a.example/1", Published: t0}
		})},
	}
}

// message is a small valid alert.
func message() notify.Message {
	return notify.Message{Header: "ai-policy: 1 new", Entries: []notify.Entry{{
		ID: 1, Watch: "ai-policy", Feed: "yna", Source: "연합뉴스", Title: "정부, AI 기본법 시행령 발표",
		Link: "https://www.yna.co.kr/view/AKR1", Snippet: "정부가 AI 기본법 시행령을 발표했다",
		Published: t0, Terms: []string{"AI 기본법"},
	}}}
}

func testSplit(t *testing.T, h Harness) {
	for i, m := range splitCases() {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			parts := h.Notifier.Split(m)
			if len(parts) == 0 {
				t.Fatal("Split returned no parts")
			}
			var got []notify.Entry
			for j, p := range parts {
				got = append(got, p.Entries...)
				if j < len(parts)-1 && p.More != 0 {
					t.Errorf("part %d/%d says %d more; only the last may", j+1, len(parts), p.More)
				}
			}
			if !reflect.DeepEqual(got, m.Entries) {
				t.Fatalf("parts hold %d entries, want the %d of the message in order", len(got), len(m.Entries))
			}
			if last := parts[len(parts)-1]; last.More != m.More {
				t.Errorf("last part says %d more, want %d", last.More, m.More)
			}
			before := len(h.Requests())
			for j, p := range parts {
				if err := h.Notifier.Send(context.Background(), p); err != nil {
					t.Fatalf("Send part %d/%d: %v", j+1, len(parts), err)
				}
			}
			reqs := h.Requests()[before:]
			if len(reqs) != len(parts) {
				t.Fatalf("receiver got %d messages for %d parts", len(reqs), len(parts))
			}
			if h.CheckLimits == nil {
				return
			}
			for j, r := range reqs {
				if err := h.CheckLimits(r.Body); err != nil {
					t.Errorf("part %d/%d breaks the platform's limits: %v", j+1, len(parts), err)
				}
			}
		})
	}
}

// hostile is text that would mention, format or drive a receiver if it
// were not treated as data.
const hostile = "@everyone @here @channel <!channel> <!here> <!everyone> <@U024BE7LH> <@&123> <#C1> " +
	"**bold** __u__ ~~s~~ `code` [click](https://evil.example) <https://evil.example|click> \x1b[2J\x1b]0;x\a\r"

func testHostile(t *testing.T, h Harness) {
	m := notify.Message{Header: hostile, More: 1, Entries: []notify.Entry{{
		ID: 1, Watch: "<!here>", Feed: "@everyone", Source: hostile, Title: hostile, Link: "https://a.example/1",
		Snippet: hostile, Published: t0, Terms: []string{"@everyone", "<!channel>"}, Query: hostile,
		Also: []notify.Source{{Name: hostile, Link: "https://b.example/1"}},
	}}}
	for _, p := range h.Notifier.Split(m) {
		if err := h.Notifier.Send(context.Background(), p); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	reqs := h.Requests()
	if len(reqs) == 0 {
		t.Fatal("receiver got nothing")
	}
	for i, r := range reqs {
		if p := h.Pings(r.Body); len(p) > 0 {
			t.Errorf("message %d would ping or drive the receiver: %q", i+1, p)
		}
	}
}

// needServer skips the test when the harness has no server.
func needServer(t *testing.T, h Harness) {
	t.Helper()
	if h.Answer == nil {
		t.Skip("notifytest: receiver has no server (Harness.Answer is nil)")
	}
}

// sendFailing makes the receiver answer status and returns Send's error,
// checking that exactly one attempt reached the receiver.
func sendFailing(t *testing.T, h Harness, status int, after time.Duration) error {
	t.Helper()
	h.Answer(status, after)
	before := len(h.Requests())
	err := h.Notifier.Send(context.Background(), message())
	if err == nil {
		t.Fatalf("Send after a %d = nil, want an error", status)
	}
	if n := len(h.Requests()) - before; n != 1 {
		t.Errorf("%d attempts reached the receiver, want exactly 1 (package bot owns retries)", n)
	}
	return err
}

func testRateLimited(t *testing.T, h Harness) {
	needServer(t, h)
	const after = 2 * time.Second
	err := sendFailing(t, h, http.StatusTooManyRequests, after)
	var ne *notify.Error
	if !errors.As(err, &ne) {
		t.Fatalf("Send = %T %v, want a *notify.Error", err, err)
	}
	if !ne.Retry || ne.RetryAfter != after {
		t.Errorf("429: retry %v after %v, want retry after %v", ne.Retry, ne.RetryAfter, after)
	}
	if h.Waited == nil {
		return
	}
	start := h.Waited()
	if err := h.Notifier.Send(context.Background(), message()); err != nil {
		t.Fatalf("Send after the delay: %v", err)
	}
	if w := h.Waited() - start; w < after {
		t.Errorf("the next send waited %v, want at least the %v asked for", w, after)
	}
}

func testServerError(t *testing.T, h Harness) {
	needServer(t, h)
	for _, status := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			err := sendFailing(t, h, status, 0)
			if retry, _ := notify.Retryable(err); !retry {
				t.Errorf("%d: %v is not retryable", status, err)
			}
		})
	}
}

func testClientError(t *testing.T, h Harness) {
	needServer(t, h)
	for _, status := range []int{http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			err := sendFailing(t, h, status, 0)
			var ne *notify.Error
			if !errors.As(err, &ne) || ne.Retry {
				t.Errorf("%d: %#v, want a not-retryable *notify.Error", status, err)
			}
			if !strings.Contains(err.Error(), strconv.Itoa(status)) {
				t.Errorf("%d: error %q does not report the status", status, err)
			}
		})
	}
}

func testDown(t *testing.T, h Harness) {
	if h.Down == nil {
		t.Skip("notifytest: receiver cannot be taken down (Harness.Down is nil)")
	}
	h.Down()
	err := h.Notifier.Send(context.Background(), message())
	if retry, _ := notify.Retryable(err); err == nil || !retry {
		t.Errorf("Send to an unreachable receiver = %v, want a retryable error", err)
	}
	if err != nil {
		assertNoSecret(t, h, err.Error())
	}
}

func testNoSecret(t *testing.T, h Harness) {
	needServer(t, h)
	if len(h.Secrets) == 0 {
		t.Skip("notifytest: receiver has no secrets")
	}
	for _, status := range []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadRequest, http.StatusUnauthorized} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			h.Answer(status, time.Second)
			err := h.Notifier.Send(context.Background(), message())
			if err == nil {
				t.Fatalf("Send after a %d = nil", status)
			}
			assertNoSecret(t, h, err.Error())
			assertNoSecret(t, h, fmt.Sprintf("%+v %#v", err, errors.Unwrap(err)))
		})
	}
}

func assertNoSecret(t *testing.T, h Harness, text string) {
	t.Helper()
	for _, s := range h.Secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("error text carries the secret %q: %s", s, text)
		}
	}
}

func testIdempotency(t *testing.T, h Harness) {
	if h.IdempotencyHeader == "" {
		t.Skip("notifytest: the platform has no idempotency key (Harness.IdempotencyHeader is empty)")
	}
	needServer(t, h)
	m := message()
	_ = sendFailing(t, h, http.StatusInternalServerError, 0)
	if err := h.Notifier.Send(context.Background(), m); err != nil {
		t.Fatalf("retry: %v", err)
	}
	other := message()
	other.Entries[0].ID, other.Entries[0].Link = 2, "https://www.yna.co.kr/view/AKR2"
	if err := h.Notifier.Send(context.Background(), other); err != nil {
		t.Fatalf("Send: %v", err)
	}
	reqs := h.Requests()
	reqs = reqs[len(reqs)-3:]
	k1, k2, k3 := reqs[0].Header.Get(h.IdempotencyHeader), reqs[1].Header.Get(h.IdempotencyHeader), reqs[2].Header.Get(h.IdempotencyHeader)
	if k1 == "" || k1 != k2 {
		t.Errorf("%s %q then %q across a retry, want one stable non-empty key", h.IdempotencyHeader, k1, k2)
	}
	if k3 == k1 {
		t.Errorf("another message reused the key %q", k3)
	}
}

// testReport sends a long report (text of hostile lines, no chart): every
// line is in one part, in order; every part is within the platform's
// limits and pings no one.
func testReport(t *testing.T, h Harness) {
	var text strings.Builder
	const lines = 600 // some 130,000 characters: every platform splits it
	for i := range lines {
		fmt.Fprintf(&text, "■ %03d %s %s\n", i, korean(60, i), hostile)
	}
	m := notify.Message{Kind: notify.KindReport, Header: "Report 11/23 (월) – 11/29 (일): 2 watches", Text: text.String(), Location: time.UTC}
	parts := h.Notifier.Split(m)
	if len(parts) == 0 || len(parts) < 2 && h.CheckLimits != nil {
		t.Fatalf("a report of %d characters in %d part(s), on a receiver with limits", text.Len(), len(parts))
	}
	var got []string
	for _, p := range parts {
		if p.Kind != notify.KindReport {
			t.Errorf("a part of kind %q", p.Kind)
		}
		got = append(got, strings.Split(strings.TrimRight(p.Text, "\n"), "\n")...)
	}
	if len(got) != lines || !strings.HasPrefix(got[0], "■ 000 ") || !strings.HasPrefix(got[lines-1], fmt.Sprintf("■ %03d ", lines-1)) {
		t.Fatalf("parts hold %d lines, want the %d of the report in order", len(got), lines)
	}
	sendAll(t, h, parts)
}

// testSurge sends a surge alert: its top stories as entries under the
// surge's headline.
func testSurge(t *testing.T, h Harness) {
	m := message()
	m.Kind, m.Header = notify.KindSurge, "🔺 트럼프: 18 stories from 9 outlets in the last hour, 6× normal "+hostile
	m.Entries = append(m.Entries, m.Entries[0], m.Entries[0])
	parts := h.Notifier.Split(m)
	if len(parts) != 1 || parts[0].Kind != notify.KindSurge || len(parts[0].Entries) != 3 {
		t.Fatalf("a surge alert of 3 stories split into %d parts", len(parts))
	}
	sendAll(t, h, parts)
}

// sendAll sends parts and checks what the receiver got: one message per
// part, within the platform's limits, pinging no one.
func sendAll(t *testing.T, h Harness, parts []notify.Message) {
	t.Helper()
	before := len(h.Requests())
	for j, p := range parts {
		if err := h.Notifier.Send(context.Background(), p); err != nil {
			t.Fatalf("Send part %d/%d: %v", j+1, len(parts), err)
		}
	}
	reqs := h.Requests()[before:]
	if len(reqs) != len(parts) {
		t.Fatalf("receiver got %d messages for %d parts", len(reqs), len(parts))
	}
	for j, r := range reqs {
		if h.CheckLimits != nil {
			if err := h.CheckLimits(r.Body); err != nil {
				t.Errorf("part %d/%d breaks the platform's limits: %v", j+1, len(parts), err)
			}
		}
		if p := h.Pings(r.Body); len(p) > 0 {
			t.Errorf("part %d/%d would ping or drive the receiver: %q", j+1, len(parts), p)
		}
	}
}
