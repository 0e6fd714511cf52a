package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/newshound/newshound/bot/command"
	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/store"
	"github.com/newshound/newshound/store/sqlite"
)

// clock is a fake clock: Sleep advances it instead of waiting.
type clock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	c.t = c.t.Add(d)
	return ctx.Err()
}

// fetcher serves items per feed name, as a feed server would.
type fetcher struct {
	mu    sync.Mutex
	items map[string][]feeds.Item
	errs  map[string]error
	stats map[string]feeds.Stats
	// before, when set, runs at the start of each Fetch (outside mu), so a
	// test can hold a fetch under way.
	before func(feed string)
}

func (f *fetcher) set(feed string, items ...feeds.Item) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[feed] = items
}

func (f *fetcher) Fetch(_ context.Context, src feeds.Source, _ feeds.Validators) (feeds.Result, error) {
	f.mu.Lock()
	before := f.before
	f.mu.Unlock()
	if before != nil {
		before(src.Name)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs[src.Name]; err != nil {
		return feeds.Result{}, err
	}
	items := append([]feeds.Item(nil), f.items[src.Name]...)
	for i := range items {
		items[i].Feed = src.Name
	}
	return feeds.Result{Items: items, Stats: f.stats[src.Name]}, nil
}

// recorder is a channel that records what it accepted. fail holds the
// errors to return, one per Send, before it succeeds; perPart splits a
// message into parts of that many entries.
type recorder struct {
	mu      sync.Mutex
	got     []notify.Message
	fail    []error
	sends   int
	perPart int
}

func (r *recorder) Split(m notify.Message) []notify.Message {
	if r.perPart <= 0 || len(m.Entries) <= r.perPart {
		return []notify.Message{m}
	}
	var out []notify.Message
	for i := 0; i < len(m.Entries); i += r.perPart {
		p := m
		p.Entries = m.Entries[i:min(i+r.perPart, len(m.Entries))]
		if i+r.perPart < len(m.Entries) {
			p.More = 0
		}
		out = append(out, p)
	}
	return out
}

func (r *recorder) Send(_ context.Context, m notify.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sends++
	if len(r.fail) > 0 {
		err := r.fail[0]
		r.fail = r.fail[1:]
		if err != nil {
			return err
		}
	}
	r.got = append(r.got, m)
	return nil
}

// titles lists every entry title accepted, with the sources folded in.
func (r *recorder) titles() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.got {
		for _, e := range m.Entries {
			out = append(out, e.Title)
		}
	}
	return out
}

func (r *recorder) messages() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

type harness struct {
	t     *testing.T
	clock *clock
	feeds *fetcher
	chans map[string]*recorder
	store store.Store
	db    string
	bot   *Bot
	reg   *prometheus.Registry
}

