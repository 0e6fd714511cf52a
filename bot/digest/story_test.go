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
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"[속보]한·미, 고위급 확장억제전략협의체 9월 중 개최할 듯", "한미고위급확장억제전략협의체9월중개최할듯"},
		{"한·미, EDSCG 9월 중 개최…하반기 연합연습 통합·확대(종합2보)", "한미edscg9월중개최하반기연합연습통합확대"},
		{"[포토] TXT, 모아 언제나 사랑해!", "txt모아언제나사랑해"},
		{"'빅마우스' 이종석♥임윤아, 위기의 부부? [어저께TV]", "빅마우스이종석임윤아위기의부부"},
		{`박홍근 "호남 반도체, 팹 증설도 구상" - 조선일보`, "박홍근호남반도체팹증설도구상"},
		{"트럼프, 대선 출마 공식 선언(종합) | 뉴스1", "트럼프대선출마공식선언"},
		{"Fed raises rates (UPDATE 2) - Reuters", "fedraisesrates"},
		{"오늘의 부고 - 2022년 8월 1일", "오늘의부고2022년8월1일"},
		{"美국방 “北, 역사상 가장 활발한 실험”", "미국방북역사상가장활발한실험"},
		{"尹 ‘내부총질’ 문자는 호재?", "윤내부총질문자는호재"},
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
	if Signature("") != 0 || Signature("“…” - ") != 0 {
		t.Error("a title without letters has a signature")
	}
	if Similar(0, 0) {
		t.Error("zero signatures are similar")
	}
	a := Signature("한·미, EDSCG 9월 중 개최…하반기 연합연습 통합·확대(종합)")
	b := Signature("[속보] 한미 EDSCG 9월 중 개최…하반기 연합연습 통합·확대 - 연합뉴스")
	if a != b {
		t.Errorf("wire markers change the signature: %016x vs %016x", a, b)
	}
	if !Similar(a, b) || Similar(a, Signature("北, 코로나 발병 3개월 만에 추가 확진자 0명 주장")) {
		t.Error("Similar disagrees with the story")
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
		if len(cols) != 3 || (cols[0] != "same" && cols[0] != "diff") {
			t.Fatalf("story_pairs.tsv:%d: want label(same|diff), title_a, title_b", n)
		}
		ps = append(ps, labelledPair{cols[0] == "same", cols[1], cols[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestStoryPairs measures Similar on the labelled headline pairs. The log
// has the precision/recall table over distances that MaxDistance was
// chosen from: the largest distance with no false merge, because a false
// merge can hide a new story for a whole story window.
func TestStoryPairs(t *testing.T) {
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
// (all pairs of distinct titles in the shared Korean feeds) are Similar:
// each such pair is a story wrongly held back or folded.
func TestBackgroundMergeRate(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/feeds/korean/knews-rss/*.xml")
	more, _ := filepath.Glob("../../../shared/feeds/korean/knews-rss/*/*.xml")
	files = append(files, more...)
	if len(files) == 0 {
		t.Skip("../shared/feeds/korean/knews-rss is absent")
	}
	seen := map[string]bool{}
	var sigs []uint64
	for _, f := range files {
		for _, title := range feedTitles(t, f) {
			if n := Normalize(title); n != "" && !seen[n] {
				seen[n] = true
				sigs = append(sigs, Signature(title))
			}
		}
	}
	merged, pairs := 0, 0
	for i := range sigs {
		for j := i + 1; j < len(sigs); j++ {
			pairs++
			if Similar(sigs[i], sigs[j]) {
				merged++
			}
		}
	}
	rate := float64(merged) / float64(pairs)
	t.Logf("%d distinct titles, %d of %d pairs similar (%.4f%%)", len(sigs), merged, pairs, 100*rate)
	if len(sigs) < 500 || rate > 0.0003 {
		t.Errorf("merge rate %.4f%% over %d titles: want at most 0.03%%", 100*rate, len(sigs))
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
