package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/newshound/newshound/chart"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

// reportFixture is a watchlist whose state holds matches: two runs of the
// real CLI against a local feed (the first records what is there, the
// second matches three new stories from two outlets).
type reportFixture struct {
	dir, cfg, state string
	lookup          func(string) (string, bool)
}

func newReportFixture(t *testing.T, channels string, lookup func(string) (string, bool)) *reportFixture {
	return newReportFixtureWith(t, channels, "", lookup)
}

// newReportFixtureWith is newReportFixture with extra top-level keys.
func newReportFixtureWith(t *testing.T, channels, extra string, lookup func(string) (string, bool)) *reportFixture {
	t.Helper()
	fs := newFeedServer(t)
	fs.titles["/yna.xml"], fs.titles["/hani.xml"] = "연합뉴스", "한겨레"
	fs.set("/yna.xml")
	fs.set("/hani.xml")
	dir := t.TempDir()
	f := &reportFixture{dir: dir, cfg: filepath.Join(dir, "w.yaml"), state: filepath.Join(dir, "s.db"), lookup: lookup}
	writeFile(t, f.cfg, fmt.Sprintf(`
feeds:
  - {name: yna, url: %q}
  - {name: hani, url: %q}
channels:
%s
watches:
  - {name: 트럼프-정책, keywords: [트럼프], channels: [out]}
  - {name: chips, keywords: [반도체], channels: [out]}
%s
`, fs.url("/yna.xml"), fs.url("/hani.xml"), channels, extra))
	f.run(t, 0, "run", "--once")
	fs.set("/yna.xml", recentItem(1, "트럼프, 한국산 반도체에 관세 25% 부과 발표"), recentItem(2, "트럼프 대통령 방한 일정 확정"))
	fs.set("/hani.xml", recentItem(3, "트럼프, 한국산 반도체에 관세 25% 부과 발표 - 한겨레"), recentItem(4, "HBM 반도체 수출 사상 최대"))
	f.run(t, 0, "run", "--once")
	return f
}

