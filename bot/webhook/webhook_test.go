package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/bot/notify/notifytest"
	"github.com/newshound/newshound/config"
)

const (
	secret     = "whsec-conformance-9f8e7d"
	secretPath = "/hooks/tok-4b3c2a1d"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func newTestNotifier(t *testing.T, srvURL string, clk *fakeClock) *Notifier {
	t.Helper()
	n, err := New("ops", Config{URL: srvURL + secretPath, Secret: secret}, Options{
		Logger: slog.New(slog.DiscardHandler), Now: clk.Now, Version: "1.2.3",
		Pacer: &notify.Pacer{Burst: 1, Window: time.Second, Now: clk.Now, Sleep: clk.Sleep},
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkLimits checks one received body against the declared limits.
func checkLimits(body []byte) error {
	if len(body) > MaxBody {
		return fmt.Errorf("body of %d bytes", len(body))
	}
	var b Body
	if err := json.Unmarshal(body, &b); err != nil {
		return fmt.Errorf("undecodable body: %w", err)
	}
	if len(b.Stories) > MaxStories {
		return fmt.Errorf("%d stories", len(b.Stories))
	}
	return nil
}

// pings lists the control characters in the decoded strings of a body:
// what would drive a terminal or log viewer that shows them. The body is
// typed data; mentions are for the consumer to escape (docs/webhook.md).
func pings(body []byte) []string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []string{"undecodable body: " + err.Error()}
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			for _, r := range v {
				if unicode.IsControl(r) && r != '\n' && r != '\t' {
					out = append(out, fmt.Sprintf("%U", r))
				}
			}
		case map[string]any:
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return out
}

func TestConformance(t *testing.T) {
	t.Parallel()
	notifytest.Run(t, func(t *testing.T) notifytest.Harness {
		srv := notifytest.NewServer(t, nil)
		clk := &fakeClock{t: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
		start := clk.Now()
		return notifytest.Harness{
			Notifier: newTestNotifier(t, srv.URL, clk), Requests: srv.Requests, CheckLimits: checkLimits, Pings: pings,
			Answer: srv.Answer, Down: srv.Close, Secrets: []string{secret, srv.URL + secretPath, "tok-4b3c2a1d"},
			Waited:            func() time.Duration { return clk.Now().Sub(start) },
			IdempotencyHeader: HeaderIdempotency,
		}
	})
}

// verify checks a request as a receiver would: recompute the HMAC from
// the received timestamp and body, compare in constant time, and reject
// a timestamp more than 5 minutes from now.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	ts := h.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("bad timestamp %q", ts)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("timestamp %s off by %s", ts, d)
	}
	got, ok := strings.CutPrefix(h.Get(HeaderSignature), "sha256=")
	if !ok {
		return fmt.Errorf("no sha256= signature")
	}
	sig, err := hex.DecodeString(got)
	if err != nil {
		return fmt.Errorf("signature not hex: %w", err)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return fmt.Errorf("signature mismatch")
	}
	return nil
}

func alert(id int64, link string) notify.Message {
	return notify.Message{Channel: "ops", Header: "ai-policy: 1 new", More: 2, Entries: []notify.Entry{{
		ID: id, Watch: "ai-policy", Feed: "yna", Source: "연합뉴스", Title: "정부, AI 기본법 <시행령> & 발표",
		Link: link, Snippet: "정부가 AI 기본법 시행령을 발표했다", Published: time.Date(2026, 3, 2, 9, 30, 0, 0, time.FixedZone("KST", 9*3600)),
		Terms: []string{"AI 기본법"}, Query: `"AI 기본법"`, Urgent: true,
		Also: []notify.Source{{Name: "뉴시스", Link: "https://newsis.example/1"}},
	}}}
}

func TestSignatureVerifies(t *testing.T) {
	t.Parallel()
	srv := notifytest.NewServer(t, nil)
	clk := &fakeClock{t: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
	n := newTestNotifier(t, srv.URL, clk)
	if err := n.Send(context.Background(), alert(1, "https://a.example/1")); err != nil {
		t.Fatal(err)
	}
	r := srv.Requests()[0]
	for _, tc := range []struct {
		name    string
		secret  string
		body    []byte
		now     time.Time
		wantErr bool
	}{
		{"as sent", secret, r.Body, clk.Now().Add(time.Minute), false},
		{"wrong secret", "other", r.Body, clk.Now(), true},
		{"body changed", secret, append([]byte(" "), r.Body...), clk.Now(), true},
		{"replayed after 6 minutes", secret, r.Body, clk.Now().Add(6 * time.Minute), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := verify(tc.secret, r.Header, tc.body, tc.now); (err != nil) != tc.wantErr {
				t.Errorf("verify = %v, want error %v", err, tc.wantErr)
			}
		})
	}
	for k, want := range map[string]string{
		"Content-Type": "application/json", "User-Agent": "newshound/1.2.3",
		HeaderTimestamp: strconv.FormatInt(clk.Now().Unix(), 10),
	} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestNoSecretNoSignature(t *testing.T) {
	t.Parallel()
	srv := notifytest.NewServer(t, nil)
	n, err := New("ops", Config{URL: srv.URL}, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(context.Background(), alert(1, "https://a.example/1")); err != nil {
		t.Fatal(err)
	}
	r := srv.Requests()[0]
	if s := r.Header.Get(HeaderSignature); s != "" {
		t.Errorf("unsigned channel sent %s %q", HeaderSignature, s)
	}
	if r.Header.Get(HeaderIdempotency) == "" || r.Header.Get(HeaderTimestamp) == "" {
		t.Errorf("headers %v lack the idempotency key or timestamp", r.Header)
	}
}

func TestIdempotencyKeyAcrossRetriesAndParts(t *testing.T) {
	t.Parallel()
	srv := notifytest.NewServer(t, nil)
	clk := &fakeClock{t: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
	n := newTestNotifier(t, srv.URL, clk)
	m := notify.Message{Channel: "ops", Header: "digest"}
	for i := range 120 {
		e := alert(int64(i+1), fmt.Sprintf("https://a.example/%d", i)).Entries[0]
		m.Entries = append(m.Entries, e)
	}
	parts := n.Split(m)
	if len(parts) != 3 {
		t.Fatalf("120 stories in %d parts, want 3 of at most %d", len(parts), MaxStories)
	}
	srv.Answer(http.StatusInternalServerError, 0)
	if err := n.Send(context.Background(), parts[0]); err == nil {
		t.Fatal("send after a 500 = nil")
	}
	clk.Sleep(context.Background(), 3*time.Second)
	for i, p := range parts {
		if err := n.Send(context.Background(), p); err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
	}
	reqs := srv.Requests()
	key := func(i int) string { return reqs[i].Header.Get(HeaderIdempotency) }
	if key(0) == "" || key(0) != key(1) {
		t.Errorf("retry of part 1 carried key %q then %q, want the same", key(0), key(1))
	}
	if reqs[0].Header.Get(HeaderTimestamp) == reqs[1].Header.Get(HeaderTimestamp) {
		t.Errorf("the retry reused the timestamp; each attempt is signed afresh")
	}
	if key(1) == key(2) || key(2) == key(3) || key(1) == key(3) {
		t.Errorf("parts carried keys %q %q %q, want different ones", key(1), key(2), key(3))
	}
	other, err := New("other", Config{URL: srv.URL, Secret: secret}, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Send(context.Background(), parts[0]); err != nil {
		t.Fatal(err)
	}
	if k := srv.Requests()[4].Header.Get(HeaderIdempotency); k == key(1) {
		t.Errorf("another channel reused key %q for the same rows", k)
	}
}

func TestBodyShape(t *testing.T) {
	t.Parallel()
	srv := notifytest.NewServer(t, nil)
	clk := &fakeClock{t: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
	n := newTestNotifier(t, srv.URL, clk)
	one := alert(7, "https://www.yna.co.kr/view/AKR1")
	two := alert(8, "https://www.yna.co.kr/view/AKR2")
	two.Entries = append(two.Entries, one.Entries[0])
	two.Entries[1].Undated, two.Entries[1].Urgent = true, false
	for _, m := range []notify.Message{one, two} {
		if err := n.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	var bodies []Body
	for _, r := range srv.Requests() {
		dec := json.NewDecoder(strings.NewReader(string(r.Body)))
		dec.DisallowUnknownFields()
		var b Body
		if err := dec.Decode(&b); err != nil {
			t.Fatalf("body %s: %v", r.Body, err)
		}
		bodies = append(bodies, b)
	}
	a, d := bodies[0], bodies[1]
	if a.Version != 1 || a.Kind != "alert" || a.Channel != "ops" || a.Header != "ai-policy: 1 new" || a.More != 2 || a.SentAt != "2026-03-02T01:00:00Z" {
		t.Errorf("alert envelope = %+v", a)
	}
	s := a.Stories[0]
	want := Story{
		Watch: "ai-policy", Title: "정부, AI 기본법 <시행령> & 발표", Link: "https://www.yna.co.kr/view/AKR1", Source: "연합뉴스",
		Published: "2026-03-02T00:30:00Z", MatchedTerms: []string{"AI 기본법"}, Query: `"AI 기본법"`,
		Snippet: "정부가 AI 기본법 시행령을 발표했다", Urgent: true, Also: []Also{{Name: "뉴시스", Link: "https://newsis.example/1"}},
		ClusterID: s.ClusterID,
	}
	if fmt.Sprint(s) != fmt.Sprint(want) {
		t.Errorf("story = %+v\nwant    %+v", s, want)
	}
	if len(s.ClusterID) != 16 {
		t.Errorf("cluster_id %q, want 16 hex digits", s.ClusterID)
	}
	if d.Kind != "digest" || len(d.Stories) != 2 || !d.Stories[1].Undated || d.Stories[1].Urgent {
		t.Errorf("digest = %+v", d)
	}
	if d.Stories[1].ClusterID != s.ClusterID || d.Stories[0].ClusterID == s.ClusterID {
		t.Errorf("cluster_id not stable per link: %q %q %q", s.ClusterID, d.Stories[1].ClusterID, d.Stories[0].ClusterID)
	}
	if !strings.Contains(string(srv.Requests()[0].Body), "<시행령> & 발표") {
		t.Errorf("body HTML-escapes text: %s", srv.Requests()[0].Body)
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, block, want string
	}{
		{"url and secret", `{url: "https://hooks.example/x", secret: s3cr3t}`, ""},
		{"url only", `{url: "http://127.0.0.1:9/x"}`, ""},
		{"no url", `{secret: s}`, "w.yaml:2:"},
		{"not http", `{url: "ftp://hooks.example/x"}`, "w.yaml:2:"},
		{"empty secret", `{url: "https://hooks.example/x", secret: ""}`, "w.yaml:2:"},
		{"unknown key", `{url: "https://hooks.example/x", token: t}`, "w.yaml:2:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "feeds: []\nchannels: {ops: {webhook: " + tc.block + "}}\nwatches: []\n"
			c, err := config.Parse("w.yaml", []byte(src), func(string) (string, bool) { return "", false })
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if len(c.Channels) != 1 || c.Channels["ops"].Kind != Kind {
					t.Fatalf("channels = %+v, want one webhook", c.Channels)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse = %v, want an error at %s", err, tc.want)
			}
		})
	}
}

func TestSurgeAndReportKinds(t *testing.T) {
	t.Parallel()
	srv := notifytest.NewServer(t, nil)
	clk := &fakeClock{t: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
	n := newTestNotifier(t, srv.URL, clk)
	surge := alert(7, "https://www.yna.co.kr/view/AKR1")
	surge.Kind, surge.Header = notify.KindSurge, "🔺 트럼프: 18 stories from 9 outlets in the last hour, 6× normal"
	report := notify.Message{Kind: notify.KindReport, Header: "Report 11/23 (월): 1 watch", Text: "■ 트럼프: 3 matches\n\x1b[31m  per day: 11/23 (월) 3\n",
		Image: &notify.Image{Name: "report.png", Data: []byte("png")}}
	for _, m := range []notify.Message{surge, report} {
		if err := n.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	var bodies []Body
	for _, r := range srv.Requests() {
		var b Body
		if err := json.Unmarshal(r.Body, &b); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	if s := bodies[0]; s.Kind != "surge" || s.Header != surge.Header || len(s.Stories) != 1 || s.Text != "" {
		t.Errorf("surge body = %+v", s)
	}
	if r := bodies[1]; r.Kind != "report" || r.Text != "■ 트럼프: 3 matches\n[31m  per day: 11/23 (월) 3\n" || len(r.Stories) != 0 {
		t.Errorf("report body = %+v (control characters must be dropped, lines kept)", r)
	}
}
