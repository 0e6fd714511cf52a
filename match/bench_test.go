package match

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Vocabulary for generated news items and queries.
var (
	benchCommon = strings.Fields(`정부 대통령 국회 여당 야당 장관 총리 경제 시장 금리 물가 수출 수입 기업 투자
		반도체 배터리 자동차 조선 철강 부동산 주택 전세 대출 은행 증시 코스피 환율 달러 원화 미국 중국 일본
		북한 러시아 유럽 정상회담 외교 안보 국방 군사 미사일 협상 합의 발표 계획 정책 법안 규제 개정 예산
		선거 후보 지지율 여론조사 검찰 수사 재판 판결 법원 경찰 사건 사고 화재 지진 태풍 날씨 기온 교육 학교
		대학 입시 의료 병원 의사 환자 코로나 백신 연금 복지 노동 임금 고용 실업 청년 노인 인구 출산 기후
		환경 에너지 원전 전력 가스 석유 유가 관세 무역 공급망 인공지능 플랫폼 스타트업 게임 통신 방송 언론
		문화 영화 음악 스포츠 축구 야구 올림픽 관광 항공 철도 도로 서울 부산 지방 지역 주민 시민 사회 단체`)
	benchEnglish = strings.Fields(`AI GPU Nvidia Apple Google Samsung Tesla OpenAI ChatGPT Fed CPI GDP IMF OECD
		NATO UN K-pop BTS LG SK Hyundai Meta Amazon Microsoft chip EV ESG IPO M&A 5G 6G`)
	benchParticles = strings.Fields(`이 가 은 는 을 를 의 에 에서 으로 로 와 과 도 만 까지`)
	benchEndings   = []string{"했다.", "밝혔다.", "전망이다.", "예정이다.", "것으로 나타났다.", "고 말했다.", "라고 강조했다."}
	benchSyllables = []rune("김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부황보")
)

type benchGen struct {
	r     *rand.Rand
	names []string // rare, specific terms: people and compounds
}

func newBenchGen() *benchGen {
	g := &benchGen{r: rand.New(rand.NewPCG(1, 2))}
	for range 20000 {
		if g.r.IntN(2) == 0 {
			var b strings.Builder
			for range 3 {
				b.WriteRune(benchSyllables[g.r.IntN(len(benchSyllables))])
			}
			g.names = append(g.names, b.String())
		} else {
			g.names = append(g.names, g.pick(benchCommon)+g.pick(benchCommon))
		}
	}
	return g
}

