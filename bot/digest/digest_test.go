package digest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/newshound/newshound/bot/notify"
	"github.com/newshound/newshound/config"
)

var base = time.Date(2022, 7, 30, 6, 0, 0, 0, time.UTC)

func entry(id int64, watch, source, title string, minute int) notify.Entry {
	return notify.Entry{
		ID: id, Watch: watch, Feed: source + "-feed", Source: source, Title: title,
		Link:      fmt.Sprintf("https://news.example/%d", id),
		Published: base.Add(time.Duration(minute) * time.Minute),
	}
}

func titles(es []notify.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Title)
	}
	return out
}

func TestBuildFoldsSyndicatedCopies(t *testing.T) {
	t.Parallel()
	entries := []notify.Entry{
		entry(1, "north", "뉴시스", `美국방 "北, 역사상 가장 활발한 실험…전방위 확장억제 제공"`, 60),
		entry(2, "north", "동아일보", `美국방 “北, 역사상 가장 활발한 실험…전방위 확장억제 제공”`, 88),
		entry(3, "north", "뉴시스", `北, 코로나 발병 3개월 만에 추가 확진자 0명 주장`, 99),
		entry(4, "north", "연합뉴스", `[속보] 美국방 "北, 역사상 가장 활발한 실험…확장억제 제공"`, 55),
		entry(5, "north", "뉴스1", `美국방 "北 역사상 가장 활발한 실험"…전방위 확장억제 제공(종합)`, 70),
		entry(6, "north", "동아일보", `美국무, 내주 동남아·아프리카 순방…“北 얘기할 것”`, 80),
		entry(7, "north", "서울경제", `미 국방 "북, 역사상 가장 활발한 실험…전방위 확장억제 제공" - 서울경제`, 95),
	}
	d := Build(entries, nil)
	m := d.Message
	if len(m.Entries) != 3 {
		t.Fatalf("entries = %q, want 3 stories", titles(m.Entries))
	}
	var story notify.Entry
	for _, e := range m.Entries {
		if e.ID == 4 {
			story = e
		}
	}
	if story.ID == 0 {
		t.Fatalf("the earliest copy (연합뉴스, minute 55) is not kept: %q", titles(m.Entries))
	}
	want := []notify.Source{
		{Name: "뉴시스", Link: "https://news.example/1"},
		{Name: "뉴스1", Link: "https://news.example/5"},
		{Name: "동아일보", Link: "https://news.example/2"},
		{Name: "서울경제", Link: "https://news.example/7"},
	}
	if !slices.Equal(story.Also, want) {
		t.Errorf("Also = %v, want %v", story.Also, want)
	}
	if rows := d.Rows[4]; !slices.Equal(rows, []int64{4, 1, 5, 2, 7}) {
		t.Errorf("Rows[4] = %v, want the five copies", rows)
	}
	if m.Header != "north: 3 new" || m.More != 0 {
		t.Errorf("Header %q, More %d", m.Header, m.More)
	}
	if got := d.IDs(m); len(got) != len(entries) {
		t.Errorf("IDs = %v, want all %d rows", got, len(entries))
	}
}

func TestBuildMergesSameLinkAndSameOutlet(t *testing.T) {
	t.Parallel()
	a := entry(1, "w", "뉴시스", "한·미, EDSCG 9월 중 개최…하반기 연합연습 통합·확대(종합)", 0)
	b := entry(2, "w", "뉴시스", "한·미, EDSCG 9월 중 개최…하반기 연합연습 통합·확대(종합2보)", 30)
	b.Urgent = true
	c := entry(3, "w", "", "완전히 다른 제목의 같은 기사", 40)
	c.Feed = "google-news"
	c.Link = a.Link
	d := Build([]notify.Entry{b, c, a}, nil)
	if len(d.Message.Entries) != 1 {
		t.Fatalf("entries = %q, want one story", titles(d.Message.Entries))
	}
	got := d.Message.Entries[0]
	if got.ID != 1 || !got.Urgent {
		t.Errorf("kept %d (urgent %v), want 1 marked urgent", got.ID, got.Urgent)
	}
	if want := []notify.Source{{Name: "google-news", Link: a.Link}}; !slices.Equal(got.Also, want) {
		t.Errorf("Also = %v, want only the other outlet %v", got.Also, want)
	}
	if !slices.Equal(d.Rows[1], []int64{1, 2, 3}) {
		t.Errorf("Rows = %v", d.Rows)
	}
}

func TestBuildKeepsDifferentStoriesApart(t *testing.T) {
	t.Parallel()
	// Hard negatives from the fixture: the same name or keyword, other news.
	entries := []notify.Entry{
		entry(1, "w", "a", "조수진, 배현진 이어 최고위원 사퇴… “당·정·대 동반 쇄신 이뤄져야”", 0),
		entry(2, "w", "b", "배현진, 국민의힘 최고위원 사퇴 “하루 이틀의 고민 아니다”", 1),
		entry(3, "w", "c", "북, 이틀 연속 신규 발열환자 '0'명..'완전한 안정세'", 2),
		entry(4, "w", "d", "북, 사흘째 신규 발열환자 '0'명..'치료환자도 계속 줄어'", 3),
		entry(5, "w", "e", "트럼프, 마러라고 자택 FBI 압수수색에 “미국의 암흑기” 반발 - 연합뉴스", 4),
		entry(6, "w", "f", "트럼프, 중간선거 지원 유세서 바이든 경제정책 맹공", 5),
	}
	d := Build(entries, nil)
	if len(d.Message.Entries) != len(entries) {
		t.Errorf("entries = %q, want all %d apart", titles(d.Message.Entries), len(entries))
	}
}

