package digest

import (
	"bufio"
	"html"
	"math/bits"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"[속보]한·미, 고위급 확장억제전략협의체 9월 중 개최할 듯", "한미고위급확장억제전략협의체9월중개최할듯"},
		{"한·미, EDSCG 9월 중 개최…하반기 연합연습 통합·확대(종합2보)", "한미edscg9월중개최하반기연합연습통합확대"},
		{"[포토] TXT, 모아 언제나 사랑해!", "txt모아언제나사랑해"},
		{"'빅마우스' 이종석♥임윤아, 위기의 부부? [어저께TV]", "빅마우스이종석임윤아위기의부부"},
		{`박홍근 "호남 반도체, 팹 증설도 구상" - 조선일보`, "박홍근호남반도체팹증설도구상"},
		{"트럼프, 대선 출마 공식 선언(종합) | 뉴스1", "트럼프대선출마공식선언"},
		{"Fed raises rates (UPDATE 2) - Reuters", "fedraisesrates"},
		{"오늘의 부고 - 2022년 8월 1일", "오늘의부고2022년8월1일"},
		{"美국방 “北, 역사상 가장 활발한 실험”", "미국국방북한역사상가장활발한실험"},
		{"尹 ‘내부총질’ 문자는 호재?", "윤석열내부총질문자는호재"},
		{"ＡＢＣ　뉴스①", "abc뉴스1"},
		{"\u1112\u1161\u11ab\u1100\u116e\u11a8", "한국"}, // NFD jamo from macOS input
		{"“…”", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSignature(t *testing.T) {
	t.Parallel()
	if Signature("") != 0 || Signature("“…” - ") != 0 {
		t.Error("a title without letters has a signature")
	}
	a := Signature("한·미, EDSCG 9월 중 개최…하반기 연합연습 통합·확대(종합)")
	b := Signature("[속보] 한미 EDSCG 9월 중 개최…하반기 연합연습 통합·확대 - 연합뉴스")
	if a != b {
		t.Errorf("wire markers change the signature: %016x vs %016x", a, b)
	}
	if d := bits.OnesCount64(a ^ Signature("北, 코로나 발병 3개월 만에 추가 확진자 0명 주장")); d <= MaxDistance {
		t.Errorf("different stories are %d bits apart: want more than %d", d, MaxDistance)
	}
	if Signature("가") == 0 {
		t.Error("a one-letter title has no signature")
	}
}

type labelledPair struct {
	same bool
	a, b string
}

func readPairs(t *testing.T) []labelledPair {
	t.Helper()
	f, err := os.Open("testdata/story_pairs.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ps []labelledPair
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 5 || (cols[0] != "same" && cols[0] != "diff") {
			t.Fatalf("story_pairs.tsv:%d: want label(same|diff), title_a, title_b, link_a, link_b", n)
		}
		ps = append(ps, labelledPair{cols[0] == "same", cols[1], cols[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestStoryPairs measures Signature distances on the labelled headline pairs. The log
// has the precision/recall table over distances that MaxDistance was
// chosen from: the largest distance with no false merge, because a false
// merge can hide a new story for a whole story window.
func TestStoryPairs(t *testing.T) {
	t.Parallel()
	ps := readPairs(t)
	nsame := 0
	dist := make([]int, len(ps))
	for i, p := range ps {
		if p.same {
			nsame++
		}
		dist[i] = bits.OnesCount64(Signature(p.a) ^ Signature(p.b))
	}
	if len(ps) < 80 || nsame < 30 || len(ps)-nsame < 30 {
		t.Fatalf("fixture has %d pairs (%d same): too few", len(ps), nsame)
	}
	score := func(maxDist int) (precision, recall float64, fp int) {
		tp := 0
		for i, p := range ps {
			if dist[i] <= maxDist {
				if p.same {
					tp++
				} else {
					fp++
				}
			}
		}
		if tp+fp == 0 {
			return 1, 0, 0
		}
		return float64(tp) / float64(tp+fp), float64(tp) / float64(nsame), fp
	}
	t.Logf("%d pairs, %d same, %d diff", len(ps), nsame, len(ps)-nsame)
	for d := 10; d <= 24; d++ {
		p, r, fp := score(d)
		t.Logf("distance <= %2d: precision %.3f recall %.3f (false merges %d)", d, p, r, fp)
	}
	p, r, _ := score(MaxDistance)
	t.Logf("MaxDistance %d: precision %.3f recall %.3f", MaxDistance, p, r)

	// Recall on the pairs that share most of their text (exact Jaccard of
	// the shingle sets of at least 0.4): wire copies rather than rewrites.
	near, found := 0, 0
	for i, p := range ps {
		if p.same && jaccard(shingles(Normalize(p.a)), shingles(Normalize(p.b))) >= 0.4 {
			near++
			if dist[i] <= MaxDistance {
				found++
			}
		}
	}
	t.Logf("near-duplicate same pairs: %d, found %d (recall %.3f)", near, found, float64(found)/float64(near))

	if p < 0.95 || r < 0.2 {
		t.Errorf("precision %.3f, recall %.3f: want at least 0.95 and 0.2", p, r)
	}
	if float64(found)/float64(near) < 0.6 {
		t.Errorf("near-duplicate recall %d/%d: want at least 0.6", found, near)
	}
}

func jaccard(a, b map[uint64]int) float64 {
	inter := 0
	for h := range a {
		if _, ok := b[h]; ok {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// TestBackgroundMergeRate checks how often two different real headlines
// (all pairs of distinct titles in the shared Korean feeds) are the Same
// story: each such pair is a story wrongly held back or folded.
func TestBackgroundMergeRate(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../../../shared/feeds/korean/knews-rss/*.xml")
	more, _ := filepath.Glob("../../../shared/feeds/korean/knews-rss/*/*.xml")
	files = append(files, more...)
	if len(files) == 0 {
		t.Skip("../shared/feeds/korean/knews-rss is absent")
	}
	seen := map[string]bool{}
	var heads []Headline
	for _, f := range files {
		for _, title := range feedTitles(t, f) {
			if n := Normalize(title); n != "" && !seen[n] {
				seen[n] = true
				heads = append(heads, NewHeadline(title))
			}
		}
	}
	same, pairs := 0, 0
	for i := range heads {
		for j := i + 1; j < len(heads); j++ {
			pairs++
			if heads[i].Same(heads[j]) {
				same++
			}
		}
	}
	if len(heads) < 500 {
		t.Fatalf("%d distinct titles: want at least 500", len(heads))
	}
	// Most SameStory pairs here are true copies (one story in several
	// outlets over five days), so the ceiling bounds rather than measures
	// false merges.
	sameRate := float64(same) / float64(pairs)
	t.Logf("SameStory: %d of %d pairs (%.4f%%) over %d titles", same, pairs, 100*sameRate, len(heads))
	if sameRate > 0.0001 {
		t.Errorf("SameStory merge rate %.4f%%: want at most 0.01%%", 100*sameRate)
	}
}

// itemTitle finds item titles in the (re-serialised, regular) knews-rss
// files; a full XML parse of 4 MB is slow under -race.
var itemTitle = regexp.MustCompile(`<item>\s*<title>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</title>`)

func feedTitles(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range itemTitle.FindAllSubmatch(data, -1) {
		out = append(out, html.UnescapeString(string(m[1])))
	}
	return out
}

// TestSameStoryPairs measures SameStory on the labelled headline pairs,
// with the table its thresholds were chosen from: the lowest containment
// with no false merge on the fixture and few merges of real headlines
// (TestBackgroundMergeRate; most of those are true copies).
func TestSameStoryPairs(t *testing.T) {
	t.Parallel()
	ps := readPairs(t)
	as, bs := make([]Headline, len(ps)), make([]Headline, len(ps))
	nsame := 0
	for i, p := range ps {
		as[i], bs[i] = NewHeadline(p.a), NewHeadline(p.b)
		if p.same {
			nsame++
		}
	}
	score := func(c, j float64, short int) (precision, recall float64, fp int) {
		tp := 0
		for i, p := range ps {
			if as[i].sameAt(bs[i], c, j, short) {
				if p.same {
					tp++
				} else {
					fp++
				}
			}
		}
		if tp+fp == 0 {
			return 1, 0, 0
		}
		return float64(tp) / float64(tp+fp), float64(tp) / float64(nsame), fp
	}
	for _, c := range []float64{0.45, 0.5, 0.55, 0.6, 0.7, 0.8} {
		for _, j := range []float64{0.25, minJaccard, 0.4} {
			p, r, fp := score(c, j, minShingles)
			t.Logf("containment >= %.2f, jaccard >= %.2f: precision %.3f recall %.3f (false merges %d)", c, j, p, r, fp)
		}
	}
	tp, fp := 0, 0
	for _, p := range ps {
		if got := sameStory(p.a, p.b); got && p.same {
			tp++
		} else if got {
			fp++
			t.Logf("false merge: %q, %q", p.a, p.b)
		}
	}
	p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(nsame)
	t.Logf("SameStory: precision %.3f recall %.3f", p, r)
	if p < 0.97 || r < 0.45 {
		t.Errorf("SameStory precision %.3f, recall %.3f: want at least 0.97 and 0.45", p, r)
	}
}

func TestSameStory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"added adverb", "정부, 반도체 특별법 국회 통과 촉구", "정부, 반도체 특별법 국회 통과 거듭 촉구", true},
		{"identical", "가", "가", true},
		{"empty", "“…”", "“…”", false},
		{"short titles differ", "8월1일 동정", "[오늘의 운세]8월 1일", false},
		{"count differs", "수도권 폭우로 학교 3곳 휴교", "수도권 폭우로 학교 5곳 휴교", false},
		{"daily count", "신규 확진 8만5320명…위중증 두 달 만에 200명대", "신규확진자 8만2002명… 위중증 242명·사망 35명", false},
		{"same number, other unit", "5호 태풍 ‘송다’ 북상, 제주 모레까지 비", "[날씨] 태풍 '송다' 북상…제주 모레까지 비 5곳 특보", true},
		{"range written two ways", "4만~5만원대 ‘24기가 요금제’ 내달 출시", "4~5만원대 24기가 요금제 내달 출시", true},
		{"English word shingles", "Elon Musk countersues Twitter over $44 billion deal - BBC News", "Twitter sues Elon Musk to force completion of $44 billion deal - Reuters", false},
		{"columns that share words", "[정동칼럼] 기다릴 만큼 기다렸다", "기다릴 만큼 기다리지 않았나", false},
		{"a column and its copy", "[사설] 노란봉투법 서둘러야", "[사설] 노란봉투법 서둘러야", true},
		{"parts of a series", "대선판에 등장한 경제용어 설명서 – ②확장 재정과 금리 인상", "대선판에 등장한 경제용어 설명서 – ③중소기업 납품단가 물가연동제", false},
		{"English rewording", "U.S. economy shrinks for a second straight quarter - AP", "US economy shrinks for second straight quarter, stoking recession fears - Reuters", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameStory(tt.a, tt.b); got != tt.want {
				t.Errorf("sameStory(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := sameStory(tt.b, tt.a); got != tt.want {
				t.Errorf("SameStory is not symmetric on %q, %q", tt.a, tt.b)
			}
		})
	}
}

func BenchmarkSameStory(b *testing.B) {
	x := "[속보] 한·미, EDSCG 9월 중 개최…하반기 연합연습 통합·확대(종합2보) - 연합뉴스"
	y := "한미, 연합연습 통합·확대…9월중 EDSCG 개최·연내 TTX 진행"
	b.Run("titles", func(b *testing.B) {
		for b.Loop() {
			sameStory(x, y)
		}
	})
	hx, hy := NewHeadline(x), NewHeadline(y)
	b.Run("headlines", func(b *testing.B) {
		for b.Loop() {
			hx.Same(hy)
		}
	})
}

// sameStory compares two titles as the digest does.
func sameStory(a, b string) bool {
	return NewHeadline(a).Same(NewHeadline(b))
}

func TestStorySame(t *testing.T) {
	t.Parallel()
	day := time.Date(2022, 7, 30, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a, b Story
		want bool
	}{
		{"same link, tracking ignored",
			NewStory("가나다", "", "https://www.example.com/a/1?utm_source=rss", day),
			NewStory("라마바", "", "http://example.com/a/1/", day), true},
		{"reworded, words in the lead",
			NewStory("‘흠뻑쇼’ 무대 철거 노동자 추락사", "강원 강릉에서 열린 가수 싸이의 흠뻑쇼 무대 철거 작업을 하던 외국인 노동자가 추락해 숨졌다.", "https://a.example/1", day),
			NewStory("강릉 ‘흠뻑쇼’ 무대 철거 외국인 작업자 추락사…싸이 측 “애도”", "싸이 흠뻑쇼 무대 철거 현장에서 20대 외국인 노동자가 추락해 숨졌다.", "https://b.example/2", day.Add(time.Hour)), true},
		{"reworded, no lead",
			NewStory("‘흠뻑쇼’ 무대 철거 노동자 추락사", "", "https://a.example/1", day),
			NewStory("흠뻑쇼 무대 철거하던 외국인 작업자 숨져…소속사 “애도”", "", "https://b.example/2", day), false},
		{"reworded, lead names the story",
			NewStory("‘흠뻑쇼’ 무대 철거 노동자 추락사", "강원 강릉에서 열린 싸이 흠뻑쇼 무대 철거 작업을 하던 외국인 노동자가 추락해 숨졌다.", "https://a.example/1", day),
			NewStory("흠뻑쇼 무대 철거하던 외국인 작업자 숨져…소속사 “애도”", "싸이 흠뻑쇼 무대 철거 노동자 추락 사고에 소속사가 애도를 표했다.", "https://b.example/2", day), true},
		{"copies two days apart",
			NewStory("정부, 반도체 특별법 국회 통과 촉구", "", "", day),
			NewStory("정부, 반도체 특별법 국회 통과 촉구", "", "", day.Add(MaxApart+time.Minute)), false},
		{"undated copy",
			NewStory("정부, 반도체 특별법 국회 통과 촉구", "", "", day),
			NewStory("정부, 반도체 특별법 국회 통과 촉구", "", "", time.Time{}), true},
		{"daily columns of one day",
			NewStory("오늘의 인사 - 2022년 8월 1일", "", "", day),
			NewStory("오늘의 부고 - 2022년 8월 1일", "", "", day), false},
		{"one long name in common",
			NewStory("국방부, AI국가안보각서 관련 한미 실무협의 진행", "국방부는 미국의 AI국가안보각서 이행과 관련해 한미 국방 당국 간 실무협의를 진행했다고 밝혔다.", "https://a.example/1", day),
			NewStory("정부 'AI 국가안보각서' 대응 TF 출범…R&D·수출통제 점검", "정부는 미국의 AI 국가안보각서에 대응하는 범부처 태스크포스를 출범했다.", "https://b.example/2", day), false},
		{"short titles, a name and a word in common",
			NewStory("트럼프, 새 관세 발표", "트럼프, 새 관세 발표 본문", "https://a.example/1", day),
			NewStory("트럼프, 관세 유예", "트럼프, 관세 유예 본문", "https://b.example/2", day), false},
		{"photos of one event",
			NewStory("[포토] 휴닝카이, 여심 녹이는 감미로운 보이스", "투모로우바이투게더가 컴백 쇼케이스에서 무대를 선보이고 있다.", "https://a.example/1", day),
			NewStory("[포토] 휴닝카이, 여심 폭격 비주얼", "투모로우바이투게더가 컴백 쇼케이스에서 무대를 선보이고 있다.", "https://a.example/2", day), false},
		{"a photo's copy",
			NewStory("[포토] 휴닝카이, 여심 폭격 비주얼", "", "https://a.example/1", day),
			NewStory("[포토] 휴닝카이, 여심 폭격 비주얼", "", "https://b.example/2", day), true},
		{"reworded, an hour apart",
			NewStory("‘흠뻑쇼’ 무대 철거 노동자 추락사", "강원 강릉에서 열린 콘서트 무대 철거 작업 중 노동자가 추락해 숨졌다.", "https://a.example/1", day),
			NewStory("피네이션, 흠뻑쇼 무대 철거 스태프 추락사에 “비통할 따름”", "싸이 소속사 피네이션이 흠뻑쇼 무대 철거 중 추락해 숨진 스태프에게 애도를 표했다.", "https://b.example/2", day.Add(time.Hour)), true},
		{"the same, 30 hours apart",
			NewStory("‘흠뻑쇼’ 무대 철거 노동자 추락사", "강원 강릉에서 열린 콘서트 무대 철거 작업 중 노동자가 추락해 숨졌다.", "https://a.example/1", day),
			NewStory("피네이션, 흠뻑쇼 무대 철거 스태프 추락사에 “비통할 따름”", "싸이 소속사 피네이션이 흠뻑쇼 무대 철거 중 추락해 숨진 스태프에게 애도를 표했다.", "https://b.example/2", day.Add(30*time.Hour)), false},
		{"another week, same lead",
			NewStory("한시련 2022년 7월 1주차 넷플릭스 화면해설 프로그램 안내", "한시련이 넷플릭스 화면해설 프로그램을 안내합니다.", "https://a.example/1", day),
			NewStory("한시련 2022년 7월 2주차 넷플릭스 화면해설 프로그램 안내", "한시련이 넷플릭스 화면해설 프로그램을 안내합니다.", "https://a.example/2", day), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Same(tt.b); got != tt.want {
				t.Errorf("Same = %v, want %v", got, tt.want)
			}
			if got := tt.b.Same(tt.a); got != tt.want {
				t.Errorf("Same is not symmetric")
			}
		})
	}
}

func TestNumbersDiffer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"수도권 폭우로 학교 3곳 휴교", "수도권 폭우로 학교 5곳 휴교", true},
		{"신규 확진 8만5320명…위중증 200명대", "신규확진자 8만2002명… 위중증 242명", true},
		{"오후 9시까지 신규 확진자 7만8743명", "오후 9시 신규 확진자 4만2883명…전주의 1.2배", true},
		{"엔페이즈 임원 130억3200만원어치 지분 매도", "엔페이즈 임원 174억9800만원어치 지분 매도", true},
		{"한시련 2022년 7월 1주차 프로그램 안내", "한시련 2022년 7월 2주차 프로그램 안내", true},
		{"2022년 6월 3주차 프로그램 안내", "2022년 7월 3주차 프로그램 안내", true},
		{"SSG vs KIA (7월 31일)", "SSG vs KIA (7월30일)", true},
		{"설명서 – ②확장 재정", "설명서 – ③납품단가", true},
		// The same figure, rounded or counted another way.
		{"마약사범 작년 대비 17.2% 증가", "마약사범 17% 증가에", false},
		{"금리 4% 돌파···수신금리 8년 만에 최고", "금리 4% 돌파…9년4개월만에 최고", false},
		{"개봉 3일 연속 1위…100만 돌파 목전", "개봉 4일째 100만 돌파", false},
		{"중위소득 4인기준 540만 964원…5.47% 인상", "중위소득 5.47% 높여... 4인 가족 162만원", false},
		// A name with digits is not a figure; a date is not a shared figure.
		{"코로나19 신규확진 7만3589명", "코로나19 신규 확진자 4만2883명", true},
		{"오늘의 부고 - 2022년 7월 30일", "오늘의 부고 - 2022년 7월 30일", false},
		{"8월 1일 3곳 휴교", "8월 1일 5곳 휴교", true},
	}
	for _, tt := range tests {
		a, b := NewHeadline(tt.a), NewHeadline(tt.b)
		if got := numbersDiffer(a.numbers, b.numbers); got != tt.want {
			t.Errorf("numbersDiffer(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := numbersDiffer(b.numbers, a.numbers); got != tt.want {
			t.Errorf("numbersDiffer is not symmetric on %q, %q", tt.a, tt.b)
		}
	}
}

func TestCanonicalLink(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"https://www.khan.co.kr/a/1/?utm_campaign=rss&utm_source=khan": "khan.co.kr/a/1",
		"https://news.joins.com/article/1?cloc=rss-news":               "news.joins.com/article/1",
		"http://x.example/view?id=7&ref=rss#top":                       "x.example/view?id=7",
		"not a link":                                                   "",
		"":                                                             "",
	}
	for in, want := range tests {
		if got := canonicalLink(in); got != want {
			t.Errorf("canonicalLink(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkStorySame measures Story.Same on prepared items with leads:
// two reports of one story reworded (the longest path), and two unrelated
// stories (most comparisons on the poller's and the digest's paths).
func BenchmarkStorySame(b *testing.B) {
	day := time.Date(2022, 7, 31, 9, 0, 0, 0, time.UTC)
	a := NewStory("강릉서 '싸이 흠뻑쇼' 공연장 철거하던 20대 외국인 추락사",
		"31일 오후 3시 53분쯤 강원 강릉종합운동장에서 가수 싸이의 흠뻑쇼 무대 구조물 철거 작업을 하던 몽골 국적 20대 남성이 15m 가량 아래로 떨어져 숨지는 사고가 발생했다. 경찰은 현장 관계자를 상대로 안전수칙을 지켰는지 조사하고 있다. 소속사 측은 고인에게 애도를 표하며 유족 지원을 약속했다.",
		"https://a.example/news/1", day)
	same := NewStory("강릉 ‘흠뻑쇼’ 무대 철거 외국인 작업자 추락사…싸이 측 “애도”",
		"가수 싸이 측이 흠뻑쇼 무대 설비를 철거하다 추락해 숨진 외국인 노동자에게 애도를 표했다. 싸이 소속사는 31일 입장문에서 불의의 사고로 유명을 달리한 고인에게 진심으로 애도를 표한다며 유족에게 위로를 전한다고 밝혔다. 사고는 강릉종합운동장에서 철거 작업 중 일어났다.",
		"https://b.example/article/2", day.Add(2*time.Hour))
	other := NewStory("한·미, EDSCG 9월 중 개최…하반기 연합연습 통합·확대(종합2보)",
		"한국과 미국 국방장관이 워싱턴에서 회담을 열고 확장억제전략협의체를 9월 중 개최하기로 합의했다. 양국은 하반기 연합연습을 통합하고 규모를 확대하기로 했으며 북한의 핵실험 가능성에 대비한 공조 방안도 논의했다. 국방부는 회담 결과를 공동보도문으로 발표했다.",
		"https://c.example/view?id=3", day.Add(time.Hour))
	if a.Same(other) {
		b.Fatal("unrelated stories are the same")
	}
	b.Run("reworded", func(b *testing.B) {
		for b.Loop() {
			a.Same(same)
		}
	})
	b.Run("unrelated", func(b *testing.B) {
		for b.Loop() {
			a.Same(other)
		}
	})
}