func newHarness(t *testing.T, yaml string) *harness {
	t.Helper()
	cfg, err := config.Parse("watchlist.yaml", []byte(yaml), nil)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	dbPath := filepath.Join(t.TempDir(), "state.db")
	st, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &harness{
		t:     t,
		clock: &clock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)},
		feeds: &fetcher{items: map[string][]feeds.Item{}, errs: map[string]error{}, stats: map[string]feeds.Stats{}},
		reg:   prometheus.NewRegistry(),
		chans: map[string]*recorder{},
		store: st,
		db:    dbPath,
	}
	st.Now = h.clock.Now
	for _, name := range cfg.ChannelOrder {
		h.chans[name] = &recorder{}
	}
	metrics, err := NewMetrics(h.reg)
	if err != nil {
		t.Fatal(err)
	}
	h.bot, err = New(Options{
		Metrics: metrics,
		Config:  cfg,
		Store:   st,
		Fetcher: h.feeds,
		Notifiers: func(c *config.Config) (map[string]notify.Notifier, error) {
			out := map[string]notify.Notifier{}
			for _, name := range c.ChannelOrder {
				if h.chans[name] == nil {
					h.chans[name] = &recorder{}
				}
				out[name] = h.chans[name]
			}
			return out, nil
		},
		Now:    h.clock.Now,
		Sleep:  h.clock.Sleep,
		Jitter: func(time.Duration) time.Duration { return 0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// cycle runs one RunOnce at the fake time.
func (h *harness) cycle() CycleResult {
	h.t.Helper()
	return h.bot.RunOnce(context.Background())
}

// at moves the clock to hh:mm on the test day (UTC).
func (h *harness) at(hh, mm int) {
	h.clock.Set(time.Date(2026, 11, 26, hh, mm, 0, 0, time.UTC))
}

func news(key, title string, published time.Time) feeds.Item {
	return feeds.Item{Key: key, Title: title, Link: "https://news.example/" + key, Published: published, Summary: title + " 본문"}
}

const oneFeed = `
feeds:
  - {name: yna, url: "https://yna.example/rss"}
  - {name: newsis, url: "https://newsis.example/rss"}
channels:
  team: {console: {}}
  other: {console: {}}
watches:
  - name: policy
    keywords: [오픈소스, 트럼프]
    channels: [team, other]
`

func TestRetryAfterIsHonouredAndDeliversOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.cycle() // first poll: nothing to backfill
	h.chans["team"].fail = []error{notify.Retry(errors.New("slack: 429"), 2*time.Second)}
	h.feeds.set("yna", news("1", "트럼프, 새 관세 발표", h.clock.Now()))
	res := h.cycle()
	if err := res.Err(); err != nil {
		t.Fatalf("cycle: %v", err)
	}
	if got := h.chans["team"].titles(); len(got) != 1 {
		t.Fatalf("team got %q, want the item once", got)
	}
	if h.chans["team"].sends != 2 {
		t.Errorf("sends = %d, want 2 (429, then success)", h.chans["team"].sends)
	}
	if len(h.clock.slept) == 0 || h.clock.slept[0] < 2*time.Second {
		t.Errorf("waited %v before retrying, want ≥ 2s", h.clock.slept)
	}
	h.cycle()
	if got := h.chans["team"].titles(); len(got) != 1 {
		t.Errorf("after another cycle team got %q, want the item once", got)
	}
}

func TestDeadChannelKeepsPendingAndDoesNotStopOthers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.cycle()
	dead := errors.New("webhook 500")
	h.chans["team"].fail = []error{dead, dead, dead, dead, dead, dead, dead, dead}
	h.feeds.set("yna", news("1", "오픈소스 재단 설립", h.clock.Now()))
	res := h.cycle()
	if res.Undelivered() != 1 {
		t.Errorf("undelivered = %d, want 1", res.Undelivered())
	}
	if got := h.chans["other"].titles(); len(got) != 1 {
		t.Fatalf("the healthy channel got %q, want the item", got)
	}
	pend, err := h.store.PendingAll(context.Background(), "team")
	if err != nil || len(pend) != 1 || pend[0].LastError == "" || pend[0].Attempts != 1 {
		t.Fatalf("pending on the dead channel = %+v, %v; want one row with its error", pend, err)
	}
	// Before the backoff ends nothing is tried; after it, the row goes out once.
	sends := h.chans["team"].sends
	h.cycle()
	if h.chans["team"].sends != sends {
		t.Errorf("tried again before the backoff ended")
	}
	h.chans["team"].fail = nil
	h.clock.Set(pend[0].NextAttempt.Add(time.Second))
	h.cycle()
	if got := h.chans["team"].titles(); len(got) != 1 {
		t.Errorf("after recovery team got %q, want the item once", got)
	}
	if st := h.bot.Status(context.Background()); st.Pending["team"] != 0 {
		t.Errorf("status pending = %v, want none", st.Pending)
	}
}

func TestCrashBetweenPartsResendsOnlyTheRest(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.cycle()
	rec := h.chans["team"]
	rec.perPart = 1
	rec.fail = []error{nil, notify.Permanent(errors.New("400 invalid_blocks"))}
	h.feeds.set("yna",
		news("1", "트럼프 관세 폭탄에 증시 출렁", h.clock.Now()),
		news("2", "정부, 공공 소프트웨어에 오픈소스 도입 확대", h.clock.Now().Add(time.Minute)),
		news("3", "트럼프 2기 내각 인선 마무리 단계", h.clock.Now().Add(2*time.Minute)))
	h.cycle()
	if n := len(rec.titles()); n != 1 {
		t.Fatalf("first part: %d entries accepted, want 1", n)
	}
	pend, _ := h.store.PendingAll(context.Background(), "team")
	if len(pend) != 2 {
		t.Fatalf("pending after the failed part = %d, want 2", len(pend))
	}
	h.clock.Set(pend[0].NextAttempt.Add(time.Second))
	h.cycle()
	got := rec.titles()
	if len(got) != 3 {
		t.Fatalf("accepted %q, want each of the 3 items once", got)
	}
	seen := map[string]int{}
	for _, tt := range got {
		seen[tt]++
	}
	for tt, n := range seen {
		if n != 1 {
			t.Errorf("%q accepted %d times", tt, n)
		}
	}
}

func TestEveryDigestSendsOneMessagePerPeriod(t *testing.T) {
	t.Parallel()
	h := newHarness(t, `
timezone: Asia/Seoul
feeds: [{name: yna, url: "https://yna.example/rss"}]
channels: {team: {console: {}}}
watches:
  - {name: policy, keywords: [반도체], channels: [team], digest: {every: 30m}}
`)
	h.at(1, 0) // 10:00 KST
	h.cycle()
	h.at(1, 5)
	h.feeds.set("yna", news("1", "반도체 수출 5개월 연속 증가", h.clock.Now()))
	h.cycle()
	h.at(1, 20)
	h.feeds.set("yna", news("1", "반도체 수출 5개월 연속 증가", h.clock.Now()), news("2", "미국, 대중 반도체 장비 규제 강화", h.clock.Now()))
	h.cycle()
	h.at(1, 29)
	h.cycle()
	if n := h.chans["team"].messages(); n != 0 {
		t.Fatalf("%d messages before the period ended, want 0", n)
	}
	h.at(1, 30)
	h.cycle()
	if n := h.chans["team"].messages(); n != 1 {
		t.Fatalf("%d messages at the flush, want 1", n)
	}
	if got := h.chans["team"].titles(); len(got) != 2 {
		t.Errorf("digest entries = %q, want both items", got)
	}
	next := h.bot.Status(context.Background()).NextDigest["team"]
	if want := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC); !next.Equal(want) {
		t.Errorf("next digest = %v, want %v", next, want)
	}
}

func TestQuietHoursHoldThenDeliverOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, `
timezone: Asia/Seoul
feeds: [{name: yna, url: "https://yna.example/rss"}]
channels: {team: {console: {}}}
watches:
  - {name: policy, keywords: [트럼프, 속보], urgent: [속보], channels: [team], digest: {quiet_hours: "22:00-07:00"}}
`)
	h.at(13, 0) // 22:00 KST
	h.cycle()
	h.at(14, 0) // 23:00 KST
	h.feeds.set("yna", news("1", "트럼프, 한국과 통상 협의 제안", h.clock.Now()))
	h.cycle()
	if n := h.chans["team"].messages(); n != 0 {
		t.Fatalf("delivered during quiet hours")
	}
	h.feeds.set("yna", news("1", "트럼프, 한국과 통상 협의 제안", h.clock.Now()), news("2", "[속보] 트럼프 긴급 기자회견", h.clock.Now()))
	h.at(15, 0)
	h.cycle()
	if got := h.chans["team"].titles(); len(got) != 1 || !strings.Contains(got[0], "속보") {
		t.Fatalf("urgent item during quiet hours: got %q", got)
	}
	h.at(21, 59) // 06:59 KST
	h.cycle()
	if n := len(h.chans["team"].titles()); n != 1 {
		t.Fatalf("held item went out before quiet hours ended")
	}
	h.at(22, 0) // 07:00 KST
	h.cycle()
	h.at(22, 5)
	h.cycle()
	got := h.chans["team"].titles()
	if len(got) != 2 || got[1] != "트럼프, 한국과 통상 협의 제안" {
		t.Errorf("after quiet hours got %q, want the held item once", got)
	}
}

