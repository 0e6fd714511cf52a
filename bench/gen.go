package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"html"
	"strconv"
	"time"

	"golang.org/x/text/encoding/korean"
)

// Corpus generates the benchmark's feeds: deterministic from a seed, so
// the feed server (possibly another process) and the measuring side agree
// on every body without sharing memory.
//
// Feed i is RSS (i%3 == 0), Atom (1) or JSON Feed (2); every tenth RSS
// feed is EUC-KR. Even feeds send ETag and Last-Modified and answer
// conditional requests with 304; odd feeds send neither, so only the
// body hash tells the pipeline they are unchanged. A feed holds 20–50
// items and its body is 20–80 KB. From cycle 1 on, exactly a tenth of
// the feeds gain NewPerChange items per cycle, the oldest leaving.
type Corpus struct {
	Feeds int
	Seed  uint64
	// Topics is how many distinct topic tokens items may mention; queries
	// name the first ones.
	Topics int
	// TopicRate is the share of items that mention a topic token.
	TopicRate float64
}

// NewPerChange is how many items a changed feed gains in a cycle.
const NewPerChange = 3

// Base is the publication time of item 0 of every feed; item k is k
// minutes later.
var Base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// NewCorpus returns the corpus of n feeds with the defaults.
func NewCorpus(n int, seed uint64) Corpus {
	return Corpus{Feeds: n, Seed: seed, Topics: 4000, TopicRate: 0.04}
}

// Format of a feed.
type Format int

// Formats.
const (
	RSS Format = iota
	Atom
	JSON
)

func (f Format) String() string { return [...]string{"rss", "atom", "json"}[f] }

// FeedFormat is the format of feed i.
func (c Corpus) FeedFormat(i int) Format { return Format(i % 3) }

// EUCKR reports whether feed i is encoded in EUC-KR.
func (c Corpus) EUCKR(i int) bool { return i%3 == 0 && (i/3)%10 == 0 }

// Validators reports whether feed i sends ETag and Last-Modified.
func (c Corpus) Validators(i int) bool { return i%2 == 0 }

// Changed reports whether feed i gains items in cycle c (c >= 1).
func (c Corpus) Changed(i, cycle int) bool { return cycle >= 1 && (i+cycle)%10 == 0 }

// Head is the sequence number of the newest item of feed i in cycle c.
func (c Corpus) Head(i, cycle int) int {
	n := c.itemCount(i) - 1
	for k := 1; k <= cycle; k++ {
		if c.Changed(i, k) {
			n += NewPerChange
		}
	}
	return n
}

// ItemCycle is the cycle in which item seq of feed i appeared (0: it was
// there from the start).
func (c Corpus) ItemCycle(i, seq int) int {
	head := c.itemCount(i) - 1
	for k := 1; ; k++ {
		if seq <= head {
			return k - 1
		}
		if c.Changed(i, k) {
			head += NewPerChange
		}
	}
}

func (c Corpus) hash(parts ...int) uint64 {
	h := fnv.New64a()
	var b [8]byte
	put := func(v uint64) {
		for j := range b {
			b[j] = byte(v >> (8 * j))
		}
		h.Write(b[:])
	}
	put(c.Seed)
	for _, p := range parts {
		put(uint64(p))
	}
	return h.Sum64()
}

// itemCount is the number of items of feed i: 20–50.
func (c Corpus) itemCount(i int) int { return 20 + int(c.hash(i, 1)%31) }

// bodyTarget is the approximate body size of feed i: 20–80 KB.
func (c Corpus) bodyTarget(i int) int { return 20<<10 + int(c.hash(i, 2)%(60<<10)) }

// rng is a small deterministic generator (splitmix64).
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