// run runs one CLI command with the fixture's config and state and wants
// exit code want.
func (f *reportFixture) run(t *testing.T, want int, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	lookup := f.lookup
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	args = append(args, "--config", f.cfg, "--state", f.state)
	code := Main(context.Background(), args, env{tick: testTick, stdin: strings.NewReader(""), stdout: &out, stderr: &errb, lookup: lookup})
	if code != want {
		t.Fatalf("newshound %s: exit %d, want %d\n%s\n%s", strings.Join(args, " "), code, want, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// TestReportCommand prints the report, writes its chart and its JSON.
func TestReportCommand(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t, "  out: {console: {}}", nil)
	pngPath := filepath.Join(f.dir, "out.png")
	out, _ := f.run(t, 0, "report", "--png", pngPath)
	// Feeds are polled concurrently, so which outlet's copy of the shared
	// story came first varies: the checks do not depend on it.
	for _, want := range []string{
		"Report ", ": 2 watches",
		"■ 트럼프-정책: 3 matches, 2 stories (new vs the 7 days before: 0 matches)",
		"1. 트럼프, 한국산 반도체에 관세 25% 부과 발표", "(2 outlets: ",
		"■ chips: 3 matches, 2 stories",
		"busiest outlets: 연합뉴스 2 · 한겨레 1", "busiest outlets: 한겨레 2 · 연합뉴스 1",
		"Chart written to " + pngPath,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	data, err := os.ReadFile(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("--png wrote no PNG: %v", err)
	}
	if got := img.Bounds().Size(); got != image.Pt(chart.Width, chart.Height) {
		t.Errorf("chart size %v", got)
	}

	js, _ := f.run(t, 0, "report", "--json", "--watch", "chips", "--since", "2w")
	var r struct {
		Days    []struct{ Date string }
		Watches []struct {
			Name    string
			Matches int
			PerDay  []int `json:"per_day"`
		}
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("--json: %v\n%s", err, js)
	}
	if len(r.Days) != 14 || len(r.Watches) != 1 || r.Watches[0].Name != "chips" || r.Watches[0].Matches != 3 || r.Watches[0].PerDay[13] != 3 {
		t.Errorf("--json --watch chips --since 2w = %+v", r)
	}

	_, errOut := f.run(t, 2, "report", "--watch", "chip")
	if !strings.Contains(errOut, `did you mean "chips"?`) {
		t.Errorf("unknown watch: %s", errOut)
	}
	_, errOut = f.run(t, 2, "report", "--since", "1y")
	if !strings.Contains(errOut, "invalid --since") {
		t.Errorf("bad --since: %s", errOut)
	}
	_, errOut = f.run(t, 2, "report", "--send", "ot")
	if !strings.Contains(errOut, `did you mean "out"?`) {
		t.Errorf("unknown channel: %s", errOut)
	}
}

// TestReportSendDiscordWebhook sends the report to a Discord webhook: one
// multipart message whose payload_json matches Discord's OpenAPI spec and
// whose files[0] is the PNG chart, shown as the embed's image.
func TestReportSendDiscordWebhook(t *testing.T) {
	t.Parallel()
	type post struct {
		payload []byte
		file    []byte
		name    string
	}
	var (
		mu    sync.Mutex
		posts []post
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		var p post
		switch {
		case err == nil && mt == "application/json": // an alert
			p.payload, _ = io.ReadAll(r.Body)
			mu.Lock()
			posts = append(posts, p)
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"id":"1","channel_id":"2"}`)
			return
		case err != nil || mt != "multipart/form-data":
			t.Errorf("discord webhook got %q, want JSON or multipart/form-data", r.Header.Get("Content-Type"))
			http.Error(w, "bad", 400)
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("multipart: %v", err)
				break
			}
			b, _ := io.ReadAll(part)
			switch part.FormName() {
			case "payload_json":
				p.payload = b
			case "files[0]":
				p.file, p.name = b, part.FileName()
			default:
				t.Errorf("unexpected part %q", part.FormName())
			}
		}
		mu.Lock()
		posts = append(posts, p)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"1","channel_id":"2"}`)
	}))
	t.Cleanup(srv.Close)
	f := newReportFixture(t, `  out: {discord: {webhook_url: "${DISCORD_HOOK}"}}`, func(k string) (string, bool) {
		if k == "DISCORD_HOOK" {
			return srv.URL + "/api/webhooks/1/secret-token", true
		}
		return "", false
	})
	mu.Lock()
	alerts := len(posts)
	mu.Unlock()
	out, _ := f.run(t, 0, "report", "--send", "out")
	if !strings.Contains(out, "Report sent to out") {
		t.Errorf("stdout = %q", out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posts) != alerts+1 {
		t.Fatalf("discord got %d messages after the report, want 1 more than the %d alerts", len(posts), alerts)
	}
	p := posts[len(posts)-1]
	validateDiscord(t, p.payload)
	if _, err := png.Decode(bytes.NewReader(p.file)); err != nil || p.name != "report.png" {
		t.Fatalf("files[0] %q is not a PNG: %v", p.name, err)
	}
	var body struct {
		Content string
		Embeds  []struct {
			Description string
			Image       struct{ URL string }
		}
		Attachments []struct{ ID, Filename string }
	}
	if err := json.Unmarshal(p.payload, &body); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(body.Content, "Report ") || len(body.Embeds) != 1 ||
		!strings.Contains(body.Embeds[0].Description, "트럼프-정책: 3 matches") ||
		body.Embeds[0].Image.URL != "attachment://report.png" ||
		len(body.Attachments) != 1 || body.Attachments[0].Filename != "report.png" {
		t.Errorf("payload_json = %s", p.payload)
	}

	// Another --send is a new report; a run afterwards sends nothing more.
	n := len(posts)
	mu.Unlock()
	f.run(t, 0, "run", "--once")
	mu.Lock()
	if len(posts) != n {
		t.Errorf("a run after the report sent %d more messages", len(posts)-n)
	}
}

// TestReportSendSlackBotFilesV2 sends the report to a Slack bot-token
// channel: the chart is uploaded with files.getUploadURLExternal, the
// upload, then files.completeUploadExternal into the channel the message
// went to.
func TestReportSendSlackBotFilesV2(t *testing.T) {
	t.Parallel()
	var (
		mu       sync.Mutex
		calls    []string
		uploaded []byte
		complete url.Values
	)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer xoxb-report-test" && r.FormValue("token") != "xoxb-report-test" {
			t.Errorf("%s without the bot token", r.URL.Path)
		}
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/chat.postMessage":
			fmt.Fprint(w, `{"ok":true,"channel":"C0REPORT","ts":"1700000000.000100"}`)
		case "/api/files.getUploadURLExternal":
			if r.FormValue("filename") != "report.png" || r.FormValue("length") == "" {
				t.Errorf("getUploadURLExternal form %v", r.Form)
			}
			fmt.Fprintf(w, `{"ok":true,"upload_url":%q,"file_id":"F0CHART"}`, srv.URL+"/upload/F0CHART")
		case "/upload/F0CHART":
			file, _, err := r.FormFile("file")
			if err != nil {
				t.Errorf("upload: %v", err)
				return
			}
			uploaded, _ = io.ReadAll(file)
			fmt.Fprint(w, "OK")
		case "/api/files.completeUploadExternal":
			_ = r.ParseForm()
			complete = r.PostForm
			fmt.Fprint(w, `{"ok":true,"files":[{"id":"F0CHART"}]}`)
		default:
			t.Errorf("unexpected call %s", r.URL.Path)
			fmt.Fprint(w, `{"ok":false,"error":"unknown_method"}`)
		}
	}))
	t.Cleanup(srv.Close)
	f := newReportFixture(t, fmt.Sprintf(`  out: {slack: {channel: "#news-desk", api_url: %q}}`, srv.URL+"/api/"), func(k string) (string, bool) {
		if k == "SLACK_BOT_TOKEN" {
			return "xoxb-report-test", true
		}
		return "", false
	})
	mu.Lock()
	before := len(calls)
	mu.Unlock()
	f.run(t, 0, "report", "--send", "out")
	mu.Lock()
	defer mu.Unlock()
	got := calls[before:]
	want := []string{"/api/files.getUploadURLExternal", "/upload/F0CHART", "/api/chat.postMessage", "/api/files.completeUploadExternal"}
	if !slices.Equal(got, want) {
		t.Fatalf("calls = %q, want %q", got, want)
	}
	if _, err := png.Decode(bytes.NewReader(uploaded)); err != nil {
		t.Errorf("uploaded file is not a PNG: %v", err)
	}
	if complete.Get("channel_id") != "C0REPORT" || !strings.Contains(complete.Get("files"), `"id":"F0CHART"`) {
		t.Errorf("completeUploadExternal form = %v", complete)
	}
}

