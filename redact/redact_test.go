package redact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Secrets shaped like the real ones (none is a real credential).
const (
	slackBot     = "xoxb-1111111111-2222222222-AbCdEfGhIjKlMnOpQrStUvWx"
	slackApp     = "xapp-1-A0123456789-1234567890123-0123456789abcdef"
	slackSigning = "8f742231b10e8888abcd99yyyzzz85a5"
	discordBot   = "MTA5ODc2NTQzMjEwOTg3NjU0Mw.GaBcDe.0123456789abcdefghijklmnopqrstuvwxyzAB"
	slackHook    = "https://hooks.slack.com/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX"
	discordHook  = "https://discord.com/api/webhooks/123456789012345678/wHoOkToKeN-abcdefghijklmnopqrstuvwxyz_0123456789"
	databaseURL  = "postgres://newshound:pg-Passw0rd!@db.internal:5432/newshound?sslmode=require"
)

func TestKnownSecrets(t *testing.T) {
	t.Parallel()
	r := New(slackBot, slackApp, slackSigning, discordBot, databaseURL, "custom-value-from-env")
	r.AddURL(slackHook, discordHook)
	for _, tc := range []struct {
		name, secret string
	}{
		{"slack bot token", slackBot},
		{"slack app token", slackApp},
		{"signing secret", slackSigning},
		{"discord bot token", discordBot},
		{"database URL", databaseURL},
		{"database password", "pg-Passw0rd!"},
		{"env value", "custom-value-from-env"},
		{"slack webhook", slackHook},
		{"slack webhook path", "/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX"},
		{"slack webhook token", "XXXXXXXXXXXXXXXXXXXXXXXX"},
		{"discord webhook", discordHook},
		{"discord webhook token", "wHoOkToKeN-abcdefghijklmnopqrstuvwxyz_0123456789"},
	} {
		for _, form := range []struct {
			name string
			enc  func(string) string
		}{
			{"plain", func(s string) string { return s }},
			{"query-escaped", url.QueryEscape},
			{"path-escaped", url.PathEscape},
			{"json", func(s string) string { b, _ := json.Marshal(s); return string(b) }},
			{"quoted", func(s string) string { return fmt.Sprintf("%q", s) }},
		} {
			t.Run(tc.name+"/"+form.name, func(t *testing.T) {
				enc := form.enc(tc.secret)
				in := "before " + enc + " after 한글"
				got := r.String(in)
				if strings.Contains(got, tc.secret) || strings.Contains(got, enc) {
					t.Errorf("String(%q) = %q: secret kept", in, got)
				}
				if !strings.HasPrefix(got, "before ") || !strings.HasSuffix(got, " after 한글") {
					t.Errorf("String(%q) = %q: surrounding text changed", in, got)
				}
			})
		}
	}
}