var (
	enWords = []string{"market", "government", "policy", "energy", "report", "company", "growth", "minister",
		"election", "security", "technology", "investment", "analysts", "export", "network", "climate",
		"industry", "research", "budget", "court", "council", "launch", "partnership", "shares", "league",
		"season", "forecast", "infrastructure", "supply", "chain", "quarter", "revenue", "startup", "platform",
		"regulators", "officials", "statement", "agreement", "talks", "summit", "data", "cloud", "chip",
		"battery", "vehicle", "software", "hospital", "schools", "weather", "flood", "city", "province",
		"the", "a", "of", "and", "to", "in", "on", "for", "with", "said", "will", "after", "new", "year"}
	koWords = []string{"정부", "시장", "기업", "발표", "경제", "정책", "기술", "투자", "수출", "반도체", "배터리",
		"전기차", "인공지능", "서울", "부산", "국회", "대통령", "장관", "협상", "회의", "계획", "지원", "산업",
		"연구", "개발", "증가", "감소", "전망", "분석", "관계자", "밝혔다", "했다", "있다", "위해", "통해", "대한",
		"올해", "지난해", "이번", "최근", "국내", "해외", "글로벌", "플랫폼", "서비스", "데이터", "보안", "기후",
		"에너지", "공급망", "금리", "물가", "주가", "실적", "매출", "영업이익", "스타트업", "클라우드", "병원"}
	particles = []string{"", "", "", "는", "를", "가", "의", "에", "와", "도"}
	syllables = []rune("가나다라마바사아자차카타파하강남동리민박서성세소수승신안양영오우원유윤은이인임장전정조주준지진창채최태한현호홍화희")
	latinSyl  = []string{"zen", "tri", "vor", "qua", "lex", "nor", "dax", "pel", "kiv", "ome", "tar", "syl", "bri", "gon", "ux", "ari"}
)

// Topic is topic token j: a made-up name, Korean for even j and Latin
// for odd j, distinct for distinct j (so a query names exactly one).
func Topic(j int) string {
	if j%2 == 0 {
		k := j / 2
		n := len(syllables)
		return string([]rune{syllables[k%n], syllables[(k/n)%n], syllables[(k/n/n)%n], '테', '크'})
	}
	k := j / 2
	n := len(latinSyl)
	return "X" + latinSyl[k%n] + latinSyl[(k/n)%n] + latinSyl[(k/n/n)%n] + "on"
}

// Queries returns n keyword queries over the first topics: mostly a
// single name, some with an exclusion, some scoped to the title.
func Queries(n int) []string {
	out := make([]string, n)
	for j := range n {
		t := Topic(j)
		switch j % 10 {
		case 7, 8:
			out[j] = t + " -주가"
		case 9:
			out[j] = "title:" + t
		default:
			out[j] = t
		}
	}
	return out
}

// item is one generated entry.
type item struct {
	seq          int
	title, link  string
	guid         string
	desc         string
	published    time.Time
	appearedIn   int
	topicMention int // -1: none
}

// items returns the items of feed i in cycle c, newest first.
func (c Corpus) items(i, cycle int) []item {
	head := c.Head(i, cycle)
	n := c.itemCount(i)
	// What a description adds to the body once escaped and wrapped in its
	// item's title, link, id and date.
	per := c.bodyTarget(i)/n*17/20 - 200
	out := make([]item, 0, n)
	for seq := head; seq > head-n; seq-- {
		out = append(out, c.item(i, seq, per))
	}
	return out
}

func (c Corpus) item(i, seq, descBytes int) item {
	r := rng(c.hash(i, seq, 3))
	ko := i%4 != 3 // three feeds in four are Korean
	topic := -1
	if r.float() < c.TopicRate {
		topic = r.intn(c.Topics)
	}
	// Headlines are made of made-up words (two syllables, or two Latin
	// ones), so two items' headlines share about as little as two real
	// stories' do: drawn from the body's small vocabulary, unrelated items
	// would read as one story to the story clustering, and be folded.
	coined := func() string {
		if ko {
			return string([]rune{syllables[r.intn(len(syllables))], syllables[r.intn(len(syllables))]}) + particles[r.intn(len(particles))]
		}
		return latinSyl[r.intn(len(latinSyl))] + latinSyl[r.intn(len(latinSyl))]
	}
	words := func(n int, withTopic bool, headline bool) string {
		var b bytes.Buffer
		at := -1
		if withTopic {
			at = r.intn(n)
		}
		for w := range n {
			if w > 0 {
				b.WriteByte(' ')
			}
			if w == at {
				b.WriteString(Topic(topic))
				if ko {
					b.WriteString(particles[r.intn(len(particles))])
				}
				continue
			}
			if headline {
				b.WriteString(coined())
				continue
			}
			if ko && r.intn(5) > 0 {
				b.WriteString(koWords[r.intn(len(koWords))])
				b.WriteString(particles[r.intn(len(particles))])
			} else {
				b.WriteString(enWords[r.intn(len(enWords))])
			}
		}
		return b.String()
	}
	inTitle := topic >= 0 && r.intn(2) == 0
	title := words(6+r.intn(6), inTitle, true)
	var desc bytes.Buffer
	desc.WriteString("<p>")
	first := true
	for desc.Len() < descBytes {
		if !first {
			desc.WriteString("</p><p>")
		}
		desc.WriteString(words(12+r.intn(12), first && topic >= 0 && !inTitle, false))
		desc.WriteString(".")
		first = false
	}
	desc.WriteString("</p>")
	return item{
		seq:          seq,
		title:        title,
		link:         fmt.Sprintf("https://news.example.com/%d/%d?c=%d", i, seq, c.ItemCycle(i, seq)),
		guid:         fmt.Sprintf("bench-%d-%d", i, seq),
		desc:         desc.String(),
		published:    Base.Add(time.Duration(seq) * time.Minute),
		appearedIn:   c.ItemCycle(i, seq),
		topicMention: topic,
	}
}

