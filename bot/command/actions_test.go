package command

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/match"
	"github.com/newshound/newshound/report"
	"github.com/newshound/newshound/store"
)

func TestActionValues(t *testing.T) {
	t.Parallel()
	for _, a := range []Action{
		{Kind: ActionMuteStory, Row: 1}, {Kind: ActionNotRelevant, Row: 42}, {Kind: ActionMuteWatch, Row: 9},
		{Kind: ActionExclude, Row: 7, Term: "삼성전자"}, {Kind: ActionExclude, Row: 7, Term: "SK-하이닉스"},
	} {
		got, err := ParseAction(a.String())
		if err != nil || got != a {
			t.Errorf("ParseAction(%q) = %+v, %v; want %+v", a.String(), got, err, a)
		}
	}
	for _, v := range []string{"", "nh1:", "nh1:ms", "nh1:ms:0", "nh1:ms:-1", "nh1:ms:01", "nh1:ms:1:x", "nh1:zz:1",
		"nh1:ex:1", "nh1:ex:1:a", "nh1:ex:1:two words", "nh1:ex:1:\"q\"", "nh1:ex:1:-x", "other:ms:1", "nh1:ex:1:" + strings.Repeat("가", 40),
		"nh1:ms:99999999999999999999", "nh1:ex:1:OR"} {
		if a, err := ParseAction(v); err == nil {
			t.Errorf("ParseAction(%q) = %+v, want an error", v, a)
		}
	}
	if n := len([]rune(Action{Kind: ActionExclude, Row: 1 << 62, Term: strings.Repeat("가", match.MaxTermRunes)}.String())); n > maxActionValue {
		t.Errorf("the longest action value has %d characters, over Discord's 100", n)
	}
}

func FuzzParseAction(f *testing.F) {
	for _, s := range []string{"nh1:ms:1", "nh1:ex:7:삼성전자", "nh1:nr:12", "x", "nh1:ex:1:a.b-c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		a, err := ParseAction(v)
		if err != nil {
			return
		}
		if a.String() != v {
			t.Errorf("ParseAction(%q) = %+v, which encodes as %q", v, a, a.String())
		}
		if a.Kind == ActionExclude && !match.ValidTerm(a.Term) {
			t.Errorf("ParseAction(%q) accepted term %q", v, a.Term)
		}
	})
}

// alertRow enqueues and sends an alert row of channel general.
func alertRow(t *testing.T, e *env, title string) store.Delivery {
	t.Helper()
	ds, err := e.bot.st.Enqueue(context.Background(), []store.Delivery{{Channel: "general", ItemKey: "f\x00" + title, Watch: "chips", Feed: "local", Title: title, Link: "https://a.example/1", Created: testNow}})
	if err != nil || len(ds) != 1 {
		t.Fatalf("enqueue: %v", err)
	}
	if err := e.bot.st.MarkSent(context.Background(), []int64{ds[0].ID}, testNow); err != nil {
		t.Fatal(err)
	}
	return ds[0]
}

func TestActs(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	ctx := context.Background()
	admin := Request{Platform: "slack", User: "UADMIN", UserName: "kim", ChannelID: "C0GENERAL"}
	row := alertRow(t, e, "[속보] 삼성전자, HBM 공급 계약 체결")

	// Not an admin: refused, nothing recorded.
	if r := e.core.Act(ctx, Request{Platform: "slack", User: "U2", ChannelID: "C0GENERAL"}, Action{Kind: ActionMuteStory, Row: row.ID}); !strings.Contains(r.Text, "Only watchlist admins") && !strings.Contains(r.Text, "관리자만") {
		t.Errorf("non-admin mute story: %q", r.Text)
	}
	// Another channel's alert: refused.
	if r := e.core.Act(ctx, Request{Platform: "discord", User: "999", ChannelID: "111"}, Action{Kind: ActionMuteStory, Row: row.ID}); !strings.Contains(r.Text, "더 이상") {
		t.Errorf("a click in another channel: %q", r.Text)
	}
	if r := e.core.Act(ctx, admin, Action{Kind: ActionMuteStory, Row: 1 << 40}); !strings.Contains(r.Text, "no longer known") {
		t.Errorf("unknown row: %q", r.Text)
	}

	r := e.core.Act(ctx, admin, Action{Kind: ActionMuteStory, Row: row.ID})
	if r.Public || !strings.Contains(r.Text, "general") {
		t.Errorf("mute story reply: %+v", r)
	}
	r = e.core.Act(ctx, admin, Action{Kind: ActionMuteWatch, Row: row.ID})
	if !strings.Contains(r.Text, "chips") {
		t.Errorf("mute watch reply: %q", r.Text)
	}
	mutes, err := e.bot.st.Mutes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]store.Mute{}
	for _, m := range mutes {
		got[m.Target] = m
	}
	if m, ok := got[store.StoryMuteTarget("general", row.ID)]; !ok || !m.Until.Equal(testNow.Add(24*time.Hour)) {
		t.Errorf("story mute = %+v, want one for the story window", m)
	}
	if m, ok := got["chips"]; !ok || !m.Until.Equal(testNow.Add(time.Hour)) {
		t.Errorf("watch mute = %+v, want until an hour from now", m)
	}

	r = e.core.Act(ctx, admin, Action{Kind: ActionNotRelevant, Row: row.ID})
	var terms []string
	for _, b := range r.Buttons {
		a, err := ParseAction(b.Value)
		if err != nil || a.Kind != ActionExclude || a.Row != row.ID {
			t.Errorf("button %+v: %v", b, err)
		}
		terms = append(terms, a.Term)
	}
	if strings.Join(terms, ",") != "삼성전자,HBM,공급,계약,체결" {
		t.Errorf("exclude suggestions %q, want the headline's words without 속보", terms)
	}
	before := string(e.file())
	r = e.core.Act(ctx, admin, Action{Kind: ActionExclude, Row: row.ID, Term: "삼성전자"})
	if !strings.Contains(r.Text, "삼성전자") || string(e.file()) == before || !strings.Contains(string(e.file()), "exclude") {
		t.Errorf("exclude: reply %q, file:\n%s", r.Text, e.file())
	}
	r = e.core.Act(ctx, admin, Action{Kind: ActionNotRelevant, Row: row.ID})
	for _, b := range r.Buttons {
		if strings.Contains(b.Label, "삼성전자") {
			t.Errorf("a term the watch excludes is offered again: %+v", r.Buttons)
		}
	}

	if h := e.run(admin, "history"); !strings.Contains(h.Text, "button mute story in general") || !strings.Contains(h.Text, "button exclude 삼성전자 from chips") {
		t.Errorf("/news history does not show the button actions: %q", h.Text)
	}
	edits, err := e.bot.st.Edits(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var history []string
	for _, ed := range edits {
		history = append(history, ed.Command)
	}
	for _, want := range []string{"button mute story in general", "button mute watch chips", "button not relevant to chips", "button exclude 삼성전자 from chips"} {
		if !strings.Contains(strings.Join(history, "\n"), want) {
			t.Errorf("history lacks %q: %q", want, history)
		}
	}
}