func TestPatterns(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want string
	}{
		{"slack bot token", "auth failed for xoxb-123-456-abcDEF", "auth failed for xoxb-" + Mark},
		{"slack user token", "token=xoxp-1-2-3-abcdef", "token=xoxp-" + Mark},
		{"slack refresh token", "xoxe.xoxp-1-abcdefgh", "xoxe.xoxp-" + Mark},
		{"slack app token", `"xapp-1-A1-2-abc"`, `"xapp-` + Mark + `"`},
		{"slack webhook", "post https://hooks.slack.com/services/T1/B2/abc: 404", "post https://hooks.slack.com/services/" + Mark + ": 404"},
		{"slack response_url escaped", "u=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F2%2Fabc&x=1", "u=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F" + Mark + "&x=1"},
		{"discord webhook any host", `Post "http://127.0.0.1:9/api/webhooks/1/secret-token?wait=true": EOF`, `Post "http://127.0.0.1:9/api/webhooks/1/` + Mark + `?wait=true": EOF`},
		{"discord follow-up", "PATCH https://discord.com/api/v9/webhooks/77/aW50ZXJhY3Rpb24.token/messages/@original", "PATCH https://discord.com/api/v9/webhooks/77/" + Mark + "/messages/@original"},
		{"discord callback", "POST https://discord.com/api/v9/interactions/9/itoken-SECRET/callback", "POST https://discord.com/api/v9/interactions/9/" + Mark + "/callback"},
		{"discord bot token", "Authorization: Bot " + discordBot, "Authorization: Bot " + Mark},
		{"bare discord token", "tok " + discordBot + " end", "tok " + Mark + " end"},
		{"bearer", "Authorization: Bearer abcdefghijklmnopqrstuvwxyz", "Authorization: Bearer " + Mark},
		{"url password", "dial postgres://app:hunter2@db:5432/x failed", "dial postgres://" + Mark + "@db:5432/x failed"},
		{"short url password", "https://u:pw@feed.example/rss", "https://" + Mark + "@feed.example/rss"},
		{"password with at", "https://u:p@ss@feed.example/rss", "https://" + Mark + "@feed.example/rss"},
		{"escaped url password", "next=https%3A%2F%2Fu%3Apw%40feed.example%2Frss", "next=https%3A%2F%2F" + Mark + "%40feed.example%2Frss"},
		{"token as user name", "https://ghp_abcdefghijklmnop1234@git.example/x", "https://" + Mark + "@git.example/x"},
		{"dsn password", "host=db user=app password=s3cr3t dbname=x", "host=db user=app password=" + Mark + " dbname=x"},
		{"query token", "https://feed.example/rss?q=ai&access_token=abc123&x=1", "https://feed.example/rss?q=ai&access_token=" + Mark + "&x=1"},
		{"query key", "https://api.example/v1?key=AIzaSyA", "https://api.example/v1?key=" + Mark},
		// Text that must stay as it is.
		{"plain url", "https://www.yna.co.kr/rss/industry.xml?q=반도체", "https://www.yna.co.kr/rss/industry.xml?q=반도체"},
		{"short user name", "postgres://newshound@db/x", "postgres://newshound@db/x"},
		{"already redacted", "https://redacted@h.example/x?token=redacted", "https://redacted@h.example/x?token=" + Mark},
		{"email", "mail kim@example.com: ok", "mail kim@example.com: ok"},
		{"docs placeholder", "export SLACK_BOT_TOKEN=xoxb-…", "export SLACK_BOT_TOKEN=xoxb-…"},
		{"korean", "오픈소스 재단, 서울에 아시아 본부 (AI 국가안보각서)", "오픈소스 재단, 서울에 아시아 본부 (AI 국가안보각서)"},
		{"version", "newshound 0.1.0-dev go1.26.8", "newshound 0.1.0-dev go1.26.8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r *Redactor // patterns only
			if got := r.String(tc.in); got != tc.want {
				t.Errorf("String(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestShortValuesAreNotLiterals(t *testing.T) {
	t.Parallel()
	r := New("abc", "12345", "")
	in := "abc 12345 abcdef"
	if got := r.String(in); got != in {
		t.Errorf("short secrets garbled text: %q", got)
	}
	if got := r.String("https://u:abc@h.example/"); strings.Contains(got, "abc") {
		t.Errorf("short password in a URL kept: %q", got)
	}
}

func TestOverlappingSecrets(t *testing.T) {
	t.Parallel()
	r := New("abcdefgh", "ghijklmn")
	got := r.String("x abcdefghijklmn y")
	if got != "x "+Mark+" y" {
		t.Errorf("overlap = %q, want one mark", got)
	}
}

func TestWithAndAdd(t *testing.T) {
	t.Parallel()
	base := New("base-secret")
	req := base.With("request-token")
	if got := req.String("base-secret request-token"); got != Mark+" "+Mark {
		t.Errorf("With = %q", got)
	}
	if got := base.String("request-token"); got != "request-token" {
		t.Errorf("With changed the parent: %q", got)
	}
	base.Add("later-secret")
	if got := base.String("later-secret"); got != Mark {
		t.Errorf("Add = %q", got)
	}
	var nilR *Redactor
	nilR.Add("ignored") // must not panic
	if got := nilR.With("only-this").String("only-this"); got != Mark {
		t.Errorf("nil.With = %q", got)
	}
}

func TestConcurrentAdd(t *testing.T) {
	t.Parallel()
	r := New()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				v := fmt.Sprintf("secret-%d-%d", i, j)
				r.Add(v)
				if got := r.String(v); got != Mark {
					t.Errorf("String(%q) right after Add = %q", v, got)
					return
				}
			}
		})
	}
	wg.Wait()
	for i := range 8 {
		for j := range 50 {
			if v := fmt.Sprintf("secret-%d-%d", i, j); r.String(v) != Mark {
				t.Fatalf("%s lost", v)
			}
		}
	}
}

