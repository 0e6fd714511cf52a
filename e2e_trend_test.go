package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/newshound/newshound/bot/webhook"
)

// TestSurgeReachesWebhookOnce runs the real CLI against a local webhook
// receiver: after a quiet baseline, a burst of distinct stories about one
// topic across three outlets produces exactly one body of kind "surge"
// naming the factor; more stories within the window produce none.
func TestSurgeReachesWebhookOnce(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		bodies []webhook.Body
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var b webhook.Body
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	fs := newFeedServer(t)
	outlets := map[string]string{"/yna.xml": "연합뉴스", "/edaily.xml": "이데일리", "/hani.xml": "한겨레"}
	for p, title := range outlets {
		fs.titles[p] = title
		fs.set(p, recentItem(900+len(title), "날씨 맑음 "+title))
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "w.yaml")
	writeFile(t, cfg, fmt.Sprintf(`
feeds:
  - {name: yna, url: %q}
  - {name: edaily, url: %q}
  - {name: hani, url: %q}
channels:
  ops: {webhook: {url: "${HOOK_URL}"}}
watches:
  - name: policy
    keywords: [트럼프]
    channels: [ops]
    digest: {every: 1h}
    surge: {factor: 4, min_stories: 5, window: 1h}
`, fs.url("/yna.xml"), fs.url("/edaily.xml"), fs.url("/hani.xml")))
	lookup := func(k string) (string, bool) {
		if k == "HOOK_URL" {
			return srv.URL + "/hook", true
		}
		return "", false
	}
	run := func(what string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := Main(context.Background(), []string{"run", "--once", "--config", cfg, "--state", filepath.Join(dir, "s.db")},
			env{tick: testTick, stdin: strings.NewReader(""), stdout: &out, stderr: &errb, lookup: lookup})
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", what, code, errb.String())
		}
	}
	surges := func() []webhook.Body {
		mu.Lock()
		defer mu.Unlock()
		var out []webhook.Body
		for _, b := range bodies {
			if b.Kind == "surge" {
				out = append(out, b)
			}
		}
		return out
	}
	run("baseline run") // the first poll of each feed records what is there
	if n := len(surges()); n != 0 {
		t.Fatalf("quiet baseline: %d surge bodies", n)
	}

	// Old stories found late (a feed that republishes its archive, a
	// backfill) are counted on their own days: no surge today.
	old := 500
	for p := range outlets {
		var its []rssItem
		for i := range 6 {
			its = append(its, item(old, fmt.Sprintf("트럼프 지난 소식 %d %s", i, p)))
			old++
		}
		fs.set(p, its...)
	}
	run("old items run")
	if n := len(surges()); n != 0 {
		t.Fatalf("old items: %d surge bodies, want none", n)
	}

	// The burst: 8 distinct stories on 트럼프, several carried by more
	// than one outlet.
	stories := []string{
		"트럼프, 한국산 반도체에 관세 25% 부과 발표",
		"트럼프 대통령 방한 일정 3일로 확정",
		"트럼프 행정부 AI 국가안보각서 서명",
		"트럼프, 주한미군 방위비 분담금 재협상 요구",
		"트럼프 측 \"북미 정상회담 추진\"",
		"트럼프 관세에 코스피 2% 급락",
		"트럼프 발언에 원달러 환율 1400원 돌파",
		"트럼프, 조선업 협력 강화 행정명령",
	}
	n := 1
	for p := range outlets {
		var its []rssItem
		for i, s := range stories {
			if i%3 == len(p)%3 || p == "/yna.xml" {
				its = append(its, recentItem(n, s))
				n++
			}
		}
		fs.set(p, its...)
	}
	run("burst run")
	got := surges()
	if len(got) != 1 {
		t.Fatalf("burst: %d surge bodies, want exactly 1: %+v", len(got), got)
	}
	b := got[0]
	// The feeds are polled concurrently and the surge is checked after
	// each poll, so it fires at the first poll that takes the watch to 5
	// stories or more: how many depends on which feed came first.
	m := regexp.MustCompile(`^🔺 policy: (\d+) stories from (\d+) outlets? in the last hour, (\d+)× normal$`).FindStringSubmatch(b.Header)
	if m == nil {
		t.Fatalf("surge header = %q, want the stories, outlets and factor", b.Header)
	}
	if n, _ := strconv.Atoi(m[1]); n < 5 || n > 8 || m[3] != m[1] {
		t.Errorf("surge header = %q: want 5 to 8 stories, and the factor equal to them (baseline 1: a quiet watch)", b.Header)
	}
	if len(b.Stories) != 3 || b.Stories[0].Watch != "policy" {
		t.Errorf("surge stories = %+v, want the top 3", b.Stories)
	}

	// More within the window: no second surge alert.
	for p := range outlets {
		fs.set(p, recentItem(n, "트럼프 새 소식 "+p), recentItem(n+1, "트럼프 또 다른 소식 "+p))
		n += 2
	}
	run("repeat run")
	if got := surges(); len(got) != 1 {
		t.Errorf("repeat within the window: %d surge bodies in all, want still 1", len(got))
	}
}
