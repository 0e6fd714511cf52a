package feeds

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	"github.com/mmcdole/gofeed/rss"
	"golang.org/x/net/html"
)

// maxTTL bounds the <ttl> hint, so a feed cannot ask to be left alone for
// a week.
const maxTTL = 24 * time.Hour

// Reasons an entry is skipped, the keys of Stats.SkippedReasons.
const (
	// SkipNil counts entries the parser returned as nil.
	SkipNil = "nil"
	// SkipEmpty counts entries with no title, link, id or text at all.
	SkipEmpty = "empty"
)

// Parse decodes a feed body (RSS, Atom or JSON Feed, in any charset) and
// normalizes its entries. contentType is the HTTP Content-Type, or "" for a
// file; feedName fills Item.Feed; feedURL, the address the body came from
// ("" for a file), resolves relative links when the feed names no absolute
// home page; dates without a zone are read in loc (UTC if nil); now is
// every item's FirstSeen and the reference for dates too far ahead. The
// result's BodyHash is set; RetryAfter carries the RSS <ttl>. Every entry
// becomes an item, a duplicate (Stats.Duplicates) or a skip
// (Stats.SkippedReasons). A body that cannot be parsed gives an error
// with the reason.
func Parse(data []byte, contentType, feedName, feedURL string, loc *time.Location, now time.Time) (Result, error) {
	res, err := parse(data, contentType, feedName, feedURL, loc, now)
	if err != nil {
		return Result{}, fmt.Errorf("feeds: %s: %w", feedName, err)
	}
	res.Validators = Validators{BodyHash: bodyHash(data)}
	return res, nil
}

// bodyHash is Validators.BodyHash of a body: "xxh64:" and the hex of its
// XXH64 hash. It only tells whether a feed's body changed since the last
// poll, so it need not resist a forger (a server can always send its old
// body again), and it costs a tenth of SHA-256 on the bodies of every
// poll. A hash stored in another form (older releases kept the hex of a
// SHA-256) differs from every new one, so that body is parsed once more.
func bodyHash(body []byte) string {
	var sum [8]byte
	binary.BigEndian.PutUint64(sum[:], xxhash.Sum64(body))
	return "xxh64:" + hex.EncodeToString(sum[:])
}

// parse is Parse without the error prefix, so Fetch can name the URL,
// and without the body hash, which Fetch computes before parsing.
func parse(data []byte, contentType, feedName, feedURL string, loc *time.Location, now time.Time) (res Result, err error) {
	if loc == nil {
		loc = time.UTC
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Result{}, errors.New("empty body")
	}
	feed, stats, err := parseBody(data, contentType)
	if err != nil {
		return Result{}, err
	}
	res = Result{
		Stats: stats,
		Title: truncate(plainText(feed.Title), maxFeedTitleRunes),
	}
	for _, n := range stats.SkippedReasons {
		res.Skipped += n // entries the repair could not recover
	}
	var rssItems []*rss.Item
	if rf, ok := feed.OriginalFeed().(*rss.Feed); ok {
		rssItems = rf.Items
		if ttl, err := strconv.Atoi(strings.TrimSpace(rf.TTL)); err == nil && ttl > 0 {
			res.RetryAfter = min(time.Duration(ttl)*time.Minute, maxTTL)
		}
	}
	n := normalizer{name: cmp.Or(res.Title, plainText(feedName)), base: baseURL(feedURL, feed.Link), loc: loc, now: now}
	seen := make(map[string]bool, len(feed.Items))
	for i, it := range feed.Items {
		if it == nil {
			res.skip(SkipNil)
			continue
		}
		var ri *rss.Item
		if i < len(rssItems) {
			ri = rssItems[i]
		}
		item, reason := n.normalize(it, ri)
		if reason != "" {
			res.skip(reason)
			continue
		}
		if seen[item.Key] {
			res.Stats.Duplicates++
			continue
		}
		seen[item.Key] = true
		if item.Undated {
			res.Stats.Undated++
		}
		item.Feed = feedName
		item.FeedTitle = res.Title
		res.Items = append(res.Items, item)
	}
	setLegacyKeys(res.Items)
	return res, nil
}

// skip counts an entry left out, by reason.
func (r *Result) skip(reason string) {
	r.Skipped++
	if r.Stats.SkippedReasons == nil {
		r.Stats.SkippedReasons = map[string]int{}
	}
	r.Stats.SkippedReasons[reason]++
}

// baseURL is what relative links are resolved against: the feed's home
// page (itself resolved against the feed's address), else the feed's
// address; nil when neither is an absolute http(s) URL. Credentials are
// dropped so that no item link inherits them.
func baseURL(feedURL, homePage string) *url.URL {
	var base *url.URL
	if u, err := url.Parse(strings.TrimSpace(feedURL)); err == nil && isHTTP(u) {
		base = u
	}
	if u, err := url.Parse(strings.TrimSpace(homePage)); err == nil && homePage != "" {
		if base != nil {
			u = base.ResolveReference(u)
		}
		if isHTTP(u) {
			base = u
		}
	}
	if base != nil {
		base.User = nil
	}
	return base
}

