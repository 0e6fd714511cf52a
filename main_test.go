package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/korean"
)

// feedServer plays a news site: it serves RSS documents whose items can be
// changed between runs, answers conditional GETs, and records requests.
type feedServer struct {
	t  *testing.T
	mu sync.Mutex
	// items by path; each item is title, link, guid, pubDate.
	feeds    map[string][]rssItem
	euckr    map[string]bool
	titles   map[string]string   // channel title per path; default 테스트 뉴스
	inm      map[string][]string // If-None-Match seen per path
	requests map[string]int
	srv      *httptest.Server
}

type rssItem struct{ title, link, guid, date, desc string }

func newFeedServer(t *testing.T) *feedServer {
	fs := &feedServer{t: t, feeds: map[string][]rssItem{}, euckr: map[string]bool{}, inm: map[string][]string{}, requests: map[string]int{}, titles: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/500.xml", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", 500) })
	mux.HandleFunc("/garbage.xml", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "<html><body>not a feed") })
	mux.HandleFunc("/slow.xml", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/", fs.serve)
	fs.srv = httptest.NewServer(mux)
	t.Cleanup(fs.srv.Close)
	return fs
}

func (fs *feedServer) set(path string, items ...rssItem) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.feeds[path] = items
}

// setTitle names the outlet of the feed at path (its channel title).
func (fs *feedServer) setTitle(path, title string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.titles[path] = title
}

func (fs *feedServer) url(path string) string { return fs.srv.URL + path }

