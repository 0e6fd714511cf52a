// Package opml reads and writes OPML subscription lists, the format feed
// readers import and export.
//
// [Parse] reads OPML 2.0 and the older 1.0 and 1.1 files readers still
// write (Feedly, Inoreader, NetNewsWire, Miniflux, FreshRSS, Thunderbird,
// The Old Reader): an outline with an xmlUrl is a feed, and the outlines
// around it without one are its folders (categories). Attribute names are
// matched without regard to case, since older exporters write "xmlurl" or
// "xmlURL". Every outline that is not a usable feed is returned in
// [Document.Skipped] with its line and the reason, never dropped silently.
//
// [Write] writes OPML 2.0: a head with title and dateCreated, and one
// outline type="rss" per feed, nested in one outline per folder.
package opml

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/html/charset"
)

// Feed is one subscription.
type Feed struct {
	// Text and Title are the outline's labels; readers write both, often
	// equal. Title falls back to Text when the file has no title, and
	// Text to Title.
	Text, Title string
	// XMLURL is the feed's address (http or https), as written.
	XMLURL string
	// HTMLURL is the web site the feed belongs to, when given.
	HTMLURL string
	// Type is the outline's type ("rss" in most files), lower-cased.
	Type string
	// Categories are the labels of the folders around the feed, outermost
	// first.
	Categories []string
	// Line is the line of the outline in the file (1-based; 0 when the
	// feed was not read from a file).
	Line int
}

// Skipped is an outline that is not a usable feed.
type Skipped struct {
	// Line is the outline's line in the file (1-based).
	Line int
	// Text is the outline's title or text, as written.
	Text string
	// Reason says why, in lowercase words ("no xmlUrl", …).
	Reason string
}

// Document is an OPML file.
type Document struct {
	// Version is the opml element's version attribute ("2.0", "1.0", …).
	Version string
	// Title is the head's title.
	Title string
	// DateCreated is the head's dateCreated, as written (Parse) or the
	// time to write (Write; zero leaves it out).
	DateCreated string
	// Feeds are the usable feeds, in file order.
	Feeds []Feed
	// Skipped are the outlines that are not feeds, in file order.
	Skipped []Skipped
}

// MaxDepth bounds the nesting of outlines Parse accepts.
const MaxDepth = 64

// frame is an open outline while parsing.
type frame struct {
	label    string // title or text
	line     int
	feed     bool // has an xmlUrl (usable or not)
	children bool
	reason   string // why a leaf without a feed is skipped
}

// Parse reads an OPML document. It fails when the text is not well-formed
// XML or its root is not <opml>; outlines that are not feeds are listed in
// Skipped.
func Parse(r io.Reader) (*Document, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	dec := xml.NewDecoder(br)
	dec.CharsetReader = charset.NewReaderLabel
	dec.Entity = xml.HTMLEntity // titles copied from web pages carry &nbsp; and the like
	doc := &Document{}
	var (
		path    []string // element names from the root
		stack   []*frame
		sawRoot bool
	)
	for {
		line, _ := dec.InputPos()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("opml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if len(path) == 0 {
				if name != "opml" {
					return nil, fmt.Errorf("opml: line %d: the root element is <%s>, not <opml>", line, t.Name.Local)
				}
				sawRoot = true
				doc.Version = attr(t, "version")
			}
			path = append(path, name)
			if name != "outline" || !inBody(path) {
				continue
			}
			if len(stack) >= MaxDepth {
				return nil, fmt.Errorf("opml: line %d: outlines nested deeper than %d", line, MaxDepth)
			}
			if n := len(stack); n > 0 {
				stack[n-1].children = true
			}
			stack = append(stack, outline(doc, t, line, stack))
		case xml.EndElement:
			if len(path) == 0 {
				continue
			}
			if path[len(path)-1] == "outline" && inBody(path) && len(stack) > 0 {
				f := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if !f.feed && !f.children {
					doc.Skipped = append(doc.Skipped, Skipped{Line: f.line, Text: f.label, Reason: f.reason})
				}
			}
			path = path[:len(path)-1]
		case xml.CharData:
			if len(path) == 3 && path[1] == "head" {
				switch path[2] {
				case "title":
					doc.Title += string(t)
				case "datecreated":
					doc.DateCreated += string(t)
				}
			}
		}
	}
	if !sawRoot {
		return nil, errors.New("opml: no <opml> element")
	}
	doc.Title = clean(doc.Title)
	doc.DateCreated = clean(doc.DateCreated)
	return doc, nil
}

// inBody reports whether the element at the end of path is inside <body>.
func inBody(path []string) bool { return len(path) >= 3 && path[1] == "body" }