func isHTTP(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// normalizer turns gofeed items into Items for one feed.
type normalizer struct {
	name string   // the feed's title or name, for an item known only by its id
	base *url.URL // for relative links; may be nil
	loc  *time.Location
	now  time.Time
}

// normalize turns one gofeed item into an Item, or gives the reason it
// cannot (SkipEmpty: no title, link, id or text at all). ri is the RSS
// item it was translated from (nil for Atom and JSON Feed).
func (n *normalizer) normalize(it *gofeed.Item, ri *rss.Item) (Item, string) {
	var src *rss.Source
	if ri != nil {
		src = ri.Source
	}
	item := Item{
		Title:     truncate(plainText(it.Title), maxTitleRunes),
		Content:   plainText(it.Content),
		FirstSeen: n.now.UTC(),
	}
	item.Summary = item.Content
	if it.Description != it.Content && strings.TrimSpace(it.Description) != "" {
		item.Summary = plainText(it.Description) // the same text gives the same summary
	}

	item.Link = resolveLink(n.base, it.Link)
	for _, l := range it.Links {
		if item.Link != "" {
			break
		}
		item.Link = resolveLink(n.base, l)
	}
	guid := strings.TrimSpace(strings.ToValidUTF8(it.GUID, "\uFFFD"))
	if item.Link == "" && strings.HasPrefix(guid, "http") {
		item.Link = resolveLink(nil, guid)
	}
	// A relative link with nothing to resolve it against (a file read
	// without its address) cannot be followed, but still names the item.
	relative := ""
	if item.Link == "" {
		if u, err := url.Parse(strings.TrimSpace(it.Link)); err == nil && u.Scheme == "" && u.Host == "" {
			relative = strings.Trim(collapse(u.Path), "/ ")
		}
	}
	text := cmp.Or(item.Summary, item.Content)
	if item.Title == "" && item.Link == "" && relative == "" && guid == "" && text == "" {
		return Item{}, SkipEmpty
	}
	// The key sees the text too when the title is made up from it, so two
	// untitled posts that start alike stay two.
	keyTitle := item.Title
	if item.Title == "" {
		item.Title = n.face(text, item.Link, relative, guid)
		keyTitle = item.Title + "\x00" + text
	}

	base := n.base
	if item.Link != "" {
		if u, err := url.Parse(item.Link); err == nil {
			base = u
		}
	}
	item.Image = itemImage(it, ri, base)
	item.Author = itemAuthor(it, src)
	if src != nil {
		item.Source = plainText(src.Title)
	}
	if t, ok := n.date(it); ok {
		item.Published = t.UTC()
	} else {
		item.Undated = true
	}
	item.Key = itemKey(guid, item.Link, keyTitle, item.Published)
	if guid == "" {
		item.LegacyKey = legacyLinkKey(item.Link)
	}
	return item, ""
}

// face makes a title for an untitled item: the first sentence of its text,
// else its link's host and path (or the path of a link that could not be
// resolved), else the feed's name and the item's id.
func (n *normalizer) face(text, link, relative, guid string) string {
	if text != "" {
		return Snippet(text, 0, faceRunes)
	}
	if link != "" {
		if u, err := url.Parse(link); err == nil {
			if t := collapse(strings.ToLower(u.Host) + strings.TrimRight(u.Path, "/")); t != "" {
				return truncate(t, faceRunes)
			}
		}
	}
	if relative != "" {
		return truncate(relative, faceRunes)
	}
	return truncate(strings.TrimSpace(n.name+" item "+collapse(guid)), faceRunes)
}

// date reads the item's date from the first source that holds a readable
// one: published, updated, Dublin Core dc:date, dcterms:issued, modified
// and created, and Atom 0.3 issued, modified and created carried as
// extensions or unknown RSS elements. A date more than maxFuture ahead of
// now is unreadable: a wrong zone or a placeholder, not a real date.
func (n *normalizer) date(it *gofeed.Item) (time.Time, bool) {
	try := func(raw string, parsed *time.Time) (time.Time, bool) {
		if strings.TrimSpace(raw) == "" && parsed == nil {
			return time.Time{}, false
		}
		t, ok := parseDate(raw, parsed, n.loc, n.now)
		if !ok || t.After(n.now.Add(maxFuture)) {
			return time.Time{}, false
		}
		return t, true
	}
	if t, ok := try(it.Published, it.PublishedParsed); ok {
		return t, true
	}
	if t, ok := try(it.Updated, it.UpdatedParsed); ok {
		return t, true
	}
	var raws []string
	if it.DublinCoreExt != nil {
		raws = append(raws, it.DublinCoreExt.Date...)
	}
	for _, d := range []struct{ prefix, name string }{
		{"dc", "date"}, {"dcterms", "issued"}, {"dcterms", "modified"}, {"dcterms", "created"},
		{"atom03", "issued"}, {"atom03", "modified"}, {"atom03", "created"},
		{"atom", "issued"}, {"atom", "modified"}, {"atom", "created"},
	} {
		for _, e := range it.Extensions[d.prefix][d.name] {
			raws = append(raws, e.Value)
		}
	}
	for _, name := range []string{"issued", "modified", "created"} {
		raws = append(raws, it.Custom[name])
	}
	for _, raw := range raws {
		if t, ok := try(raw, nil); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// setLegacyKeys keeps the LegacyKey of an item keyed by link and title
// only when no other item shares its link: such items were merged into one
// by earlier versions, so that key names none of them alone.
func setLegacyKeys(items []Item) {
	byLink := map[string]int{}
	for _, it := range items {
		if it.LegacyKey != "" {
			byLink[it.LegacyKey]++
		}
	}
	for i, it := range items {
		if byLink[it.LegacyKey] > 1 {
			items[i].LegacyKey = ""
		}
	}
}

// itemAuthor is the first author's name (or e-mail), else the <source> of
// an aggregated item (Google News names the publisher there).
func itemAuthor(it *gofeed.Item, src *rss.Source) string {
	var names []string
	for _, p := range it.Authors {
		if p == nil {
			continue
		}
		if n := plainText(p.Name); n != "" {
			names = append(names, n)
		} else if e := plainText(p.Email); e != "" {
			names = append(names, e)
		}
	}
	if len(names) == 0 {
		for _, c := range it.Extensions["dc"]["creator"] {
			if n := plainText(c.Value); n != "" {
				names = append(names, n)
			}
		}
	}
	if len(names) == 0 && src != nil {
		if n := plainText(src.Title); n != "" {
			names = append(names, n)
		}
	}
	return truncate(strings.Join(names, ", "), 200)
}

// itemImage picks the item's picture: gofeed's choice (itunes:image,
// media:content, image enclosures, and for an RSS item ri the first <img>
// of its content, else of its description), else an image enclosure,
// media:thumbnail or media:content by extension, also inside media:group.
func itemImage(it *gofeed.Item, ri *rss.Item, base *url.URL) string {
	img, ok := "", it.Image != nil
	if ok {
		img = it.Image.URL
	} else if ri != nil {
		if img, ok = contentImage(ri.Content); !ok {
			img, ok = contentImage(ri.Description)
		}
	}
	if ok {
		if u := resolveLink(base, img); u != "" {
			return u
		}
	}
	for _, e := range it.Enclosures {
		if e != nil && (strings.HasPrefix(e.Type, "image/") || (e.Type == "" && isImagePath(e.URL))) {
			if u := resolveLink(base, e.URL); u != "" {
				return u
			}
		}
	}
	media := it.Extensions["media"]
	candidates := append([]ext.Extension{}, media["thumbnail"]...)
	candidates = append(candidates, media["content"]...)
	for _, g := range media["group"] {
		candidates = append(candidates, g.Children["thumbnail"]...)
		candidates = append(candidates, g.Children["content"]...)
	}
	for _, c := range candidates {
		u := c.Attrs["url"]
		if c.Name == "thumbnail" || strings.HasPrefix(c.Attrs["type"], "image/") || c.Attrs["medium"] == "image" || isImagePath(u) {
			if u := resolveLink(base, u); u != "" {
				return u
			}
		}
	}
	return ""
}

// contentImage returns the src of the first <img> with one in the HTML
// fragment doc, as gofeed's translator finds it (a parse into a tree,
// then the tree in document order); ok is false when there is none. The
// fragment is parsed only when it holds "<im" in any case: without it
// the parser makes no img element ("<image" becomes one).
func contentImage(doc string) (src string, ok bool) {
	if !mayHoldImage(doc) {
		return "", false
	}
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		return "", false
	}
	var first func(n *html.Node) (string, bool)
	first = func(n *html.Node) (string, bool) {
		if n.Type == html.ElementNode && n.Data == "img" {
			for _, a := range n.Attr {
				if a.Key == "src" {
					return a.Val, true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if src, ok := first(c); ok {
				return src, true
			}
		}
		return "", false
	}
	return first(root)
}

// mayHoldImage reports whether the HTML doc has "<im" in any case, which
// an img element needs.
func mayHoldImage(doc string) bool {
	for i := strings.IndexByte(doc, '<'); i >= 0; {
		if r := doc[i+1:]; len(r) >= 2 && r[0]|0x20 == 'i' && r[1]|0x20 == 'm' {
			return true
		}
		j := strings.IndexByte(doc[i+1:], '<')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// isImagePath reports whether a URL's path ends in a picture extension.
func isImagePath(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif":
		return true
	}
	return false
}
