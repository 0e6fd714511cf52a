package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/feeds"
)

// TestCorpus checks the generated feeds: every format parses with the
// pipeline's parser into the items the corpus says, EUC-KR feeds decode
// to Korean, a tenth of the feeds change per cycle, and an item's cycle
// agrees with the heads.
func TestCorpus(t *testing.T) {
	c := NewCorpus(60, 7)
	formats := map[Format]int{}
	euckr, validators := 0, 0
	for i := range c.Feeds {
		body, ct, etag, _ := c.Body(i, 0)
		formats[c.FeedFormat(i)]++
		if c.Validators(i) != (etag != "") {
			t.Errorf("feed %d: validators %v, etag %q", i, c.Validators(i), etag)
		}
		if etag != "" {
			validators++
		}
		if n := len(body); n < 18<<10 || n > 82<<10 {
			t.Errorf("feed %d: body of %d bytes, want 20–80 KB", i, n)
		}
		res, err := feeds.Parse(body, ct, "f", "http://127.0.0.1/feed", time.UTC, Base.Add(1000*time.Hour))
		if err != nil {
			t.Fatalf("feed %d (%s): %v", i, c.FeedFormat(i), err)
		}
		if want := c.itemCount(i); len(res.Items) != want || res.Skipped != 0 {
			t.Errorf("feed %d: %d items, %d skipped; want %d", i, len(res.Items), res.Skipped, want)
		}
		if c.EUCKR(i) {
			euckr++
			if !strings.Contains(ct, "euc-kr") || !strings.Contains(res.Title, "뉴스") {
				t.Errorf("feed %d: EUC-KR feed served as %q, titled %q", i, ct, res.Title)
			}
		}
	}
	if formats[RSS] == 0 || formats[Atom] == 0 || formats[JSON] == 0 || euckr == 0 || validators != c.Feeds/2 {
		t.Errorf("formats %v, %d EUC-KR, %d with validators of %d", formats, euckr, validators, c.Feeds)
	}
	for cycle := 1; cycle <= 3; cycle++ {
		changed := 0
		for i := range c.Feeds {
			if c.Changed(i, cycle) {
				changed++
				if c.Head(i, cycle) != c.Head(i, cycle-1)+NewPerChange {
					t.Errorf("feed %d cycle %d: head %d after %d", i, cycle, c.Head(i, cycle), c.Head(i, cycle-1))
				}
				if got := c.ItemCycle(i, c.Head(i, cycle)); got != cycle {
					t.Errorf("feed %d: newest item of cycle %d appeared in %d", i, cycle, got)
				}
			} else if c.Head(i, cycle) != c.Head(i, cycle-1) {
				t.Errorf("feed %d changed in cycle %d but Changed says no", i, cycle)
			}
		}
		if changed != c.Feeds/10 {
			t.Errorf("cycle %d: %d feeds changed, want %d", cycle, changed, c.Feeds/10)
		}
	}
	a, _, _, _ := c.Body(5, 2)
	b, _, _, _ := NewCorpus(60, 7).Body(5, 2)
	if !bytes.Equal(a, b) {
		t.Error("the same corpus gave two bodies for one feed and cycle")
	}
}

// TestFeedServer checks conditional requests and cycles.
func TestFeedServer(t *testing.T) {
	c := NewCorpus(20, 1)
	host, err := StartFeedServer(c)
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	ctx := context.Background()
	get := func(i int, etag string) (int, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, FeedURL(host.URL(), i), nil)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, resp.Header.Get("ETag")
	}
	code, etag := get(0, "")
	if code != http.StatusOK || etag == "" {
		t.Fatalf("feed 0: %d, ETag %q", code, etag)
	}
	if code, _ := get(0, etag); code != http.StatusNotModified {
		t.Errorf("feed 0 with its ETag: %d, want 304", code)
	}
	if code, etag := get(1, `"x"`); code != http.StatusOK || etag != "" {
		t.Errorf("feed 1 (no validators): %d, ETag %q", code, etag)
	}
	// Feed 0 changes in cycle 10: (0+10)%10 == 0.
	if err := SetCycle(ctx, http.DefaultClient, host.URL(), 10); err != nil {
		t.Fatal(err)
	}
	if code, etag2 := get(0, etag); code != http.StatusOK || etag2 == etag {
		t.Errorf("feed 0 after a change: %d, ETag %q (was %q)", code, etag2, etag)
	}
	if code, _ := get(99, ""); code != http.StatusNotFound {
		t.Errorf("feed 99 of 20: %d", code)
	}
}

// TestRun runs the whole benchmark on a few feeds and checks what each
// phase did (not how fast).
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline")
	}
	const n = 10
	rep, err := Run(context.Background(), Options{Feeds: n, Queries: 40, Changed: 1, Unchanged: 1,
		NaiveFeeds: 2, QueryFeeds: 5, TopicRate: 1, Topics: 40, Interval: time.Second, Growth: []int{n}, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range rep.Phases {
		names = append(names, p.Name)
		if p.Errors > 0 {
			t.Errorf("%s: %d errors, first: %s", p.Name, p.Errors, p.FirstError)
		}
	}
	if got := strings.Join(names, ","); got != "floor,cold,changed,unchanged,naive" {
		t.Fatalf("phases %s", got)
	}
	floor, cold, changed, unchanged := rep.Phases[0], rep.Phases[1], rep.Phases[2], rep.Phases[3]
	if cold.Items != floor.Items || cold.NewItems != cold.Items || cold.Items == 0 {
		t.Errorf("cold: %d items, %d new; floor parsed %d", cold.Items, cold.NewItems, floor.Items)
	}
	if cold.Matches == 0 || cold.Delivered != cold.Matches || cold.Undelivered != 0 {
		t.Errorf("cold: %d matches, %d delivered, %d undelivered", cold.Matches, cold.Delivered, cold.Undelivered)
	}
	if want := n / 10 * NewPerChange; changed.NewItems != want {
		t.Errorf("changed: %d new items, want %d", changed.NewItems, want)
	}
	if unchanged.NewItems != 0 || unchanged.NotModified != n {
		t.Errorf("unchanged: %d new items, %d not modified of %d", unchanged.NewItems, unchanged.NotModified, n)
	}
	if rep.Latency.Stories == 0 || rep.Latency.P99 <= 0 || rep.Latency.FromPollP99 <= 0 || rep.Latency.Interval != 1 {
		t.Errorf("latency %+v: want alerts measured at a 1s interval", rep.Latency)
	}
	if rep.QueryCost.Few.Feeds != 5 || rep.QueryCost.Many.Feeds != 5 {
		t.Errorf("query cost over %d and %d feeds, want 5", rep.QueryCost.Few.Feeds, rep.QueryCost.Many.Feeds)
	}
	if len(rep.Growth) != 1 || rep.Growth[0].Feeds != n || rep.Growth[0].Cold.NewItems != cold.Items {
		t.Errorf("growth %+v", rep.Growth)
	}
	if cold.WallVsFloor <= 0 || len(rep.Targets) < 5 {
		t.Errorf("ratios or targets missing: %v, %d targets", cold.WallVsFloor, len(rep.Targets))
	}

	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"floor", "cold", "unchanged", "naive*", "appear→delivered", "growth:", "targets:"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil || len(back.Phases) != len(rep.Phases) {
		t.Errorf("JSON round trip: %v, %d phases", err, len(back.Phases))
	}
	var png bytes.Buffer
	if err := WritePlot(&png, rep); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png.Bytes(), []byte("\x89PNG")) {
		t.Error("the plot is not a PNG")
	}
}