// failingVotes is a store whose votes cannot be recorded.
type failingVotes struct{ store.Store }

func (failingVotes) RecordVote(context.Context, store.Vote) error { return errors.New("disk full") }

// TestNotRelevantRecordsVote: the button records one vote per voter and
// alert, with the alert's text; a vote that cannot be recorded is said to
// the clicker and logged, and the exclude: buttons still come.
func TestNotRelevantRecordsVote(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	ctx := context.Background()
	ds, err := e.bot.st.Enqueue(ctx, []store.Delivery{{Channel: "general", ItemKey: "local\x001", Watch: "chips", Feed: "local",
		Title: "[칼럼] HBM 시대의 단상", Link: "https://a.example/1", Payload: []byte(`{"title":"[칼럼] HBM 시대의 단상","snippet":"반도체 칼럼니스트의 글"}`), Created: testNow}})
	if err != nil {
		t.Fatal(err)
	}
	row := ds[0]
	kim := Request{Platform: "slack", User: "UADMIN", UserName: "kim", ChannelID: "C0GENERAL"}
	for range 2 { // a second click by the same person counts once
		if r := e.core.Act(ctx, kim, Action{Kind: ActionNotRelevant, Row: row.ID}); !strings.Contains(r.Text, "Noted as not relevant") && !strings.Contains(r.Text, "기록했습니다") {
			t.Errorf("not relevant reply: %q", r.Text)
		}
	}
	votes, err := e.bot.st.VotesBetween(ctx, "", testNow.Add(-time.Hour), testNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := store.Vote{Watch: "chips", Channel: "general", Row: row.ID, ItemKey: "local\x001", Title: "[칼럼] HBM 시대의 단상",
		Snippet: "반도체 칼럼니스트의 글", Voter: "slack:UADMIN", At: testNow}
	if len(votes) != 1 || votes[0] != want {
		t.Errorf("votes = %+v, want one: %+v", votes, want)
	}

	e.bot.st = failingVotes{e.bot.st}
	r := e.core.Act(ctx, kim, Action{Kind: ActionNotRelevant, Row: row.ID})
	if !strings.Contains(r.Text, "couldn't record your vote") && !strings.Contains(r.Text, "기록하지 못했습니다") || len(r.Buttons) == 0 {
		t.Errorf("a vote that failed: reply %+v, want the failure said and the exclude: buttons", r)
	}
	if !strings.Contains(e.logs.String(), "recording a not-relevant vote") || !strings.Contains(e.logs.String(), "disk full") {
		t.Errorf("the failed vote is not logged:\n%s", e.logs.String())
	}
}

// TestNotRelevantInReport: a click on "Not relevant" shows in the report
// of the watch (report.Build, which `/news report` and `newshound report`
// use): the share of its alerts voted not relevant.
func TestNotRelevantInReport(t *testing.T) {
	t.Parallel()
	e := setup(t, nil, nil)
	ctx := context.Background()
	kim := Request{Platform: "slack", User: "UADMIN", UserName: "kim", ChannelID: "C0GENERAL"}
	rows := []store.Delivery{alertRow(t, e, "[칼럼] HBM 시대의 단상"), alertRow(t, e, "HBM 공급 계약 체결"), alertRow(t, e, "HBM 수출 사상 최대")}
	if r := e.core.Act(ctx, kim, Action{Kind: ActionNotRelevant, Row: rows[0].ID}); len(r.Buttons) == 0 {
		t.Fatalf("not relevant reply: %+v", r)
	}
	cfg := e.bot.Config()
	from, to := report.Period(testNow.Add(time.Minute), 7, cfg.Location, false)
	r, err := report.Build(ctx, e.bot.st, cfg, []string{"chips"}, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if w := r.Watches[0]; w.Alerts != 3 || w.NotRelevant != 1 {
		t.Errorf("report of chips: %d of %d alerts not relevant, want 1 of 3", w.NotRelevant, w.Alerts)
	}
	if want := "Not relevant: 1 of 3 alerts (33%)"; !strings.Contains(r.Text(), want) {
		t.Errorf("report lacks %q:\n%s", want, r.Text())
	}
}
