// Package demo serves news feeds from inside the process for newshound
// demo: an RSS feed of Korean headlines and an Atom feed of English ones,
// replayed from [Headlines] one at a time on a ticker, with ETags so the
// bot's conditional requests are answered 304 while nothing is new. No
// network and no account is needed to see the bot work.
package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Paths of the two feeds.
const (
	PathKorean  = "/ko.rss"
	PathEnglish = "/en.atom"
)

// feedItems is how many items a feed shows, newest first, as real feeds
// keep only their latest stories.
const feedItems = 30

// Options configure a Server. The zero value replays [Headlines] with
// nothing published yet, on the real clock.
type Options struct {
	// Headlines is the replay; nil means [Headlines].
	Headlines []Headline
	// Initial headlines are published by New, dated a few minutes apart
	// before now, as the stories a feed already holds when it is first
	// read.
	Initial int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnPublish, if set, is called after each headline published by
	// Publish (not for the Initial ones), outside the server's lock.
	OnPublish func(Story)
}

// Story is a published headline.
type Story struct {
	Headline
	// Seq numbers the stories from 1 in publishing order; it is the
	// story's id and the last part of its link.
	Seq       int
	Published time.Time
}

// Server is the feed server: an http.Handler serving PathKorean,
// PathEnglish, a page per story and an index. It is safe for concurrent
// use.
type Server struct {
	opt  Options
	mu   sync.Mutex
	pub  []Story
	next int // index in opt.Headlines of the next story to publish
	// read is closed once both feeds have been served in full.
	read   chan struct{}
	served map[string]bool
}

// initialSpacing is how far apart the Initial stories are dated.
const initialSpacing = 7 * time.Minute

// New returns a server with opt.Initial headlines already published.
func New(opt Options) *Server {
	if opt.Headlines == nil {
		opt.Headlines = Headlines()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Server{opt: opt, read: make(chan struct{}), served: map[string]bool{}}
	n := min(max(opt.Initial, 0), len(opt.Headlines))
	now := opt.Now()
	for i := range n {
		s.pub = append(s.pub, Story{Headline: opt.Headlines[i], Seq: i + 1, Published: now.Add(-time.Duration(n-i) * initialSpacing)})
	}
	s.next = n
	return s
}

// Publish publishes the next headline of the replay, dated now, and
// returns it; ok is false when every headline has been published.
func (s *Server) Publish() (st Story, ok bool) {
	s.mu.Lock()
	if s.next >= len(s.opt.Headlines) {
		s.mu.Unlock()
		return Story{}, false
	}
	st = Story{Headline: s.opt.Headlines[s.next], Seq: s.next + 1, Published: s.opt.Now()}
	s.next++
	s.pub = append(s.pub, st)
	s.mu.Unlock()
	if s.opt.OnPublish != nil {
		s.opt.OnPublish(st)
	}
	return st, true
}

// FirstRead is closed once both feeds have been served in full: a
// publisher that waits for it publishes only stories the reader's first
// poll has not seen.
func (s *Server) FirstRead() <-chan struct{} { return s.read }

// markServed records that the feed at path was served in full.
func (s *Server) markServed(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.served) == 2 {
		return
	}
	s.served[path] = true
	if len(s.served) == 2 {
		close(s.read)
	}
}

// Remaining is the number of headlines not published yet.
func (s *Server) Remaining() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.opt.Headlines) - s.next
}

// Run publishes one headline per tick until every headline is published
// (it then returns nil) or ctx ends (it returns ctx.Err()). The ticks
// come from a time.Ticker in the command and from the test in tests.
func (s *Server) Run(ctx context.Context, ticks <-chan time.Time) error {
	for s.Remaining() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticks:
			s.Publish()
		}
	}
	return nil
}

// ServeHTTP serves the feeds, the story pages and an index.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	base := "http://" + r.Host
	id, isStory := strings.CutPrefix(r.URL.Path, "/story/")
	switch {
	case r.URL.Path == PathKorean:
		s.serveFeed(w, r, "application/rss+xml; charset=utf-8", func(b *bytes.Buffer) error { return s.rss(b, base) })
	case r.URL.Path == PathEnglish:
		s.serveFeed(w, r, "application/atom+xml; charset=utf-8", func(b *bytes.Buffer) error { return s.atom(b, base) })
	case r.URL.Path == "/":
		s.serveIndex(w, base)
	case isStory:
		s.serveStory(w, r, id)
	default:
		http.NotFound(w, r)
	}
}

