package match

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"fullwidth and case", "ＡＩ　Ｎｅｗｓ", "ai news"},
		{"nfd hangul", norm.NFD.String("국가안보"), "국가안보"},
		{"unicode spaces", "a\u00a0b\u3000c\ufeffd\u200be\u2003f", "a b c d e f"},
		{"quotes and dots", "‘오픈소스’ “AI” 「한국」『일본』 한·미 한ㆍ미 日・米", "오픈소스 ai 한국 일본 한 미 한 미 日 米"},
		{"hyphen slash", "Open-Source/AI", "open source ai"},
		{"symbols kept", "C++ C# $5 100%", "c++ c# $5 100"},
		{"full case folding", "STRASSE Straße ΣΊΣΥΦΟΣ", "strasse strasse σίσυφοσ"},
		{"trim and collapse", "  a  --  b  ", "a b"},
		{"invisible joiners dropped", "inter\u00adnational", "international"},
		{"ellipsis", "속보…트럼프", "속보 트럼프"},
		{"compatibility", "㈜삼성 ①", "주 삼성 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// matches compiles query q and reports whether it matches the title.
func matches(t *testing.T, q string, synonyms [][]string, d Document) bool {
	t.Helper()
	m, err := CompileQuery(q, synonyms)
	if err != nil {
		t.Fatalf("CompileQuery(%q): %v", q, err)
	}
	return len(m.Match(d)) > 0
}

func TestMatchHeadlines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query string
		yes   []string
		no    []string
	}{
		{"트럼프",
			[]string{"트럼프, 관세 발표", "트럼프가 말했다", "트럼프의 선택", "트럼프는", "“트럼프” 발언", "반트럼프 시위", norm.NFD.String("트럼프가 왔다"), "도널드-트럼프"},
			[]string{"트럼펫 연주회", "트럼펫의 프로"}},
		{"AI",
			[]string{"AI를 활용한", "AI's future", "ＡＩ 반도체", "Generative AI", "AI가", "(AI)", "오픈AI 발표", "“AI”", "AI·반도체"},
			[]string{"he said so", "maintain the lead", "Thailand election", "Saigon", "AIDS 치료", "TAI chi"}},
		{"GPU", []string{"GPU가 부족하다", "엔비디아 GPU 공급", "gpu"}, []string{"GPUs sold", "eGPU 출시"}},
		{"5G", []string{"5G 요금제", "5G망 구축", "5g"}, []string{"25G 이더넷", "5GB"}},
		{"\"AI 국가안보각서\"",
			[]string{"AI국가안보각서 공개", "AI 국가 안보 각서", "미 AI 국가안보 각서 서명", "ＡＩ　국가안보각서", norm.NFD.String("AI 국가안보각서")},
			[]string{"AI 국가 전략과 안보 각서", "국가안보각서 AI", "XAI 국가안보각서"}},
		{"오픈소스",
			[]string{"‘오픈소스’를 키운다", "오픈 소스 생태계", "오픈소스의", "오픈-소스"},
			[]string{"오픈 커뮤니티 소스", "오픈된 소스"}},
		{"\"open source\"",
			[]string{"Open-Source AI", "open source", "OPEN SOURCE", "open/source", "“Open Source”"},
			[]string{"opensource", "open the source", "reopen sources"}},
		{"국방", []string{"국방부", "국방 예산", "국 방위"}, []string{"미국 방문", "한국 방송"}},
		{"삼성전자 -삼성전자우",
			[]string{"삼성전자 주가", "삼성 전자 실적"},
			[]string{"삼성전자우 급등", "삼성전자, 삼성전자우 동반 상승"}},
		{"트럼프 OR Trump 관세",
			[]string{"트럼프 관세 폭탄", "Trump의 관세", "관세 전쟁, 트럼프"},
			[]string{"트럼프 방한", "관세 협상 타결"}},
		{"(반도체 OR 배터리) 수출 -중국",
			[]string{"반도체 수출 호조", "배터리 수출 감소"},
			[]string{"반도체 수출 중국 급감", "반도체 생산"}},
		{"\"트럼프 대통령\"",
			[]string{"트럼프 대통령이", "트럼프대통령", "트럼프 대통령은"},
			[]string{"트럼프 전 대통령", "대통령 트럼프"}},
		{"2024년", []string{"2024년 예산", "2024 년 예산"}, []string{"12024년"}},
		{"C++", []string{"C++ 개발자"}, []string{"C 언어"}},
		{"ｃｈａｔＧＰＴ", []string{"ChatGPT 출시", "챗봇 chatgpt가"}, []string{"chatgpts"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			for _, s := range tt.yes {
				if !matches(t, tt.query, nil, Document{Title: s}) {
					t.Errorf("%q does not match %q", tt.query, s)
				}
			}
			for _, s := range tt.no {
				if matches(t, tt.query, nil, Document{Title: s}) {
					t.Errorf("%q matches %q", tt.query, s)
				}
			}
		})
	}
}

func TestQueryErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query string
		col   int
		msg   string
	}{
		{"", 1, "empty query"},
		{"   ", 1, "empty query"},
		{`트럼프 "관세 폭탄`, 5, "unbalanced quote"},
		{"(a OR b", 1, "unclosed parenthesis"},
		{"a OR b)", 7, "unmatched closing parenthesis"},
		{"a ()", 3, "empty parentheses"},
		{"OR a", 1, "OR needs a term before it"},
		{"a OR", 3, "OR needs a term after it"},
		{"a OR OR b", 3, "OR needs a term after it"},
		{"AND a", 1, "AND needs a term before it"},
		{"a - b", 3, "nothing to exclude after -"},
		{"a --b", 3, "nothing to exclude after -"},
		{"-a", 1, "needs a term that must appear"},
		{"a OR -b", 1, "needs a term that must appear"},
		{"site:example.com", 1, `unknown field "site:"`},
		{"x title: y", 3, "title: must be followed directly"},
		{"title:source:x", 7, "source: inside another field scope"},
		{"a -", 3, "nothing to exclude after -"},
		{`a ""`, 3, "empty phrase"},
		{"a ·", 3, "has no letters"},
		{"국가 " + strings.Repeat("(", 40) + "a" + strings.Repeat(")", 40), 36, "nested more than"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			err := CheckQuery(tt.query, nil)
			qe, ok := errors.AsType[*QueryError](err)
			if !ok {
				t.Fatalf("CheckQuery(%q) = %v, want a *QueryError", tt.query, err)
			}
			if qe.Column != tt.col || !strings.Contains(qe.Msg, tt.msg) || qe.Query != 0 {
				t.Errorf("CheckQuery(%q) = %v (query %d), want column %d: %s", tt.query, qe, qe.Query, tt.col, tt.msg)
			}
		})
	}
	for _, q := range []string{"a", `"a b" -c`, "title:(a OR b) source:연합", "a AND b", "note: a", "10:30 회의", "(a) OR (b)"} {
		if err := CheckQuery(q, nil); err != nil {
			t.Errorf("CheckQuery(%q) = %v, want nil", q, err)
		}
	}
}

func TestCompileErrorNamesWatchAndQuery(t *testing.T) {
	t.Parallel()
	_, err := Compile([]Rule{
		{Watch: "ok", Keywords: []string{"a"}},
		{Watch: "ai-policy", Keywords: []string{"a", "b", `AI "국가안보`}},
	}, nil)
	want := "match: watch ai-policy: keywords: query 3, column 4: unbalanced quote"
	if err == nil || err.Error() != want {
		t.Fatalf("Compile error = %v, want %q", err, want)
	}
	if qe, ok := errors.AsType[*QueryError](err); !ok || qe.Query != 3 || qe.Column != 4 {
		t.Errorf("error does not wrap *QueryError{Query: 3, Column: 4}: %#v", qe)
	}
	if _, err := Compile([]Rule{{Watch: "w", Keywords: []string{"a"}}}, [][]string{{"a", "…"}}); err == nil {
		t.Error("Compile accepted a synonym group with an empty member")
	}
}

func TestSynonyms(t *testing.T) {
	t.Parallel()
	syn := [][]string{{"트럼프", "Trump", "도널드 트럼프"}, {"AI", "인공지능"}}
	tests := []struct {
		query, text string
		want        bool
	}{
		{"트럼프", "President Trump said", true},
		{"Trump", "트럼프가 말했다", true},
		{"TRUMP", "도널드트럼프", true},
		{`"도널드 트럼프"`, "Trump Tower", true},
		{"AI 규제", "인공지능 규제 법안", true},
		{"트럼프 대통령", "Trump 대통령", true},
		{`"트럼프 대통령"`, "Trump 대통령", false}, // the phrase is not a member
		{"Trump", "trumpet", false},
	}
	for _, tt := range tests {
		t.Run(tt.query+"/"+tt.text, func(t *testing.T) {
			if got := matches(t, tt.query, syn, Document{Title: tt.text}); got != tt.want {
				t.Errorf("%q on %q = %v, want %v", tt.query, tt.text, got, tt.want)
			}
		})
	}
}