func TestSyndicatedStoryIsOneEntryAndNotRepeated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, `
feeds:
  - {name: yna, url: "https://a.example/rss"}
  - {name: newsis, url: "https://b.example/rss"}
  - {name: news1, url: "https://c.example/rss"}
  - {name: kbs, url: "https://d.example/rss"}
  - {name: mbc, url: "https://e.example/rss"}
channels: {team: {console: {}}}
watches:
  - {name: policy, keywords: [반도체], channels: [team], digest: {every: 1h}}
`)
	h.cycle()
	now := h.clock.Now()
	titles := map[string]string{
		"yna":    "정부, 반도체 특별법 국회 통과 촉구",
		"newsis": "정부, 반도체 특별법 국회 통과 촉구(종합)",
		"news1":  "[속보] 정부, 반도체 특별법 국회 통과 촉구",
		"kbs":    "정부 \"반도체 특별법 국회 통과 촉구\"",
		"mbc":    "정부, 반도체특별법 국회 통과 촉구",
	}
	other := map[string]string{
		"yna":    "삼성전자, 평택에 반도체 신규 라인 착공",
		"newsis": "SK하이닉스 HBM 반도체 매출 사상 최대",
		"news1":  "美 상무부, 중국 반도체 장비 수출 통제 확대",
		"kbs":    "반도체 인력 양성 대학원 3곳 추가 지정",
		"mbc":    "대만 TSMC 반도체 가격 인상 통보에 업계 긴장",
	}
	i := 0
	for feed, title := range titles {
		i++
		it := news(feed+"-1", title, now.Add(time.Duration(i)*time.Minute))
		it.FeedTitle = feed
		h.feeds.set(feed, it, news(feed+"-2", other[feed], now.Add(time.Duration(i)*time.Minute)))
	}
	h.cycle()
	h.at(11, 0)
	h.cycle()
	rec := h.chans["team"]
	if rec.messages() != 1 {
		t.Fatalf("messages = %d, want 1 digest", rec.messages())
	}
	var story *notify.Entry
	for _, e := range rec.got[0].Entries {
		if strings.Contains(e.Title, "특별법") {
			if story != nil {
				t.Fatalf("the syndicated story appears twice: %q and %q", story.Title, e.Title)
			}
			story = &e
		}
	}
	if story == nil || len(story.Also) != 4 {
		t.Fatalf("story entry = %+v, want one entry naming the 4 other outlets", story)
	}
	if n := len(rec.got[0].Entries); n != 6 {
		t.Errorf("entries = %d, want 6 (one story + five different stories)", n)
	}
	// A later copy from another outlet is held back within the story window.
	h.feeds.set("yna", news("yna-3", "정부, 반도체 특별법 국회 통과 거듭 촉구", h.clock.Now()))
	h.cycle()
	h.at(12, 0)
	h.cycle()
	if rec.messages() != 1 {
		t.Errorf("a repeated story was delivered again: %q", rec.titles())
	}
}