func TestError(t *testing.T) {
	t.Parallel()
	base := fmt.Errorf("post %s: %w", slackHook, fs.ErrNotExist)
	err := New().Error(base)
	if strings.Contains(err.Error(), "XXXXXXXX") {
		t.Errorf("Error kept the secret: %v", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("redacted error no longer matches its cause")
	}
	var pe *url.Error
	if errors.As(err, &pe) || errors.Unwrap(err) != nil {
		t.Error("the unredacted error is reachable")
	}
	if New().Error(nil) != nil {
		t.Error("Error(nil) != nil")
	}
	clean := &url.Error{Op: "Get", URL: "https://feed.example/rss", Err: fs.ErrNotExist}
	if got := New("other-secret").Error(clean); got != error(clean) {
		t.Errorf("an error with nothing to redact was replaced: %v", got)
	}
}

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

type holder struct{ URL string }

func TestHandler(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			var next slog.Handler = slog.NewTextHandler(&buf, nil)
			if format == "json" {
				next = slog.NewJSONHandler(&buf, nil)
			}
			r := New(slackSigning)
			log := slog.New(Handler(next, r)).With("token", slackBot)
			log = log.WithGroup("req")
			log.Info("got "+slackSigning,
				"error", errors.New("bad "+slackSigning),
				"url", "https://u:hunter2@feed.example/rss",
				slog.Group("inner", "hook", discordHook, "n", 3),
				"stringer", stringer{"s=" + slackSigning},
				"struct", holder{URL: slackHook},
				"bytes", []byte(slackSigning),
				"plain", holder{URL: "https://ok.example/"},
			)
			r.Add("added-after-build")
			log.Warn("late", "v", "added-after-build")
			out := buf.String()
			for _, s := range []string{slackSigning, "1111111111-2222222222", "hunter2", "wHoOkToKeN", "XXXXXXXXXXXX", "added-after-build"} {
				if strings.Contains(out, s) {
					t.Errorf("log output holds %q:\n%s", s, out)
				}
			}
			for _, s := range []string{"feed.example", "https://ok.example/", "inner", "/api/webhooks/123456789012345678/", "late"} {
				if !strings.Contains(out, s) {
					t.Errorf("non-secret text %q lost:\n%s", s, out)
				}
			}
		})
	}
}

func TestHandlerKeepsNativeValues(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(Handler(slog.NewJSONHandler(&buf, nil), New("some-secret")))
	log.Info("m", "list", []string{"a", "b"}, "n", 7)
	var got struct {
		List []string `json:"list"`
		N    int      `json:"n"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil || len(got.List) != 2 || got.N != 7 {
		t.Errorf("values changed: %s (%v)", buf.String(), err)
	}
}

func TestHandlerEnabled(t *testing.T) {
	t.Parallel()
	h := Handler(slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelWarn}), nil)
	if h.Enabled(context.Background(), slog.LevelInfo) || !h.Enabled(context.Background(), slog.LevelError) {
		t.Error("Enabled does not follow the wrapped handler")
	}
}

func TestWriter(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w := Writer(&buf, New(slackSigning))
	n, err := fmt.Fprintf(w, "config: %s\n", slackSigning)
	if err != nil || n != len("config: ")+len(slackSigning)+1 {
		t.Errorf("Write = %d, %v", n, err)
	}
	if got := buf.String(); got != "config: "+Mark+"\n" {
		t.Errorf("written %q", got)
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"https://u:p@h.example/x?api_key=1&q=2&access_token=3", "https://redacted@h.example/x?access_token=redacted&api_key=redacted&q=2"},
		{"https://h.example/rss?q=%EB%B0%98", "https://h.example/rss?q=%EB%B0%98"},
		{"%zz", "<invalid URL>"},
	} {
		if got := URL(tc.in); got != tc.want {
			t.Errorf("URL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestOrigin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{slackHook, "https://hooks.slack.com/" + Mark},
		{"https://u:p@h.example:8443/x", "https://h.example:8443/" + Mark},
		{"not a url", Mark},
	} {
		if got := Origin(tc.in); got != tc.want {
			t.Errorf("Origin(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzString checks that a known secret placed anywhere in arbitrary text
// never survives, and that String never panics.
func FuzzString(f *testing.F) {
	f.Add("before ", " after", 0)
	f.Add("https://u:", "@h/", 1)
	f.Add("%3A%2F%2F", "%40", 2)
	f.Add("xoxb", "://", 3)
	secrets := []string{slackBot, slackSigning, discordHook, "pg-Passw0rd!"}
	r := New(slackBot, slackSigning, databaseURL)
	r.AddURL(discordHook)
	f.Fuzz(func(t *testing.T, prefix, suffix string, which int) {
		sec := secrets[uint(which)%uint(len(secrets))]
		in := prefix + sec + suffix
		got := r.String(in)
		if strings.Contains(got, sec) {
			t.Fatalf("String(%q) = %q keeps %q", in, got, sec)
		}
		_ = r.String(prefix)
	})
}
