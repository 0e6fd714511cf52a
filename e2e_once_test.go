package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRunOnceIsHonestAboutUndeliveredAlerts runs the real CLI against a
// dead webhook: every run that leaves a due alert unsent exits non-zero
// and says how many, for which channel and when the next retry is, also
// the runs that do not try the alert because it waits for its retry.
func TestRunOnceIsHonestAboutUndeliveredAlerts(t *testing.T) {
	var hits atomic.Int32
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		http.Error(w, "no_service", http.StatusNotFound)
	}))
	t.Cleanup(dead.Close)
	fs := newFeedServer(t)
	fs.set("/a.xml")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "w.yaml")
	writeFile(t, cfg, fmt.Sprintf(`
feeds: [{name: a, url: %q}]
channels:
  desk: {slack: {webhook_url: "${SLACK_HOOK}"}}
  quiet: {console: {}}
watches:
  - {name: policy, keywords: [트럼프], channels: [desk, quiet]}
`, fs.url("/a.xml")))
	lookup := func(k string) (string, bool) {
		if k == "SLACK_HOOK" {
			return dead.URL + "/services/T0/B0/hook-secret", true
		}
		return "", false
	}
	run := func() (int, string) {
		var out, errb bytes.Buffer
		code := Main(context.Background(), []string{"run", "--once", "--config", cfg, "--state", filepath.Join(dir, "s.db")},
			env{tick: testTick, stdin: strings.NewReader(""), stdout: &out, stderr: &errb, lookup: lookup})
		return code, errb.String()
	}
	if code, logs := run(); code != 0 {
		t.Fatalf("first run (nothing to deliver): exit %d\n%s", code, logs)
	}
	fs.set("/a.xml", item(1, "트럼프, 새 관세 발표"))
	for i, want := range []string{"tried and failed", "waiting for its retry"} {
		before := hits.Load()
		code, logs := run()
		if code == 0 {
			t.Fatalf("run %d (%s): exit 0 with the alert undelivered\n%s", i+2, want, logs)
		}
		if !strings.Contains(logs, "channel desk: 1 alert(s) undelivered; next retry not before") {
			t.Errorf("run %d (%s): no line naming the channel, count and next retry:\n%s", i+2, want, logs)
		}
		if strings.Contains(logs, "channel quiet") {
			t.Errorf("run %d: the healthy channel is reported as pending:\n%s", i+2, logs)
		}
		if strings.Contains(logs, "hook-secret") {
			t.Errorf("run %d: the webhook secret leaks:\n%s", i+2, logs)
		}
		if tried := hits.Load() - before; i == 1 && tried != 0 {
			t.Errorf("run %d tried the alert %d times during its backoff", i+2, tried)
		}
	}
}