// validateDiscord checks a webhook payload against the request schema of
// Discord's OpenAPI spec in ../shared (skipped with a log when absent).
func validateDiscord(t *testing.T, body []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "shared", "specs", "discord-openapi.json"))
	if err != nil {
		t.Logf("OpenAPI validation skipped: %v (../shared is absent)", err)
		return
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("https://discord.example/openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("https://discord.example/openapi.json#/paths/~1webhooks~1%7Bwebhook_id%7D~1%7Bwebhook_token%7D/post/requestBody/content/multipart~1form-data/schema")
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("payload_json does not match Discord's spec: %v\n%s", err, body)
	}
}

// TestReportPostgres runs the daemon and the report against PostgreSQL
// (a fresh schema), as with SQLite.
func TestReportPostgres(t *testing.T) {
	t.Parallel()
	dsn := pgSchema(t)
	f := newReportFixtureWith(t, "  out: {console: {}}", `store: {postgres: "${DATABASE_URL}"}`, func(k string) (string, bool) {
		if k == "DATABASE_URL" {
			return dsn, true
		}
		return "", false
	})
	out, _ := f.run(t, 0, "report", "--watch", "트럼프-정책", "--png", filepath.Join(f.dir, "pg.png"))
	if !strings.Contains(out, "■ 트럼프-정책: 3 matches, 2 stories") || strings.Contains(out, "■ chips") {
		t.Errorf("report from PostgreSQL:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "s.db")); err == nil {
		t.Error("a SQLite file was written although the watchlist sets store.postgres")
	}
}

// TestReportNotRelevant: a "Not relevant" vote on an alert in the state
// shows in the printed report and its JSON as the watch's share.
func TestReportNotRelevant(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t, "  out: {console: {}}", nil)
	st, err := sqlite.Open(t.Context(), f.state)
	if err != nil {
		t.Fatal(err)
	}
	sent, err := st.Recent(t.Context(), "out", 0)
	if err == nil && len(sent) == 0 {
		err = fmt.Errorf("no alert was sent")
	}
	if err != nil {
		t.Fatal(err)
	}
	d := sent[0]
	if err := st.RecordVote(t.Context(), store.Vote{Watch: d.Watch, Channel: d.Channel, Row: d.ID, ItemKey: d.ItemKey, Title: d.Title, Voter: "slack:U1"}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	js, _ := f.run(t, 0, "report", "--json", "--watch", d.Watch)
	var r struct {
		Watches []struct {
			Name        string
			Alerts      int
			NotRelevant int      `json:"not_relevant"`
			Share       float64  `json:"not_relevant_share"`
			Suggested   []string `json:"suggested_excludes"`
		}
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("--json: %v\n%s", err, js)
	}
	if len(r.Watches) != 1 || r.Watches[0].Alerts == 0 || r.Watches[0].NotRelevant != 1 ||
		r.Watches[0].Share != 1/float64(r.Watches[0].Alerts) || r.Watches[0].Suggested == nil {
		t.Errorf("--json of %s after a vote = %+v", d.Watch, r)
	}
	out, _ := f.run(t, 0, "report", "--watch", d.Watch)
	if want := fmt.Sprintf("Not relevant: 1 of %d alert", r.Watches[0].Alerts); !strings.Contains(out, want) {
		t.Errorf("report lacks %q:\n%s", want, out)
	}
}