func TestReloadDoesNotRealertOldItems(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.feeds.set("yna", news("1", "반도체 업황 회복세", h.clock.Now()))
	h.cycle()
	h.cycle()
	cfg, err := config.Parse("w.yaml", []byte(strings.Replace(oneFeed, "[오픈소스, 트럼프]", "[오픈소스, 트럼프, 반도체]", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.bot.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	h.cycle()
	if got := h.chans["team"].titles(); len(got) != 0 {
		t.Fatalf("old item alerted after the keyword was added: %q", got)
	}
	h.feeds.set("yna", news("1", "반도체 업황 회복세", h.clock.Now()), news("2", "반도체 장비 수출 급증", h.clock.Now()))
	h.cycle()
	if got := h.chans["team"].titles(); len(got) != 1 || got[0] != "반도체 장비 수출 급증" {
		t.Errorf("after reload got %q, want only the new item", got)
	}
}

func TestMutedWatchIsNotDelivered(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.cycle()
	if err := h.store.PutMute(context.Background(), store.Mute{Target: "policy", Until: h.clock.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	h.feeds.set("yna", news("1", "트럼프 발언 논란", h.clock.Now()))
	h.cycle()
	if got := h.chans["team"].titles(); len(got) != 0 {
		t.Fatalf("muted watch delivered %q", got)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Hour))
	h.feeds.set("yna", news("1", "트럼프 발언 논란", h.clock.Now()), news("2", "트럼프 지지율 하락", h.clock.Now()))
	h.cycle()
	if got := h.chans["team"].titles(); len(got) != 1 {
		t.Errorf("after the mute expired got %q, want the new item", got)
	}
}

func TestFailingFeedIsRecordedAndOthersContinue(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.cycle()
	h.feeds.errs["newsis"] = &feeds.StatusError{URL: "https://newsis.example/rss", Code: 503, RetryAfter: time.Hour}
	h.feeds.set("yna", news("1", "오픈소스 라이선스 분쟁", h.clock.Now()))
	res := h.cycle()
	if len(h.chans["team"].titles()) != 1 {
		t.Fatalf("a failing feed stopped the others")
	}
	if res.Err() == nil {
		t.Errorf("the failing feed was not reported")
	}
	st, err := h.store.FeedState(context.Background(), "newsis")
	if err != nil || st.Failures != 1 || !strings.Contains(st.LastError, "503") || st.NextPoll.Before(h.clock.Now().Add(time.Hour)) {
		t.Errorf("feed state = %+v, %v; want one failure, its error, next poll after Retry-After", st, err)
	}
	if s := h.bot.Status(context.Background()); s.FeedsFailing != 1 || s.FeedsOK != 1 {
		t.Errorf("status feeds ok/failing = %d/%d, want 1/1", s.FeedsOK, s.FeedsFailing)
	}
}

// TestReplicasSharingAStoreSendOnce runs two bots on one database at once:
// leases keep them from polling a feed or delivering a channel together.
func TestReplicasSharingAStoreSendOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.cycle()
	st2, err := sqlite.Open(context.Background(), h.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st2.Close() })
	team2, other2 := &recorder{}, &recorder{}
	b2, err := New(Options{
		Config: h.bot.Config(), Store: st2, Fetcher: h.feeds, Owner: "replica-2",
		Notifiers: func(*config.Config) (map[string]notify.Notifier, error) {
			return map[string]notify.Notifier{"team": team2, "other": other2}, nil
		},
		Now: h.clock.Now, Sleep: h.clock.Sleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	heads := []string{
		"트럼프, 관세 25% 예고", "트럼프 행정부 반도체 보조금 재검토", "트럼프 \"동맹도 방위비 더 내야\"",
		"트럼프 지지율 40% 붕괴", "트럼프, 우크라이나 휴전안 제시", "백악관 앞 트럼프 반대 시위",
		"트럼프 2기 첫 국정연설", "트럼프 장남 방한 일정 공개", "트럼프와 시진핑 정상통화",
		"트럼프 측근 기소에 공화당 반발", "트럼프 발언에 원달러 환율 급등", "트럼프 캠프 선거자금 모금 신기록",
		"트럼프 소셜미디어 계정 복구", "트럼프, 연준 의장 교체 시사", "트럼프의 이민정책 법원서 제동",
		"트럼프 골프장서 기자회견", "트럼프 책 출간 첫날 매진", "트럼프 방위비 압박에 국방부 대응 고심",
		"트럼프 대선 토론회 불참 선언", "트럼프 전기차 세액공제 폐지 추진",
	}
	for i := range 20 {
		var items []feeds.Item
		for j := 0; j <= i; j++ {
			items = append(items, news(fmt.Sprint(j), heads[j], h.clock.Now()))
		}
		h.feeds.set("yna", items...)
		var wg sync.WaitGroup
		wg.Go(func() { h.bot.RunOnce(context.Background()) })
		wg.Go(func() { b2.RunOnce(context.Background()) })
		wg.Wait()
	}
	h.bot.RunOnce(context.Background())
	seen := map[string]int{}
	for _, r := range []*recorder{h.chans["team"], team2} {
		for _, tt := range r.titles() {
			seen[tt]++
		}
	}
	if len(seen) != len(heads) {
		t.Errorf("team got %d distinct items, want %d", len(seen), len(heads))
	}
	for tt, n := range seen {
		if n != 1 {
			t.Errorf("%q sent %d times", tt, n)
		}
	}
}

// flakyStore fails MarkSent a number of times, as a store blip would.
type flakyStore struct {
	store.Store
	mu             sync.Mutex
	failMarkSent   int
	markSentCalled int
}

func (s *flakyStore) MarkSent(ctx context.Context, ids []int64, at time.Time) error {
	s.mu.Lock()
	s.markSentCalled++
	fail := s.failMarkSent > 0
	if fail {
		s.failMarkSent--
	}
	s.mu.Unlock()
	if fail {
		return errors.New("database is locked")
	}
	return s.Store.MarkSent(ctx, ids, at)
}

func TestAcceptedButNotRecordedIsNeverResent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.cycle()
	fl := &flakyStore{Store: h.store, failMarkSent: 6}
	b, err := New(Options{
		Config: h.bot.Config(), Store: fl, Fetcher: h.feeds,
		Notifiers: func(*config.Config) (map[string]notify.Notifier, error) {
			return map[string]notify.Notifier{"team": h.chans["team"], "other": &recorder{}}, nil
		},
		Now: h.clock.Now, Sleep: h.clock.Sleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.feeds.set("yna", news("1", "트럼프 대선 출마 선언", h.clock.Now()))
	for range 3 {
		b.RunOnce(context.Background())
		h.clock.Set(h.clock.Now().Add(time.Hour))
	}
	if got := h.chans["team"].titles(); len(got) != 1 {
		t.Errorf("team got %q, want the item exactly once although recording failed", got)
	}
	if pend, _ := h.store.PendingAll(context.Background(), "team"); len(pend) != 0 {
		t.Errorf("the accepted row is still pending: %+v", pend)
	}
}

// failingPolls fails RecordPoll a number of times, as a store blip would.
type failingPolls struct {
	store.Store
	fail atomic.Int32
}

func (s *failingPolls) RecordPoll(ctx context.Context, p store.PollRecord) ([]store.Delivery, error) {
	if s.fail.Add(-1) >= 0 {
		return nil, errors.New("database is locked")
	}
	return s.Store.RecordPoll(ctx, p)
}

// TestFailedPollRecordLeavesItemsUnseen: when the one write of a poll
// fails, nothing of it is recorded but the failure: the next poll finds
// the same items new and alerts them once.
func TestFailedPollRecordLeavesItemsUnseen(t *testing.T) {
	h := newHarness(t, oneFeed)
	h.cycle()
	fp := &failingPolls{Store: h.store}
	b, err := New(Options{
		Config: h.bot.Config(), Store: fp, Fetcher: h.feeds,
		Notifiers: func(*config.Config) (map[string]notify.Notifier, error) {
			return map[string]notify.Notifier{"team": h.chans["team"], "other": &recorder{}}, nil
		},
		Now: h.clock.Now, Sleep: h.clock.Sleep, Jitter: func(time.Duration) time.Duration { return 0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	h.feeds.set("yna", news("1", "트럼프 대선 출마 선언", h.clock.Now()))
	fp.fail.Store(1)
	f := b.Config().Feeds[0]
	if pr := b.pollFeed(context.Background(), b.rt.Load(), f, nil); pr.Err == nil || pr.New != 0 || pr.Matches != 0 {
		t.Fatalf("poll with a failed record = %+v, want an error and nothing new", pr)
	}
	st, err := h.store.FeedState(context.Background(), "yna")
	if err != nil || st.Failures != 1 || !strings.Contains(st.LastError, "database is locked") {
		t.Fatalf("state after the failed record = %+v, %v; want one failure with its error", st, err)
	}
	if unseen, _ := h.store.Unseen(context.Background(), "yna", []string{"1"}); len(unseen) != 1 {
		t.Fatal("the item was marked seen although its poll was not recorded")
	}
	h.clock.Set(h.clock.Now().Add(time.Hour))
	b.RunOnce(context.Background())
	h.clock.Set(h.clock.Now().Add(time.Hour))
	b.RunOnce(context.Background())
	if got := h.chans["team"].titles(); len(got) != 1 {
		t.Errorf("team got %q, want the item once", got)
	}
	if st, _ := h.store.FeedState(context.Background(), "yna"); st.Failures != 0 || st.ItemsSeen != 1 {
		t.Errorf("state after the next polls = %+v, want healthy with one item seen", st)
	}
}

func TestFeedURLChangeIsAFirstPoll(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.feeds.set("yna", news("1", "트럼프 관세 발표", h.clock.Now()))
	h.cycle()
	cfg, err := config.Parse("w.yaml", []byte(strings.Replace(oneFeed, "https://yna.example/rss", "https://yna.example/rss2", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.bot.Apply(cfg); err != nil {
		t.Fatal(err)
	}
	h.feeds.set("yna", news("old-1", "트럼프 지지율 조사", h.clock.Now()), news("old-2", "오픈소스 정책 토론회", h.clock.Now()))
	h.cycle()
	if got := h.chans["team"].titles(); len(got) != 0 {
		t.Errorf("the new URL's existing items were delivered: %q", got)
	}
}

func TestInstantWatchWinsOverDigestOnOneChannel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, `
feeds: [{name: yna, url: "https://yna.example/rss"}]
channels: {team: {console: {}}}
watches:
  - {name: daily, keywords: [반도체], channels: [team], digest: {at: ["09:00"]}}
  - {name: breaking, keywords: [속보], channels: [team]}
`)
	h.at(10, 0)
	h.cycle()
	h.feeds.set("yna", news("1", "[속보] 반도체 공장 화재", h.clock.Now()))
	h.cycle()
	got := h.chans["team"].titles()
	if len(got) != 1 {
		t.Fatalf("team got %q, want the item now (the instant watch), not tomorrow", got)
	}
	if w := h.chans["team"].got[0].Entries[0].Watch; w != "breaking" {
		t.Errorf("delivered under watch %q, want breaking", w)
	}
	h.at(9+24, 0)
	h.cycle()
	if n := len(h.chans["team"].titles()); n != 1 {
		t.Errorf("delivered again at the digest time")
	}
}

func TestFlushSendsRowsWaitingToRetry(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.cycle()
	dead := errors.New("webhook 500")
	h.chans["team"].fail = []error{dead, dead, dead, dead}
	h.feeds.set("yna", news("1", "오픈소스 보안 사고", h.clock.Now()))
	h.cycle()
	if n, err := h.bot.Flush(context.Background(), "team"); err != nil || n != 1 {
		t.Fatalf("Flush = %d, %v; want the failed row sent now", n, err)
	}
}

func TestRunOnceLeavesFailingFeedsInBackoff(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	calls := 0
	h.feeds.errs["newsis"] = &feeds.StatusError{URL: "https://newsis.example/rss", Code: 429, RetryAfter: time.Hour}
	for range 3 {
		res := h.cycle()
		for _, p := range res.Polls {
			if p.Feed == "newsis" {
				calls++
			}
		}
		h.clock.Set(h.clock.Now().Add(time.Minute))
	}
	if calls != 1 {
		t.Errorf("a feed that asked for an hour was polled %d times in 3 minutes", calls)
	}
}

func TestJitterSpread(t *testing.T) {
	t.Parallel()
	b := &Bot{}
	lo, hi := time.Duration(0), time.Duration(0)
	for range 2000 {
		j := b.jitter(time.Minute)
		if j < -time.Minute || j > time.Minute {
			t.Fatalf("jitter %v outside ±1m", j)
		}
		lo, hi = min(lo, j), max(hi, j)
	}
	if lo > -50*time.Second || hi < 50*time.Second {
		t.Errorf("jitter spans only %v..%v of ±1m", lo, hi)
	}
}

func TestReloadRebuildsFetcherOnlyWhenItsSettingsChange(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	builds := 0
	cfg := h.bot.Config()
	b, err := New(Options{
		Config: cfg, Store: h.store,
		NewFetcher: func(*config.Config) feeds.Fetcher { builds++; return h.feeds },
		Notifiers: func(*config.Config) (map[string]notify.Notifier, error) {
			return map[string]notify.Notifier{}, nil
		},
		Now: h.clock.Now, Sleep: h.clock.Sleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	apply := func(yaml string) {
		t.Helper()
		c, err := config.Parse("w.yaml", []byte(yaml), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Apply(c); err != nil {
			t.Fatal(err)
		}
	}
	apply(strings.Replace(oneFeed, "[오픈소스, 트럼프]", "[오픈소스]", 1))
	if builds != 1 {
		t.Errorf("a keyword edit rebuilt the fetcher (%d builds)", builds)
	}
	apply(oneFeed + "security: {allow_private_feeds: true}\n")
	if builds != 2 {
		t.Errorf("a security change did not rebuild the fetcher (%d builds)", builds)
	}
}

func TestRunOnceReportsAlertsWaitingForRetry(t *testing.T) {
	t.Parallel()
	h := newHarness(t, `
feeds: [{name: yna, url: "https://yna.example/rss"}]
channels: {team: {console: {}}, later: {console: {}}}
watches:
  - {name: now, keywords: [트럼프], channels: [team]}
  - {name: digest, keywords: [트럼프], channels: [later], digest: {every: 1h}}
`)
	h.cycle()
	dead := errors.New("webhook 500")
	h.chans["team"].fail = []error{dead, dead, dead, dead, dead, dead, dead, dead}
	h.feeds.set("yna", news("1", "트럼프, 새 관세 발표", h.clock.Now()))
	first := h.cycle()
	if first.Overdue() != 1 {
		t.Fatalf("first cycle overdue = %d, want 1 (backlog %+v)", first.Overdue(), first.Backlog)
	}
	// The next cycle does not try the row (it waits for its retry) and
	// sends nothing, but must still say the alert is undelivered.
	second := h.cycle()
	if second.Undelivered() != 0 || second.Err() != nil {
		t.Fatalf("second cycle tried the row in its backoff: undelivered %d, err %v", second.Undelivered(), second.Err())
	}
	var team, later *Backlog
	for i := range second.Backlog {
		switch second.Backlog[i].Channel {
		case "team":
			team = &second.Backlog[i]
		case "later":
			later = &second.Backlog[i]
		}
	}
	if team == nil || team.Overdue != 1 || !team.NextRetry.After(h.clock.Now()) || team.LastError == "" {
		t.Fatalf("team backlog = %+v, want 1 overdue with its next retry and error", team)
	}
	if later == nil || later.Overdue != 0 || later.Waiting != 1 || !later.NextDue.After(h.clock.Now()) {
		t.Fatalf("later backlog = %+v, want 1 waiting for its digest and none overdue", later)
	}
	if second.Overdue() != 1 {
		t.Errorf("overdue = %d, want 1", second.Overdue())
	}
	// Once the retry succeeds, nothing is overdue.
	h.chans["team"].fail = nil
	h.clock.Set(team.NextRetry.Add(time.Second))
	if third := h.cycle(); third.Overdue() != 0 {
		t.Errorf("after the retry overdue = %d, want 0", third.Overdue())
	}
}

func TestItemSeenUnderItsLegacyKeyIsNotAlertedAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.cycle()
	// An earlier version keyed a GUID-less item by its link.
	old := news("https://yna.example/a/1", "트럼프, 새 관세 발표", h.clock.Now())
	h.feeds.set("yna", old)
	h.cycle()
	if got := h.chans["team"].titles(); len(got) != 1 {
		t.Fatalf("team got %q, want the item once", got)
	}
	// The new version keys it by link and title, and names the old key.
	renamed := old
	renamed.Key, renamed.LegacyKey = old.Key+"#title=1", old.Key
	fresh := news("https://yna.example/a/2#title=2", "트럼프, 관세 유예", h.clock.Now())
	fresh.LegacyKey = "https://yna.example/a/2"
	h.feeds.set("yna", renamed, fresh)
	h.cycle()
	if got := h.chans["team"].titles(); len(got) != 2 || got[1] != "트럼프, 관세 유예" {
		t.Fatalf("team got %q, want the old item once and the new one", got)
	}
	h.cycle()
	if got := h.chans["team"].titles(); len(got) != 2 {
		t.Errorf("a later cycle alerted again: %q", got)
	}
}

func TestRepairsSkipsAndUndatedItemsAreCounted(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	h.cycle()
	undated := news("1", "트럼프, 새 관세 발표", time.Time{})
	undated.Undated, undated.FirstSeen = true, h.clock.Now()
	h.feeds.set("yna", undated, news("2", "오픈소스 재단 설립", h.clock.Now()))
	h.feeds.stats["yna"] = feeds.Stats{
		Repairs: 2, ForbiddenChars: 1, Duplicates: 3,
		Fixes:          map[string]int{"unclosed-element-closed": 1},
		SkippedReasons: map[string]int{"empty": 4},
	}
	h.cycle()
	for _, c := range []struct {
		metric string
		labels []string
		want   float64
	}{
		{"newshound_items_undated_total", []string{"yna"}, 1},
		{"newshound_feed_repairs_total", []string{"yna", "charset"}, 2},
		{"newshound_feed_repairs_total", []string{"yna", "forbidden_char"}, 1},
		{"newshound_feed_repairs_total", []string{"yna", "unclosed-element-closed"}, 1},
		{"newshound_items_skipped_total", []string{"yna", "duplicate"}, 3},
		{"newshound_items_skipped_total", []string{"yna", "empty"}, 4},
	} {
		got := gather(t, h.reg, c.metric)[strings.Join(c.labels, ",")].value
		if got != c.want {
			t.Errorf("%s%v = %v, want %v", c.metric, c.labels, got, c.want)
		}
	}
	// The undated item is alerted with the time first seen, and says so.
	var found bool
	for _, m := range h.chans["team"].got {
		for _, e := range m.Entries {
			if e.Title == undated.Title {
				found = true
				if !e.Undated || !e.Published.Equal(h.clock.Now()) {
					t.Errorf("undated entry: Undated %v, Published %v; want true and the time first seen", e.Undated, e.Published)
				}
			}
		}
	}
	if !found {
		t.Error("the undated item was not alerted")
	}
}

// countingFetcher counts fetches per feed.
type countingFetcher struct {
	*fetcher
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingFetcher) Fetch(ctx context.Context, src feeds.Source, v feeds.Validators) (feeds.Result, error) {
	c.mu.Lock()
	c.calls[src.Name]++
	c.mu.Unlock()
	return c.fetcher.Fetch(ctx, src, v)
}

func (c *countingFetcher) count(feed string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[feed]
}

// TestRunOnceFeedsForcesThoseFeedsOnly checks run --once --feed: the
// named feeds are polled even in their backoff, the others not at all,
// and what they match is delivered in the same cycle.
func TestRunOnceFeedsForcesThoseFeedsOnly(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed)
	cf := &countingFetcher{fetcher: h.feeds, calls: map[string]int{}}
	h.bot.rt.Load().fetcher = cf
	ctx := context.Background()
	h.cycle() // the first polls
	h.feeds.errs["newsis"] = &feeds.StatusError{URL: "https://newsis.example/rss", Code: 503, RetryAfter: time.Hour}
	h.cycle() // newsis fails and now waits an hour
	h.clock.Set(h.clock.Now().Add(time.Minute))
	delete(h.feeds.errs, "newsis")
	h.feeds.set("newsis", news("n1", "트럼프, 새 관세 발표", h.clock.Now()))
	h.feeds.set("yna", news("y1", "오픈소스 재단 설립", h.clock.Now()))

	if res := h.cycle(); len(res.Polls) != 1 || res.Polls[0].Feed != "yna" {
		t.Fatalf("plain cycle polled %+v, want yna only (newsis in backoff)", res.Polls)
	}
	before := map[string]int{"yna": cf.count("yna"), "newsis": cf.count("newsis")}
	res, err := h.bot.RunOnceFeeds(ctx, []string{"newsis", "newsis"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cf.count("newsis") - before["newsis"]; got != 1 {
		t.Errorf("newsis fetched %d times, want 1 (named twice, in backoff)", got)
	}
	if got := cf.count("yna") - before["yna"]; got != 0 {
		t.Errorf("yna fetched %d times, want 0 (not named)", got)
	}
	if len(res.Polls) != 1 || res.Polls[0].Err != nil || res.Polls[0].New != 1 || res.Polls[0].Matches != 2 {
		t.Errorf("polls = %+v, want newsis with 1 new item and 2 matches", res.Polls)
	}
	titles := h.chans["team"].titles()
	if len(titles) != 2 || titles[1] != "트럼프, 새 관세 발표" {
		t.Errorf("team got %q, want the forced feed's item delivered in the same cycle", titles)
	}
	st, err := h.store.FeedState(ctx, "newsis")
	if err != nil || st.Failures != 0 {
		t.Errorf("newsis state = %+v, %v; want its failures cleared", st, err)
	}

	for _, names := range [][]string{{"newsys"}, {"yna", "nope"}} {
		n := cf.count("yna") + cf.count("newsis")
		res, err := h.bot.RunOnceFeeds(ctx, names)
		if !errors.Is(err, ErrUnknownFeed) || !strings.Contains(err.Error(), names[len(names)-1]) {
			t.Errorf("RunOnceFeeds(%q) = %v, want ErrUnknownFeed naming %q", names, err, names[len(names)-1])
		}
		if len(res.Polls) != 0 || cf.count("yna")+cf.count("newsis") != n {
			t.Errorf("RunOnceFeeds(%q) polled %+v with an unknown name", names, res.Polls)
		}
	}
}

// TestFailedPollLogsNextTry checks that every failed poll logs when the
// feed is tried next, in the watchlist timezone, and why then.
func TestFailedPollLogsNextTry(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneFeed+"timezone: Asia/Seoul\n")
	var buf syncBuffer
	b, err := New(Options{
		Config: h.bot.Config(), Store: h.store, Fetcher: h.feeds,
		Notifiers: func(*config.Config) (map[string]notify.Notifier, error) {
			return map[string]notify.Notifier{"team": &recorder{}, "other": &recorder{}}, nil
		},
		Now: h.clock.Now, Sleep: h.clock.Sleep,
		Jitter: func(time.Duration) time.Duration { return 0 },
		Logger: slog.New(slog.NewTextHandler(&buf, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name string
		err  error
		want []string
	}{
		// 10:00 UTC is 19:00 KST; the poll interval is 5m.
		{"first failure", errors.New("connection refused"),
			[]string{`next_try="2026-11-26 19:10:00 KST (in 10m)"`, `backoff="step 1: 10m (interval 5m doubled per failure)"`}},
		{"second failure", errors.New("connection refused"),
			[]string{`next_try="2026-11-26 19:20:00 KST (in 20m)"`, `backoff="step 2: 20m (interval 5m doubled per failure)"`}},
		{"server asks for longer", &feeds.StatusError{URL: "https://newsis.example/rss", Code: 429, RetryAfter: 2 * time.Hour},
			[]string{`next_try="2026-11-26 21:00:00 KST (in 2h)"`, `backoff="2h, as the server asked (Retry-After)"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf.Reset()
			h.feeds.mu.Lock()
			h.feeds.errs["newsis"] = tt.err
			h.feeds.mu.Unlock()
			if _, _, err := b.PollNow(ctx, "newsis"); err == nil {
				t.Fatal("the poll did not fail")
			}
			var line string
			for l := range strings.SplitSeq(buf.String(), "\n") {
				if strings.Contains(l, "feed poll failed") {
					line = l
				}
			}
			if line == "" {
				t.Fatalf("no failure logged:\n%s", buf.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(line, w) {
					t.Errorf("log line lacks %s:\n%s", w, line)
				}
			}
		})
	}
}

func TestBackoffStep(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		interval   time.Duration
		failures   int
		retryAfter time.Duration
		want       string
	}{
		{5 * time.Minute, 1, 0, "step 1: 10m (interval 5m doubled per failure)"},
		{5 * time.Minute, 3, 0, "step 3: 40m (interval 5m doubled per failure)"},
		{5 * time.Minute, 3, 10 * time.Minute, "step 3: 40m (interval 5m doubled per failure)"},
		{5 * time.Minute, 9, 0, "step 9: 6h (interval 5m doubled per failure, the cap)"},
		{90 * time.Second, 2, 0, "step 2: 6m (interval 1m30s doubled per failure)"},
		{5 * time.Minute, 1, 48 * time.Hour, "24h, as the server asked (Retry-After)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := backoffStep(now, tt.interval, tt.failures, tt.retryAfter); got != tt.want {
				t.Errorf("backoffStep(%v, %d, %v) = %q, want %q", tt.interval, tt.failures, tt.retryAfter, got, tt.want)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a
// logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}

// trustFetcher records whether each feed was fetched as untrusted.
type trustFetcher struct {
	mu        sync.Mutex
	untrusted map[string]bool
}

func (f *trustFetcher) Fetch(_ context.Context, src feeds.Source, _ feeds.Validators) (feeds.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.untrusted[src.Name] = src.Untrusted
	return feeds.Result{NotModified: true}, nil
}

// metaFailing fails MetaPrefix and GetMeta, as a store blip would.
type metaFailing struct{ store.Store }

func (metaFailing) MetaPrefix(context.Context, string) (map[string]string, error) {
	return nil, errors.New("database is locked")
}

func (metaFailing) GetMeta(context.Context, string) (string, error) {
	return "", errors.New("database is locked")
}

// TestChatFeedsPolledUntrusted: a feed whose URL the command core
// recorded as added from chat is fetched as untrusted, in a cycle, in the
// daemon's polls and in PollNow, until its record no longer names its
// URL; when the records cannot be read every feed is (fail closed).
func TestChatFeedsPolledUntrusted(t *testing.T) {
	h := newHarness(t, oneFeed)
	ctx := context.Background()
	tf := &trustFetcher{untrusted: map[string]bool{}}
	h.bot.rt.Load().fetcher = tf
	check := func(what string, want map[string]bool) {
		t.Helper()
		tf.mu.Lock()
		defer tf.mu.Unlock()
		if !maps.Equal(tf.untrusted, want) {
			t.Errorf("%s: untrusted %v, want %v", what, tf.untrusted, want)
		}
		clear(tf.untrusted)
	}
	if err := h.store.SetMeta(ctx, command.UntrustedFeedKey("yna"), "https://yna.example/rss"); err != nil {
		t.Fatal(err)
	}
	h.bot.RunOnce(ctx)
	check("cycle", map[string]bool{"yna": true, "newsis": false})
	rt := h.bot.rt.Load()
	var wg sync.WaitGroup
	for _, f := range rt.cfg.Feeds {
		h.bot.claim(h.bot.polling, f.Name)
	}
	h.bot.startPolls(ctx, rt, rt.cfg.Feeds, h.bot.readTrustMarks(ctx), &wg)
	wg.Wait()
	check("daemon", map[string]bool{"yna": true, "newsis": false})
	if _, _, err := h.bot.PollNow(ctx, "yna"); err != nil {
		t.Fatal(err)
	}
	check("poll now", map[string]bool{"yna": true})

	// Trusted again: the record no longer names the URL.
	if err := h.store.SetMeta(ctx, command.UntrustedFeedKey("yna"), ""); err != nil {
		t.Fatal(err)
	}
	h.bot.RunOnce(ctx)
	check("cycle after trust", map[string]bool{"yna": false, "newsis": false})

	b := h.replica("blip", metaFailing{h.store}, h.chans["team"], time.Minute, 20*time.Second)
	b.rt.Load().fetcher = tf
	b.RunOnce(ctx)
	check("records unreadable", map[string]bool{"yna": true, "newsis": true})
}

// unseenCounter counts Unseen calls.
type unseenCounter struct {
	store.Store
	calls atomic.Int32
}

func (s *unseenCounter) Unseen(ctx context.Context, feed string, keys []string) ([]string, error) {
	s.calls.Add(1)
	return s.Store.Unseen(ctx, feed, keys)
}

// TestFirstPollAsksNoSeenKeys: a feed with no state was never recorded,
// so its first poll does not ask the store which items were seen; later
// polls do. An alert queued for a key left seen without a state (by an
// earlier version that crashed between its writes) is not queued twice.
func TestFirstPollAsksNoSeenKeys(t *testing.T) {
	h := newHarness(t, instantAndDigest)
	ctx := context.Background()
	uc := &unseenCounter{Store: h.store}
	b := h.replica("a", uc, h.chans["team"], time.Minute, 20*time.Second)
	b.opt.Jitter = func(time.Duration) time.Duration { return 0 }
	f := b.Config().Feeds[0]
	f.Backfill = 10
	now := h.clock.Now()
	// What the crash left: the key seen and its alert queued, no state.
	if _, err := h.store.MarkSeen(ctx, "yna", []string{"1"}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.Enqueue(ctx, []store.Delivery{{Channel: "team", ItemKey: "yna\x001", Watch: "now", Feed: "yna", Title: "트럼프 관세 발표", Created: now, Due: now}}); err != nil {
		t.Fatal(err)
	}
	h.feeds.set("yna", news("1", "트럼프 관세 발표", now), news("2", "트럼프 새 관세", now))
	if pr := b.pollFeed(ctx, b.rt.Load(), f, nil); pr.Err != nil || pr.New != 2 {
		t.Fatalf("first poll = %+v, want both items new", pr)
	}
	if n := uc.calls.Load(); n != 0 {
		t.Errorf("first poll asked for seen keys %d times", n)
	}
	pend, err := h.store.PendingAll(ctx, "team")
	if err != nil {
		t.Fatal(err)
	}
	if keys := len(pend); keys != 2 || pend[0].ItemKey != "yna\x001" || pend[1].ItemKey != "yna\x002" {
		t.Errorf("pending %+v, want item 1 once and item 2", pend)
	}
	h.feeds.set("yna", news("1", "트럼프 관세 발표", now), news("2", "트럼프 새 관세", now), news("3", "트럼프 관세 철회", now))
	if pr := b.pollFeed(ctx, b.rt.Load(), f, nil); pr.Err != nil || pr.New != 1 || uc.calls.Load() != 1 {
		t.Errorf("second poll = %+v after %d Unseen calls, want item 3 new after one", pr, uc.calls.Load())
	}
}