func (g *benchGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// word returns a news word, usually common, sometimes English or specific.
func (g *benchGen) word() string {
	switch n := g.r.IntN(20); {
	case n < 2:
		return g.pick(benchEnglish)
	case n < 3:
		return g.pick(g.names)
	default:
		return g.pick(benchCommon)
	}
}

// item returns a headline and a body of about 500 characters.
func (g *benchGen) item() Document {
	var t strings.Builder
	if g.r.IntN(4) == 0 {
		t.WriteString("[속보] ")
	}
	for i := range 5 + g.r.IntN(4) {
		if i > 0 {
			t.WriteString(" ")
		}
		w := g.word()
		if g.r.IntN(3) == 0 {
			w = "‘" + w + "’"
		} else if g.r.IntN(3) == 0 {
			w += g.pick(benchParticles)
		}
		t.WriteString(w)
	}
	var b strings.Builder
	for len([]rune(b.String())) < 500 {
		for range 6 + g.r.IntN(6) {
			b.WriteString(g.word())
			if g.r.IntN(4) != 0 {
				b.WriteString(g.pick(benchParticles))
			}
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%d%% ", g.r.IntN(100))
		b.WriteString(g.pick(benchEndings))
		b.WriteString(" ")
	}
	return Document{Title: t.String(), Body: b.String(), Source: "yonhap"}
}

// query returns a query and its positive terms.
func (g *benchGen) query() (string, []string) {
	a, b := g.pick(g.names), g.word()
	switch n := g.r.IntN(20); {
	case n < 8:
		return a, []string{a}
	case n < 12:
		return a + " " + b, []string{a, b}
	case n < 15:
		return `"` + b + " " + a + `"`, []string{b + " " + a}
	case n < 18:
		c := g.pick(g.names)
		return a + " OR " + c, []string{a, c}
	default:
		return a + " -" + b, []string{a}
	}
}

// baselineRegexp is the regexp a naive matcher would run for one query:
// any of its positive terms, case-insensitive, with a Hangul-aware word
// boundary around Latin terms and optional spaces inside phrases.
func baselineRegexp(terms []string) *regexp.Regexp {
	var alts []string
	for _, t := range terms {
		words := strings.Fields(t)
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		re := strings.Join(words, `\s*`)
		if t[0] < 0x80 {
			re = `(?:^|[^\p{Latin}\p{N}])` + re + `(?:$|[^\p{Latin}\p{N}])`
		}
		alts = append(alts, re)
	}
	return regexp.MustCompile(`(?i)` + strings.Join(alts, "|"))
}

// BenchmarkMatch measures items per CPU second of one Matcher holding all
// queries, and the ratio to one Go regexp per query run over the same
// items. Run it with -cpu 1 for single-core numbers.
func BenchmarkMatch(b *testing.B) {
	g := newBenchGen()
	items := make([]Document, 2000)
	for i := range items {
		items[i] = g.item()
	}
	for _, n := range []int{10, 100, 1000, 10000} {
		var rules []Rule
		var res []*regexp.Regexp
		for i := 0; i < n; i += 5 {
			r := Rule{Watch: fmt.Sprintf("watch-%d", i/5)}
			for range min(5, n-i) {
				q, terms := g.query()
				r.Keywords = append(r.Keywords, q)
				res = append(res, baselineRegexp(terms))
			}
			rules = append(rules, r)
		}
		m, err := Compile(rules, nil)
		if err != nil {
			b.Fatal(err)
		}
		var baseline float64 // items per CPU second, measured once
		b.Run(fmt.Sprintf("queries=%d", n), func(b *testing.B) {
			if baseline == 0 {
				start, done := cpuTime(), 0
				for ; done < 3 || cpuTime()-start < 300*time.Millisecond; done++ {
					d := items[done%len(items)]
					text := d.Title + "\n" + d.Body
					for _, re := range res {
						re.MatchString(text)
					}
				}
				baseline = float64(done) / (cpuTime() - start).Seconds()
			}
			iters, hits := 0, 0
			start := cpuTime()
			for b.Loop() {
				hits += len(m.Match(items[iters%len(items)]))
				iters++
			}
			rate := float64(iters) / (cpuTime() - start).Seconds()
			b.ReportMetric(rate, "items/cpu-s")
			b.ReportMetric(baseline, "regexp_items/cpu-s")
			b.ReportMetric(rate/baseline, "x_regexp")
			b.ReportMetric(float64(hits)/float64(iters), "hits/item")
		})
	}
}

// BenchmarkLongArticle measures matching of whole articles with 1,000
// queries at growing lengths: the cost per byte (ns/KB) stays flat when
// matching is linear in the text, which full-text matching needs (a
// keyword in the last paragraph of a 200 KB article must match). The
// 2 KB case is the baseline of the same run.
func BenchmarkLongArticle(b *testing.B) {
	g := newBenchGen()
	var rules []Rule
	for i := 0; i < 1000; i += 5 {
		r := Rule{Watch: fmt.Sprintf("watch-%d", i/5)}
		for range 5 {
			q, _ := g.query()
			r.Keywords = append(r.Keywords, q)
		}
		rules = append(rules, r)
	}
	rules = append(rules, Rule{Watch: "tail", Keywords: []string{"국가안보각서"}})
	m, err := Compile(rules, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, kb := range []int{2, 20, 200} {
		var body strings.Builder
		for body.Len() < kb<<10 {
			body.WriteString(g.item().Body)
		}
		body.WriteString(" 마지막 문단: AI 국가안보각서가 공개됐다.")
		doc := Document{Title: "긴 기사", Body: body.String(), Source: "yonhap"}
		b.Run(fmt.Sprintf("kb=%d", kb), func(b *testing.B) {
			b.SetBytes(int64(len(doc.Body)))
			tail := false
			for b.Loop() {
				tail = false
				for _, h := range m.Match(doc) {
					tail = tail || h.Watch == "tail"
				}
			}
			if !tail {
				b.Fatal("the keyword in the last paragraph did not match")
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(doc.Body))*1024, "ns/KB")
		})
	}
}
