package console

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
)

func TestSendPrintsEachFieldOnce(t *testing.T) {
	seoul := time.FixedZone("KST", 9*3600)
	m := notify.Message{
		Header:   "ai-policy: 1 new",
		Location: seoul,
		Entries: []notify.Entry{{
			Watch: "ai-policy", Source: "연합뉴스", Title: "트럼프, \x1b[31mAI 국가안보각서\x1b[0m 서명",
			Link: "https://www.yna.co.kr/view/AKR1", Published: time.Date(2024, 11, 19, 1, 0, 0, 0, time.UTC),
			Terms: []string{"트럼프", "AI 국가안보각서"}, Also: []notify.Source{{Name: "뉴스1"}},
		}},
		More: 2,
	}
	var buf bytes.Buffer
	n, err := New("terminal", config.ConsoleChannel{}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if parts := n.Split(m); len(parts) != 1 {
		t.Fatalf("split into %d parts, want 1", len(parts))
	}
	if err := n.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for want, count := range map[string]int{
		"트럼프, [31mAI 국가안보각서[0m 서명":        1, // escape byte removed
		"https://www.yna.co.kr/view/AKR1": 1,
		"2024-11-19 10:00 KST":            1,
		"matched: 트럼프, AI 국가안보각서":         1,
		"+1: 뉴스1":    1,
		"and 2 more": 1,
		"\x1b":       0,
	} {
		if got := strings.Count(out, want); got != count {
			t.Errorf("%q appears %d times, want %d:\n%s", want, got, count, out)
		}
	}
}

func TestJSONFormat(t *testing.T) {
	var buf bytes.Buffer
	n, err := New("terminal", config.ConsoleChannel{Format: "json"}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	m := notify.Message{Entries: []notify.Entry{{Watch: "w", Title: "<b>오픈소스</b>", Link: "https://a.example/?a=1&b=2"}, {Watch: "w", Title: "둘"}}}
	if err := n.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want one per entry:\n%s", len(lines), buf.String())
	}
	var e struct {
		Channel, Title, Link string
	}
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil {
		t.Fatal(err)
	}
	if e.Channel != "terminal" || e.Title != "<b>오픈소스</b>" || e.Link != "https://a.example/?a=1&b=2" {
		t.Errorf("decoded %+v", e)
	}
	if _, err := New("x", config.ConsoleChannel{Format: "xml"}, &buf); err == nil {
		t.Error("unknown format accepted")
	}
}
