package feeds

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	"github.com/mmcdole/gofeed/rss"
)

// maxTTL bounds the <ttl> hint, so a feed cannot ask to be left alone for
// a week.
const maxTTL = 24 * time.Hour

// Parse decodes a feed body (RSS, Atom or JSON Feed, in any charset) and
// normalizes its entries. contentType is the HTTP Content-Type, or "" for a
// file; feedName fills Item.Feed; dates without a zone are read in loc (UTC
// if nil); now stands in for a missing date. The result's BodyHash is set;
// RetryAfter carries the RSS <ttl>. A body that cannot be parsed gives an
// error with the reason.
func Parse(data []byte, contentType, feedName string, loc *time.Location, now time.Time) (Result, error) {
	res, err := parse(data, contentType, feedName, loc, now)
	if err != nil {
		return Result{}, fmt.Errorf("feeds: %s: %w", feedName, err)
	}
	return res, nil
}

// parse is Parse without the error prefix, so Fetch can name the URL.
func parse(data []byte, contentType, feedName string, loc *time.Location, now time.Time) (res Result, err error) {
	if loc == nil {
		loc = time.UTC
	}
	sum := sha256.Sum256(data)
	if len(bytes.TrimSpace(data)) == 0 {
		return Result{}, errors.New("empty body")
	}
	feed, err := parseFeed(toUTF8(data, contentType))
	if err != nil {
		return Result{}, err
	}
	res = Result{
		Validators: Validators{BodyHash: hex.EncodeToString(sum[:])},
		Title:      truncate(plainText(feed.Title), maxTitleRunes),
	}
	var rssItems []*rss.Item
	if rf, ok := feed.OriginalFeed().(*rss.Feed); ok {
		rssItems = rf.Items
		if ttl, err := strconv.Atoi(strings.TrimSpace(rf.TTL)); err == nil && ttl > 0 {
			res.RetryAfter = min(time.Duration(ttl)*time.Minute, maxTTL)
		}
	}
	base, _ := url.Parse(strings.TrimSpace(feed.Link))
	seen := make(map[string]bool, len(feed.Items))
	for i, it := range feed.Items {
		if it == nil {
			res.Skipped++
			continue
		}
		var src *rss.Source
		if i < len(rssItems) && rssItems[i] != nil {
			src = rssItems[i].Source
		}
		item, ok := normalize(it, src, base, loc, now)
		if !ok {
			res.Skipped++
			continue
		}
		if seen[item.Key] {
			continue
		}
		seen[item.Key] = true
		item.Feed = feedName
		item.FeedTitle = res.Title
		res.Items = append(res.Items, item)
	}
	return res, nil
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
	feed, err = p.Parse(bytes.NewReader(data))
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, errors.New("not an RSS, Atom or JSON feed")
	}
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	return feed, nil
}

// normalize turns one gofeed item into an Item; ok is false for an entry
// with no title, link or text at all.
func normalize(it *gofeed.Item, src *rss.Source, base *url.URL, loc *time.Location, now time.Time) (Item, bool) {
	item := Item{
		Title:   truncate(plainText(it.Title), maxTitleRunes),
		Content: truncate(plainText(it.Content), maxContentRunes),
	}
	desc := it.Description
	if strings.TrimSpace(desc) == "" {
		desc = it.Content
	}
	item.Summary = truncate(plainText(desc), maxSummaryRunes)

	item.Link = resolveLink(base, it.Link)
	for _, l := range it.Links {
		if item.Link != "" {
			break
		}
		item.Link = resolveLink(base, l)
	}
	if item.Link == "" && strings.HasPrefix(strings.TrimSpace(it.GUID), "http") {
		item.Link = resolveLink(nil, it.GUID)
	}
	if item.Title == "" && item.Link == "" && item.Summary == "" {
		return Item{}, false
	}
	if item.Title == "" {
		item.Title = truncate(item.Summary, 100)
	}
	if item.Link != "" {
		if u, err := url.Parse(item.Link); err == nil {
			base = u
		}
	}
	item.Image = itemImage(it, base)
	item.Author = itemAuthor(it, src)
	if src != nil {
		item.Source = plainText(src.Title)
	}

	raw, parsed := it.Published, it.PublishedParsed
	if strings.TrimSpace(raw) == "" && parsed == nil {
		raw, parsed = it.Updated, it.UpdatedParsed
	}
	if t, ok := parseDate(raw, parsed, loc, now); ok && !t.After(now.Add(maxFuture)) {
		item.Published = t.UTC()
	} else {
		item.Published, item.DateGuessed = now.UTC(), true
	}

	item.Key = itemKey(it.GUID, item.Link, item.Title, item.Published, item.DateGuessed)
	if len(item.Key) > maxKeyBytes {
		item.Key = hashKey(item.Key)
	}
	return item, true
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
// media:content, image enclosures, first <img>), else an image enclosure,
// media:thumbnail or media:content by extension, also inside media:group.
func itemImage(it *gofeed.Item, base *url.URL) string {
	if it.Image != nil {
		if u := resolveLink(base, it.Image.URL); u != "" {
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
