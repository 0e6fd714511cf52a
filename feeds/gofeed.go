package feeds

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/mmcdole/gofeed"
)

// Reasons an entry of a body never reached the parser's output, keys of
// Stats.SkippedReasons.
const (
	// SkipUnparseable counts entries the parser refused even alone, and
	// the rest of a JSON Feed that stops being JSON inside an item.
	SkipUnparseable = "unparseable"
	// SkipTruncated counts an entry the body ended inside.
	SkipTruncated = "truncated"
)

// bodyReport is everything parseBodyReport repaired or left out.
type bodyReport struct {
	Decode decodeReport
	XML    guardReport
	JSON   jsonReport
	// Skipped counts entries of the body that are not in the feed, by
	// reason.
	Skipped map[string]int
	// Rebuilt says how the feed was parsed again from the entries that
	// passed alone, when the whole body did not give them all.
	Rebuilt rebuild
}

// rebuild is how parseEntriesAlone put a feed back together.
type rebuild int

const (
	notRebuilt      rebuild = iota
	rebuiltWhole            // the entries that passed, with the text around them
	rebuiltNoGaps           // without the text between and after the entries
	rebuiltEnvelope         // inside the wrapping start tags only: the feed's own fields lost
)

// stats is the part of the report that Result carries.
func (r bodyReport) stats() Stats {
	s := Stats{
		Repairs:        r.Decode.Repairs,
		RepairOffsets:  r.Decode.Offsets,
		ForbiddenChars: r.XML.Forbidden + r.JSON.Forbidden,
	}
	if f := r.fixes(); len(f) > 0 {
		s.Fixes = f
	}
	if len(r.Skipped) > 0 {
		s.SkippedReasons = make(map[string]int, len(r.Skipped))
		for k, v := range r.Skipped {
			s.SkippedReasons[k] = v
		}
	}
	return s
}

// fixes counts the repairs to the body that Stats has no field for yet,
// by kind: a charset guessed for the whole body, markup repaired before
// parsing, JSON fields reshaped.
func (r bodyReport) fixes() map[string]int {
	m := map[string]int{}
	add := func(kind string, n int) {
		if n > 0 {
			m[kind] += n
		}
	}
	if r.Decode.Guessed {
		add("charset-guessed", 1)
	}
	add("void-element-closed", r.XML.Voids)
	add("unclosed-element-closed", r.XML.Closed)
	add("stray-end-tag-dropped", r.XML.StrayEnds)
	add("bad-comment-dropped", r.XML.BadComments)
	if r.XML.Truncated {
		add("truncated-body-closed", 1)
	}
	add("json-field-reshaped", r.JSON.Coerced)
	switch r.Rebuilt {
	case rebuiltNoGaps:
		add("text-between-entries-dropped", 1)
	case rebuiltEnvelope:
		add("feed-header-dropped", 1)
	}
	if r.JSON.BrokenOff {
		add("truncated-body-closed", 1)
	}
	return m
}

func (r *bodyReport) skip(reason string, n int) {
	if n <= 0 {
		return
	}
	if r.Skipped == nil {
		r.Skipped = make(map[string]int, 2)
	}
	r.Skipped[reason] += n
}

// parseBody decodes a body to UTF-8 and parses it with gofeed; stats
// count what was repaired and the entries that could not be read.
func parseBody(data []byte, contentType string) (*gofeed.Feed, Stats, error) {
	feed, rep, err := parseBodyReport(data, contentType)
	return feed, rep.stats(), err
}