func (fs *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	items, ok := fs.feeds[r.URL.Path]
	fs.requests[r.URL.Path]++
	fs.inm[r.URL.Path] = append(fs.inm[r.URL.Path], r.Header.Get("If-None-Match"))
	if ua := r.Header.Get("User-Agent"); ua != "newshound/"+version+" (+https://github.com/newshound/newshound)" {
		fs.t.Errorf("User-Agent = %q", ua)
	}
	enc := fs.euckr[r.URL.Path]
	title := cmp.Or(fs.titles[r.URL.Path], "테스트 뉴스")
	fs.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	var b strings.Builder
	decl := "UTF-8"
	if enc {
		decl = "EUC-KR"
	}
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="%s"?><rss version="2.0"><channel><title>%s</title><link>%s</link>`, decl, html.EscapeString(title), fs.srv.URL)
	for _, it := range items {
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>",
			html.EscapeString(it.title), html.EscapeString(it.link), it.guid, it.date, html.EscapeString(it.desc))
	}
	b.WriteString("</channel></rss>")
	body := []byte(b.String())
	if enc {
		var err error
		body, err = korean.EUCKR.NewEncoder().Bytes(body)
		if err != nil {
			fs.t.Errorf("encoding EUC-KR: %v", err)
		}
	}
	etag := fmt.Sprintf(`"%x"`, len(body)*31+len(items))
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml")
	_, _ = w.Write(body)
}

// runCLI runs one newshound command in-process, as the binary would.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code = Main(ctx, args, env{tick: testTick, stdin: strings.NewReader(""), stdout: &out, stderr: &errb, lookup: func(string) (string, bool) { return "", false }})
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// recentItem is item(n, title) published n seconds before now: trends
// and reports count a match at its item's publication.
func recentItem(n int, title string) rssItem {
	it := item(n, title)
	it.date = time.Now().Add(-time.Duration(n%60) * time.Second).Format(time.RFC1123Z)
	return it
}

func item(n int, title string) rssItem {
	return rssItem{
		title: title,
		link:  fmt.Sprintf("https://news.example/article/%d?utm_source=rss", n),
		guid:  fmt.Sprintf("news-%d", n),
		date:  time.Date(2026, 11, 20, 9, n%60, 0, 0, time.UTC).Format(time.RFC1123Z),
		desc:  "본문 " + title,
	}
}

func TestRunOnceDeliversEachMatchExactlyOnce(t *testing.T) {
	t.Parallel() // mostly waits on the daemon's real clocks: overlaps the other tests
	fs := newFeedServer(t)
	fs.set("/it.xml", item(1, "반도체 수출 늘어"), item(2, "오픈소스 정책 발표"))
	fs.set("/kr.xml", item(100, "트럼프 관세 예고"))
	fs.euckr["/kr.xml"] = true
	dir := t.TempDir()
	cfg := filepath.Join(dir, "watchlist.yaml")
	writeFile(t, cfg, fmt.Sprintf(`
timezone: Asia/Seoul
poll: {interval: 1m, timeout: 1s}
feeds:
  - name: it
    url: %s
  - name: kr
    url: %s
  - name: broken
    url: %s
  - name: garbage
    url: %s
  - name: slow
    url: %s
channels:
  terminal:
    console: {}
watches:
  - name: policy
    keywords: [오픈소스, 트럼프, '"AI 국가안보각서"']
    exclude: [주가]
    channels: [terminal]
`, fs.url("/it.xml"), fs.url("/kr.xml"), fs.url("/500.xml"), fs.url("/garbage.xml"), fs.url("/slow.xml")))
	db := filepath.Join(dir, "state.db")

	// First run: existing items are recorded, not delivered (backfill 0).
	code, out, errs := runCLI(t, "run", "--once", "--config", cfg, "--state", db)
	if code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, errs)
	}
	if strings.Contains(out, "오픈소스 정책 발표") || strings.Contains(out, "트럼프") {
		t.Fatalf("first poll delivered backfill:\n%s", out)
	}
	for _, feed := range []string{"broken", "garbage", "slow"} {
		if !strings.Contains(errs, "feed="+feed) {
			t.Errorf("failure of feed %s not reported in the log:\n%s", feed, errs)
		}
	}

	// Second run: new items arrive; matching ones are delivered once.
	fs.set("/it.xml", item(1, "반도체 수출 늘어"), item(2, "오픈소스 정책 발표"),
		item(3, "정부, ‘오픈소스를’ 공공 SW에 확대"), item(4, "AI국가안보각서 공개"), item(5, "오픈소스 기업 주가 급등"), item(6, "날씨 맑음"))
	fs.set("/kr.xml", item(100, "트럼프 관세 예고"), item(101, "트럼프의 새 행정명령"))
	code, out, errs = runCLI(t, "run", "--once", "--config", cfg, "--state", db)
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, errs)
	}
	for _, want := range []string{"정부, ‘오픈소스를’ 공공 SW에 확대", "AI국가안보각서 공개", "트럼프의 새 행정명령", "https://news.example/article/3?utm_source=rss"} {
		if n := strings.Count(out, want); n != 1 {
			t.Errorf("%q appears %d times, want 1:\n%s", want, n, out)
		}
	}
	for _, unwanted := range []string{"주가 급등", "날씨 맑음", "반도체 수출"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("%q delivered but should not match:\n%s", unwanted, out)
		}
	}

	// Third run: nothing new; validators are sent; nothing is delivered twice.
	code, out, errs = runCLI(t, "run", "--once", "--config", cfg, "--state", db)
	if code != 0 {
		t.Fatalf("third run: exit %d\n%s", code, errs)
	}
	if strings.TrimSpace(out) != "" {
		t.Errorf("third run delivered again:\n%s", out)
	}
	fs.mu.Lock()
	inm := fs.inm["/it.xml"]
	fs.mu.Unlock()
	if len(inm) != 3 || inm[0] != "" || inm[1] == "" || inm[2] == "" {
		t.Errorf("If-None-Match per poll = %q, want empty then the ETag", inm)
	}
}

func TestRunOnceBackfill(t *testing.T) {
	fs := newFeedServer(t)
	fs.set("/a.xml", item(1, "정부 오픈소스 전략 발표"), item(2, "삼성전자, 오픈소스 AI 모델 공개"), item(3, "리눅스재단 \"오픈소스 보안 투자 확대\""))
	dir := t.TempDir()
	cfg := filepath.Join(dir, "w.yaml")
	writeFile(t, cfg, fmt.Sprintf(`
feeds:
  - {name: a, url: %q, backfill: 2}
channels:
  out: {console: {}}
watches:
  - {name: w, keywords: [오픈소스], channels: [out]}
`, fs.url("/a.xml")))
	code, out, errs := runCLI(t, "run", "--once", "--config", cfg, "--state", filepath.Join(dir, "s.db"))
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	// Items 2 and 3 are the newest two (later pubDate minutes).
	if !strings.Contains(out, "오픈소스 보안 투자") || !strings.Contains(out, "오픈소스 AI 모델") || strings.Contains(out, "오픈소스 전략") {
		t.Errorf("backfill 2 should deliver the two newest items:\n%s", out)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, `timezone: Mars/Base
feeds:
  - name: a
    url: ftp://x
  - name: a
    url: https://example.com/rss
    intervl: 5m
watches:
  - name: w
    keywords: [오픈소스]
    channels: [nowhere]
`)
	code, _, errs := runCLI(t, "check", "--config", bad)
	if code != 1 {
		t.Fatalf("check on a broken file: exit %d, want 1\n%s", code, errs)
	}
	for _, want := range []string{bad + ":1:11:", bad + ":4:10:", bad + ":5:11:", bad + ":7:5:", bad + ":11:16:"} {
		if !strings.Contains(errs, want) {
			t.Errorf("missing error at %s in:\n%s", want, errs)
		}
	}
	code, out, errs := runCLI(t, "check", "--config", "config/watchlist.example.yaml")
	if code != 0 || out == "" {
		t.Fatalf("check on the example: exit %d\n%s%s", code, out, errs)
	}
}