// outline reads one <outline>: a feed is added to doc (or skipped with
// its reason); a frame is returned either way, for its children.
func outline(doc *Document, t xml.StartElement, line int, stack []*frame) *frame {
	text, title := clean(attr(t, "text")), clean(attr(t, "title"))
	label := cmpOr(title, text)
	typ := strings.ToLower(strings.TrimSpace(attr(t, "type")))
	raw := strings.TrimSpace(attr(t, "xmlUrl"))
	if raw == "" && (typ == "rss" || typ == "atom") {
		raw = strings.TrimSpace(attr(t, "url")) // some OPML 1.0 writers
	}
	f := &frame{label: label, line: line}
	switch {
	case raw != "":
		f.feed = true
		if err := checkURL(raw); err != nil {
			doc.Skipped = append(doc.Skipped, Skipped{Line: line, Text: label, Reason: err.Error()})
			return f
		}
		var cats []string
		for _, p := range stack {
			if !p.feed && p.label != "" {
				cats = append(cats, p.label)
			}
		}
		doc.Feeds = append(doc.Feeds, Feed{
			Text: cmpOr(text, title), Title: label,
			XMLURL: raw, HTMLURL: strings.TrimSpace(attr(t, "htmlUrl")),
			Type: typ, Categories: cats, Line: line,
		})
	case typ == "include":
		f.reason = "an include of another OPML file (not followed)"
	case typ == "link" || attr(t, "url") != "":
		f.reason = "a link to a web page, not a feed (no xmlUrl)"
	default:
		f.reason = "no xmlUrl"
	}
	return f
}

// checkURL accepts absolute http and https addresses with a host.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("xmlUrl is not a valid address")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("xmlUrl is not an http or https address")
	case u.Hostname() == "":
		return errors.New("xmlUrl has no host")
	}
	return nil
}

// attr returns the value of the attribute called name (in any case, in
// no namespace), or "".
func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Space == "" && strings.EqualFold(a.Name.Local, name) {
			return a.Value
		}
	}
	return ""
}

// clean makes a label one line: control characters dropped, runs of
// spaces made one space, the ends trimmed.
func clean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.IsControl(r):
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Write writes doc as OPML 2.0. Feeds with categories are nested in one
// outline per folder, folders in the order they first appear; feeds
// without are written at the top level. Skipped is not written.
func Write(w io.Writer, doc *Document) error {
	type node struct {
		label    string
		feeds    []Feed
		children []*node
		index    map[string]*node
	}
	root := &node{index: map[string]*node{}}
	var order []any // *node or Feed at the top level, in order
	for _, f := range doc.Feeds {
		n := root
		for _, c := range f.Categories {
			child := n.index[c]
			if child == nil {
				child = &node{label: c, index: map[string]*node{}}
				n.index[c] = child
				n.children = append(n.children, child)
				if n == root {
					order = append(order, child)
				}
			}
			n = child
		}
		if n == root {
			order = append(order, f)
		} else {
			n.feeds = append(n.feeds, f)
		}
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<opml version=\"2.0\">\n  <head>\n")
	fmt.Fprintf(&b, "    <title>%s</title>\n", esc(doc.Title))
	if doc.DateCreated != "" {
		fmt.Fprintf(&b, "    <dateCreated>%s</dateCreated>\n", esc(doc.DateCreated))
	}
	b.WriteString("  </head>\n  <body>\n")
	writeFeed := func(f Feed, depth int) {
		indent := strings.Repeat("  ", depth+2)
		text := cmpOr(f.Text, f.Title)
		fmt.Fprintf(&b, "%s<outline type=\"rss\" text=\"%s\" title=\"%s\" xmlUrl=\"%s\"", indent, esc(text), esc(cmpOr(f.Title, text)), esc(f.XMLURL))
		if f.HTMLURL != "" {
			fmt.Fprintf(&b, " htmlUrl=\"%s\"", esc(f.HTMLURL))
		}
		b.WriteString("/>\n")
	}
	var writeNode func(n *node, depth int)
	writeNode = func(n *node, depth int) {
		indent := strings.Repeat("  ", depth+2)
		fmt.Fprintf(&b, "%s<outline text=\"%s\" title=\"%s\">\n", indent, esc(n.label), esc(n.label))
		for _, f := range n.feeds {
			writeFeed(f, depth+1)
		}
		for _, c := range n.children {
			writeNode(c, depth+1)
		}
		fmt.Fprintf(&b, "%s</outline>\n", indent)
	}
	for _, it := range order {
		switch v := it.(type) {
		case Feed:
			writeFeed(v, 0)
		case *node:
			writeNode(v, 0)
		}
	}
	b.WriteString("  </body>\n</opml>\n")
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("opml: write: %w", err)
	}
	return nil
}

// FormatDate formats t as OPML's dateCreated wants it (RFC 822, with a
// four-digit year and a numeric zone).
func FormatDate(t time.Time) string { return t.Format(time.RFC1123Z) }

// esc escapes s for an attribute or element text, control characters
// (which XML 1.0 cannot hold) dropped.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\t' && r != '\n' {
			return -1
		}
		return r
	}, s)))
	return b.String()
}