// parseBodyReport is parseBody with the full report.
//
// A JSON body goes to parseJSONBody. An XML body first goes through
// guardXML (forbidden characters, open void elements and items, a cut-off
// end, nesting depth); if gofeed then refuses it, or finds fewer entries
// than guardXML saw, each entry is parsed alone inside the feed's envelope
// and the feed is parsed again from the entries that passed, so one bad
// entry does not lose the others.
func parseBodyReport(data []byte, contentType string) (*gofeed.Feed, bodyReport, error) {
	var rep bodyReport
	text, dec := decodeBody(data, contentType)
	rep.Decode = dec
	if isJSON(text) {
		feed, js, err := parseJSONBody(text)
		rep.JSON = js
		if err == nil {
			rep.skip(SkipUnparseable, js.Dropped)
		}
		return feed, rep, err
	}
	guarded, g, err := guardXML(text)
	if err != nil {
		return nil, rep, err
	}
	rep.XML = g
	feed, err := parseFeed(guarded)
	if (err != nil || len(feed.Items) < len(g.Items)) && len(g.Items) > 0 {
		if rec, how := parseEntriesAlone(guarded, g); rec != nil && (err != nil || len(rec.Items) > len(feed.Items)) {
			feed, err, rep.Rebuilt = rec, nil, how
		}
	}
	if err == nil && len(feed.Items) == 0 && g.Truncated {
		// A body cut short before its first whole entry saves nothing:
		// the parser's own error on it says best why.
		if _, perr := parseFeed(text); perr != nil {
			err = perr
		}
	}
	if err != nil {
		return nil, rep, err
	}
	if g.CutItem {
		rep.skip(SkipTruncated, 1)
	}
	rep.skip(SkipUnparseable, len(g.Items)-len(feed.Items))
	return feed, rep, nil
}

// parseEntriesAlone parses each entry of text alone, wrapped in the start
// and end tags of the elements around the first entry, then parses the
// feed from the entries that passed: with the text around them, else with
// the text before them only (its channel title and link), else with the
// wrapping tags only, keeping the first that yields all those entries, or
// the one yielding most.
func parseEntriesAlone(text []byte, g guardReport) (*gofeed.Feed, rebuild) {
	var open, closing []byte
	for _, t := range g.Envelope {
		open = append(open, text[t.Start:t.End]...)
	}
	for d := len(g.EnvelopeNames) - 1; d >= 0; d-- {
		closing = append(closing, "</"...)
		closing = append(closing, g.EnvelopeNames[d]...)
		closing = append(closing, '>')
	}
	// Each entry parsed alone costs its wrapping again: bound the total.
	if wrap := len(open) + len(closing); len(open) == 0 || wrap > maxEnvelope || wrap*len(g.Items) > 2*len(text)+maxEnvelope {
		return nil, notRebuilt
	}
	good := make([]bool, len(g.Items))
	var doc []byte
	for k, it := range g.Items {
		if it.End < it.Start {
			continue
		}
		doc = append(append(append(doc[:0], open...), text[it.Start:it.End]...), closing...)
		f, err := parseFeed(doc)
		good[k] = err == nil && len(f.Items) == 1
	}
	first, last := g.Items[0].Start, g.Items[len(g.Items)-1].End
	last = max(last, first)
	want := 0
	for _, ok := range good {
		if ok {
			want++
		}
	}
	entries := func(gaps bool) []byte {
		var b []byte
		for k, it := range g.Items {
			if good[k] {
				b = append(b, text[it.Start:it.End]...)
			}
			if gaps && k+1 < len(g.Items) && it.End >= it.Start && it.End <= g.Items[k+1].Start {
				b = append(b, text[it.End:g.Items[k+1].Start]...)
			}
		}
		return b
	}
	var best *gofeed.Feed
	how := notRebuilt
	for k, doc := range []func() []byte{
		func() []byte { return concat(text[:first], entries(true), text[last:]) },
		func() []byte { return concat(text[:first], entries(false), closing) },
		func() []byte { return concat(open, entries(false), closing) },
	} {
		f, err := parseFeed(doc())
		if err == nil && (best == nil || len(f.Items) > len(best.Items)) {
			best, how = f, rebuiltWhole+rebuild(k)
		}
		if best != nil && len(best.Items) >= want {
			break
		}
	}
	return best, how
}

func concat(parts ...[]byte) []byte {
	return bytes.Join(parts, nil)
}

// parseFeed runs gofeed and turns a panic inside it into an error.
func parseFeed(data []byte) (feed *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			feed, err = nil, fmt.Errorf("parser panic: %v", r)
		}
	}()
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	// The translator's last resort for an RSS item's picture parses the
	// HTML of every item into a tree (a fifth of gofeed's time on news
	// feeds); normalize does it only for items that need it, and only
	// when their HTML may hold an image (contentImage).
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	feed, err = p.Parse(bytes.NewReader(data))
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, errors.New("not an RSS, Atom or JSON feed")
	}
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	return feed, nil
}