func TestBuildOrderAndHeader(t *testing.T) {
	t.Parallel()
	entries := []notify.Entry{
		entry(1, "semis", "a", "삼성전자 2분기 영업이익 14조", 10),
		entry(2, "ai-policy", "b", "AI 기본법 국회 통과", 5),
		entry(3, "semis", "c", "SK하이닉스 HBM 증산 발표", 50),
		entry(4, "ai-policy", "d", "EU AI Act enters into force", 40),
		entry(5, "ai-policy", "e", "정부, AI 반도체 예산 확대", 20),
	}
	d := Build(entries, func(string) int { return 0 })
	want := []string{
		"SK하이닉스 HBM 증산 발표", "삼성전자 2분기 영업이익 14조", // semis has the newest story
		"EU AI Act enters into force", "정부, AI 반도체 예산 확대", "AI 기본법 국회 통과",
	}
	if got := titles(d.Message.Entries); !slices.Equal(got, want) {
		t.Errorf("order = %q, want %q", got, want)
	}
	if d.Message.Header != "2 watches, 5 new" {
		t.Errorf("Header = %q", d.Message.Header)
	}
	if got := Build(entries[1:2], nil).Message.Header; got != "ai-policy: 1 new" {
		t.Errorf("one watch: Header = %q", got)
	}
	if got := Build(nil, nil); len(got.Message.Entries) != 0 || got.Message.Header != "" {
		t.Errorf("no entries: %+v", got.Message)
	}
}

func TestBuildOverflow(t *testing.T) {
	t.Parallel()
	var entries []notify.Entry
	for i, title := range []string{"가상자산 과세 유예", "금리 동결 결정", "전기요금 인상", "반도체 수출 반등", "부동산 세제 개편"} {
		entries = append(entries, entry(int64(i+1), "econ", "src", title, i))
	}
	entries = append(entries, entry(9, "other", "src", "날씨: 전국에 비", 0), entry(10, "other", "src", "태풍 북상", 1))
	limits := map[string]int{"econ": 3, "other": 0}
	d := Build(entries, func(w string) int { return limits[w] })
	m := d.Message
	if got, want := titles(m.Entries), []string{"부동산 세제 개편", "반도체 수출 반등", "전기요금 인상", "태풍 북상", "날씨: 전국에 비"}; !slices.Equal(got, want) {
		t.Errorf("entries = %q, want %q", got, want)
	}
	if m.More != 2 || !slices.Equal(d.Hidden, []int64{2, 1}) || m.Header != "2 watches, 7 new" {
		t.Errorf("More %d, Hidden %v, Header %q", m.More, d.Hidden, m.Header)
	}
	// Split for a platform limit: every row is covered exactly once.
	parts := []notify.Message{{Entries: m.Entries[:2]}, {Entries: m.Entries[2:], More: m.More}}
	var ids []int64
	for _, p := range parts {
		ids = append(ids, d.IDs(p)...)
	}
	slices.Sort(ids)
	if want := []int64{1, 2, 3, 4, 5, 9, 10}; !slices.Equal(ids, want) {
		t.Errorf("IDs over parts = %v, want %v", ids, want)
	}
}

// With an every schedule, matches arriving between two flushes share a
// Due and become one message.
func TestEveryMatchesBecomeOneMessage(t *testing.T) {
	t.Parallel()
	s, err := NewSchedule(config.Digest{Every: config.Duration(30 * time.Minute)}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	byDue := map[time.Time][]notify.Entry{}
	for i, title := range []string{"AI 기본법 국회 통과", "EU AI Act enters into force", "정부, AI 반도체 예산 확대"} {
		e := entry(int64(i+1), "w", "src", title, []int{1, 7, 29}[i])
		due := s.Due(e.Published, false)
		byDue[due] = append(byDue[due], e)
	}
	if len(byDue) != 1 {
		t.Fatalf("%d distinct Due times, want 1", len(byDue))
	}
	for _, es := range byDue {
		if m := Build(es, nil).Message; len(m.Entries) != 3 || m.Header != "w: 3 new" {
			t.Errorf("message %q with %d entries", m.Header, len(m.Entries))
		}
	}
}

func TestBuildFoldsWireVariants(t *testing.T) {
	t.Parallel()
	entries := []notify.Entry{
		entry(1, "semis", "연합뉴스", "[속보] 정부, 반도체 특별법 국회 통과 촉구", 0),
		entry(2, "semis", "뉴스1", "정부, 반도체 특별법 국회 통과 거듭 촉구(종합)", 5),
		entry(3, "semis", "뉴시스", `정부 "반도체특별법 국회 통과" 촉구 - 뉴시스`, 7),
		entry(4, "semis", "서울경제", "정부, ‘반도체 특별법’ 국회 통과 촉구", 9),
		entry(5, "semis", "머니투데이", "정부,반도체 특별법 국회통과 촉구 | 머니투데이", 12),
		entry(6, "semis", "한겨레", "반도체 특별법, 여야 이견에 국회 상임위 계류", 14),
		entry(7, "semis", "조선일보", "정부, 반도체 수출 통계 발표", 15),
	}
	m := Build(entries, nil).Message
	if got := titles(m.Entries); len(got) != 3 {
		t.Fatalf("entries = %q, want the five variants as one story and two others", got)
	}
	for _, e := range m.Entries {
		if e.ID == 1 && len(e.Also) != 4 {
			t.Errorf("Also = %v, want the four other outlets", e.Also)
		}
	}
}