func TestFieldScopes(t *testing.T) {
	t.Parallel()
	d := Document{Title: "트럼프 관세 발표", Body: "중국 반도체 수출 규제", Source: "yonhap-economy"}
	tests := []struct {
		query string
		want  bool
	}{
		{"title:트럼프", true},
		{"title:반도체", false},
		{"반도체", true},
		{"트럼프 반도체", true},
		{`title:"관세 발표"`, true},
		{`title:(반도체 OR 관세)`, true},
		{"-title:반도체 반도체", true},
		{"-title:트럼프 반도체", false},
		{"source:yonhap 관세", true},
		{"source:economy", true},
		{"source:연합 관세", false},
		{"source:yon", false},
		{"yonhap", false},
		{"Source:(yonhap OR kbs) title:관세", true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := matches(t, tt.query, nil, d); got != tt.want {
				t.Errorf("%q = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

func TestMatchRules(t *testing.T) {
	t.Parallel()
	m, err := Compile([]Rule{
		{Watch: "trade", Keywords: []string{"관세", "무역"}, Exclude: []string{"스포츠"}},
		{Watch: "urgent-only", Urgent: []string{"속보 지진"}},
		{Watch: "chips", Keywords: []string{"반도체", "GPU"}, Urgent: []string{"반도체 수출 금지"}, Feeds: []string{"yonhap"}},
		{Watch: "never", Keywords: []string{"우주"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		doc  Document
		want []Hit
	}{
		{"keyword and urgent", Document{Title: "[속보] 반도체 수출 금지 확대", Body: "무역 갈등에 GPU도", Source: "yonhap"}, []Hit{
			{Watch: "trade", Query: "무역", Terms: []string{"무역"}, Spans: []Span{{"body", 0, 6}}},
			{Watch: "chips", Query: "반도체", Terms: []string{"반도체", "수출", "금지", "GPU"}, Urgent: true,
				Spans: []Span{{"title", 9, 18}, {"title", 19, 25}, {"title", 26, 32}, {"body", 17, 20}}},
		}},
		{"feed filter", Document{Title: "반도체 수출 금지", Source: "kbs"}, nil},
		{"exclude", Document{Title: "관세 이야기", Body: "스포츠 중계"}, nil},
		{"urgent only", Document{Title: "속보: 지진 발생"}, []Hit{
			{Watch: "urgent-only", Query: "속보 지진", Terms: []string{"속보", "지진"}, Urgent: true, Spans: []Span{{"title", 0, 6}, {"title", 8, 14}}},
		}},
		{"first keyword query is reported", Document{Title: "무역과 관세"}, []Hit{
			{Watch: "trade", Query: "관세", Terms: []string{"무역", "관세"}, Spans: []Span{{"title", 0, 6}, {"title", 10, 16}}},
		}},
		{"no match", Document{Title: "날씨 맑음"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.Match(tt.doc); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Match = %+v\nwant    %+v", got, tt.want)
			}
		})
	}
}

func TestSpansPointIntoOriginalText(t *testing.T) {
	t.Parallel()
	title := norm.NFD.String("‘오픈 소스’를 ＡＩ가")
	m, err := CompileQuery("오픈소스 AI", nil)
	if err != nil {
		t.Fatal(err)
	}
	hits := m.Match(Document{Title: title})
	if len(hits) != 1 {
		t.Fatalf("hits = %+v", hits)
	}
	want := []string{norm.NFD.String("오픈 소스"), "ＡＩ"}
	if !reflect.DeepEqual(hits[0].Terms, want) {
		t.Errorf("Terms = %q, want %q", hits[0].Terms, want)
	}
	for i, sp := range hits[0].Spans {
		if got := title[sp.Start:sp.End]; got != want[i] {
			t.Errorf("span %d = %q, want %q", i, got, want[i])
		}
	}
}

func TestMatchConcurrent(t *testing.T) {
	t.Parallel()
	m, err := Compile([]Rule{{Watch: "w", Keywords: []string{"Straße", "트럼프"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	for i := range 8 {
		go func() {
			ok := true
			for range 200 {
				ok = ok && len(m.Match(Document{Title: "STRASSE", Body: "트럼프가"})) == 1 &&
					len(m.Match(Document{Title: "Ωmega"})) == 0
			}
			done <- ok || i < 0
		}()
	}
	for range 8 {
		if !<-done {
			t.Error("concurrent Match gave a wrong result")
		}
	}
}

func TestEmptyMatcher(t *testing.T) {
	t.Parallel()
	m, err := Compile(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hits := m.Match(Document{Title: "anything"}); hits != nil {
		t.Errorf("Match = %v, want nil", hits)
	}
}