// serveFeed renders a feed and answers 304 when the client's ETag is the
// body's.
func (s *Server) serveFeed(w http.ResponseWriter, r *http.Request, contentType string, render func(*bytes.Buffer) error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if err := render(&b); err != nil {
		http.Error(w, "demo: rendering the feed: "+err.Error(), http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(b.Bytes())
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	_, _ = w.Write(b.Bytes())
	if r.Method == http.MethodGet {
		s.markServed(r.URL.Path)
	}
}

// latest returns the newest stories in lang, newest first.
func (s *Server) latest(lang string) []Story {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Story
	for i := len(s.pub) - 1; i >= 0 && len(out) < feedItems; i-- {
		if s.pub[i].Lang == lang {
			out = append(out, s.pub[i])
		}
	}
	return out
}

func storyLink(base string, st Story) string { return base + "/story/" + strconv.Itoa(st.Seq) }

type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title       string    `xml:"title"`
	Link        string    `xml:"link"`
	Description string    `xml:"description"`
	Language    string    `xml:"language"`
	Items       []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	GUID        rssGUID `xml:"guid"`
	PubDate     string  `xml:"pubDate"`
	Description string  `xml:"description"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	ID          string `xml:",chardata"`
}

// Feed titles, as alerts show them for their source.
const (
	TitleKorean  = "데모 뉴스 (newshound demo)"
	TitleEnglish = "Demo Wire (newshound demo)"
)

func (s *Server) rss(b *bytes.Buffer, base string) error {
	doc := rssDoc{Version: "2.0", Channel: rssChannel{
		Title:       TitleKorean,
		Link:        base + "/",
		Description: "newshound demo용으로 작성한 가상의 기사입니다. 실제 보도가 아닙니다.",
		Language:    "ko",
	}}
	for _, st := range s.latest("ko") {
		doc.Channel.Items = append(doc.Channel.Items, rssItem{
			Title:       st.Title,
			Link:        storyLink(base, st),
			GUID:        rssGUID{IsPermaLink: "false", ID: guid(st)},
			PubDate:     st.Published.Format(time.RFC1123Z),
			Description: st.Body,
		})
	}
	if err := xml.NewEncoder(b).Encode(doc); err != nil {
		return fmt.Errorf("demo: rss: %w", err)
	}
	return nil
}

type atomDoc struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Author  atomAuthor  `xml:"author"`
	Link    atomLink    `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	Title     string   `xml:"title"`
	ID        string   `xml:"id"`
	Link      atomLink `xml:"link"`
	Published string   `xml:"published"`
	Updated   string   `xml:"updated"`
	Summary   string   `xml:"summary"`
}

func (s *Server) atom(b *bytes.Buffer, base string) error {
	stories := s.latest("en")
	updated := s.opt.Now()
	if len(stories) > 0 {
		updated = stories[0].Published
	}
	doc := atomDoc{
		Title:   TitleEnglish,
		ID:      "urn:newshound:demo:en",
		Updated: updated.UTC().Format(time.RFC3339),
		Author:  atomAuthor{Name: "newshound demo"},
		Link:    atomLink{Href: base + "/"},
	}
	for _, st := range stories {
		ts := st.Published.UTC().Format(time.RFC3339)
		doc.Entries = append(doc.Entries, atomEntry{
			Title: st.Title, ID: guid(st), Link: atomLink{Href: storyLink(base, st)},
			Published: ts, Updated: ts, Summary: st.Body,
		})
	}
	if err := xml.NewEncoder(b).Encode(doc); err != nil {
		return fmt.Errorf("demo: atom: %w", err)
	}
	return nil
}

func guid(st Story) string { return "urn:newshound:demo:story:" + strconv.Itoa(st.Seq) }

var pages = template.Must(template.New("index").Parse(`<!doctype html>
<meta charset="utf-8"><title>newshound demo</title>
<h1>newshound demo</h1>
<p>Headlines written for the demo, not real reporting. Feeds: <a href="{{.Base}}/ko.rss">{{.Base}}/ko.rss</a> (RSS, 한국어), <a href="{{.Base}}/en.atom">{{.Base}}/en.atom</a> (Atom, English).</p>
<ul>{{range .Stories}}<li><a href="/story/{{.Seq}}">{{.Title}}</a></li>{{end}}</ul>
{{define "story"}}<!doctype html>
<meta charset="utf-8"><title>{{.Title}}</title>
<h1>{{.Title}}</h1>
<p><time>{{.Published.Format "2006-01-02 15:04 MST"}}</time></p>
<p>{{.Body}}</p>
<p><a href="/">newshound demo</a>: written for the demo, not real reporting.</p>
{{end}}`))

func (s *Server) serveIndex(w http.ResponseWriter, base string) {
	s.mu.Lock()
	stories := append([]Story(nil), s.pub...)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.Execute(w, struct {
		Base    string
		Stories []Story
	}{base, stories})
}

func (s *Server) serveStory(w http.ResponseWriter, r *http.Request, id string) {
	n, err := strconv.Atoi(id)
	s.mu.Lock()
	var st Story
	found := err == nil && n >= 1 && n <= len(s.pub)
	if found {
		st = s.pub[n-1]
	}
	s.mu.Unlock()
	if !found {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(w, "story", st)
}