// Body is feed i's body in cycle c, its Content-Type and its validators
// (empty for feeds without).
func (c Corpus) Body(i, cycle int) (body []byte, contentType, etag, lastModified string) {
	its := c.items(i, cycle)
	head := its[0]
	if c.Validators(i) {
		etag = fmt.Sprintf(`"%d-%d"`, i, head.seq)
		lastModified = head.published.Format(httpTime)
	}
	var b bytes.Buffer
	b.Grow(c.bodyTarget(i) + 8<<10)
	title := fmt.Sprintf("Bench feed %d 뉴스", i)
	switch c.FeedFormat(i) {
	case RSS:
		enc := "UTF-8"
		if c.EUCKR(i) {
			enc = "EUC-KR"
		}
		fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"%s\"?>\n<rss version=\"2.0\"><channel><title>%s</title><link>https://news.example.com/%d</link><description>bench</description>\n", enc, title, i)
		for _, it := range its {
			fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid isPermaLink=\"false\">%s</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
				html.EscapeString(it.title), html.EscapeString(it.link), it.guid, it.published.Format(time.RFC1123Z), html.EscapeString(it.desc))
		}
		b.WriteString("</channel></rss>\n")
		contentType = "application/rss+xml; charset=utf-8"
		if c.EUCKR(i) {
			out, err := korean.EUCKR.NewEncoder().Bytes(b.Bytes())
			if err == nil { // every generated character is in KS X 1001
				contentType = "application/rss+xml; charset=euc-kr"
				return out, contentType, etag, lastModified
			}
		}
	case Atom:
		fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>%s</title><id>urn:bench:%d</id><updated>%s</updated><link href=\"https://news.example.com/%d\"/>\n",
			title, i, head.published.Format(time.RFC3339), i)
		for _, it := range its {
			fmt.Fprintf(&b, "<entry><title>%s</title><link href=\"%s\"/><id>%s</id><updated>%s</updated><summary type=\"html\">%s</summary></entry>\n",
				html.EscapeString(it.title), html.EscapeString(it.link), it.guid, it.published.Format(time.RFC3339), html.EscapeString(it.desc))
		}
		b.WriteString("</feed>\n")
		contentType = "application/atom+xml; charset=utf-8"
	case JSON:
		type jitem struct {
			ID            string `json:"id"`
			URL           string `json:"url"`
			Title         string `json:"title"`
			ContentHTML   string `json:"content_html"`
			DatePublished string `json:"date_published"`
		}
		f := struct {
			Version     string  `json:"version"`
			Title       string  `json:"title"`
			HomePageURL string  `json:"home_page_url"`
			Items       []jitem `json:"items"`
		}{Version: "https://jsonfeed.org/version/1.1", Title: title, HomePageURL: "https://news.example.com/" + strconv.Itoa(i)}
		for _, it := range its {
			f.Items = append(f.Items, jitem{ID: it.guid, URL: it.link, Title: it.title, ContentHTML: it.desc, DatePublished: it.published.Format(time.RFC3339)})
		}
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(f) // strings and slices only: cannot fail
		contentType = "application/feed+json"
	}
	return b.Bytes(), contentType, etag, lastModified
}

const httpTime = "Mon, 02 Jan 2006 15:04:05 GMT"
