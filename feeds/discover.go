package feeds

// This file finds the feeds a web page advertises, so that a page's
// address can be given where a feed's is expected.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/newshound/newshound/redact"
)

// FeedLink is a feed a web page advertises with
// <link rel="alternate" type="…" href="…">.
type FeedLink struct {
	// URL is the href, resolved against the page's address (or its
	// <base href>): always an absolute http or https URL.
	URL string
	// Type is the advertised media type, lowercase, without parameters.
	Type string
	// Title is the link's title attribute, if any (valid UTF-8).
	Title string
}

// Discovery is what Discover found in a page.
type Discovery struct {
	// Feeds are the advertised feeds in document order, each URL once.
	Feeds []FeedLink
	// Skipped counts feed links left out: an href that is missing or
	// cannot be parsed, that is not http or https once resolved, or that
	// repeats an earlier one.
	Skipped int
}

// feedTypes are the media types of the feeds a page may advertise.
var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
	"application/rdf+xml":   true, // RSS 1.0
}

// maxLinkTitleRunes bounds a link's title.
const maxLinkTitleRunes = 200

// Discover returns the feeds an HTML page advertises with
// <link rel="alternate"> of an RSS, Atom, RSS 1.0 or JSON Feed type,
// with hrefs resolved against pageURL, or against the page's first
// <base href> when it has one. The page is data: nothing in it is
// fetched or run. It fails only when pageURL is not an absolute http or
// https URL or ctx ends.
func Discover(ctx context.Context, body []byte, pageURL string) (Discovery, error) {
	page, err := url.Parse(pageURL)
	if err != nil || (page.Scheme != "http" && page.Scheme != "https") || page.Host == "" {
		return Discovery{}, fmt.Errorf("feeds: discover: %s: not an http or https URL", redactURL(pageURL))
	}
	type raw struct{ href, typ, title string }
	var links []raw
	var base *url.URL
	z := html.NewTokenizer(bytes.NewReader(body))
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return Discovery{}, fmt.Errorf("feeds: discover: %w", ctx.Err())
		}
		tt := z.Next()
		if tt == html.ErrorToken {
			break // io.EOF, or the end of what the tokenizer can read
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr {
			continue
		}
		switch atom.Lookup(name) {
		case atom.Base:
			if href, ok := attrs(z)["href"]; ok && base == nil {
				if u, err := page.Parse(strings.TrimSpace(href)); err == nil {
					base = u
				}
			}
		case atom.Link:
			a := attrs(z)
			if !hasToken(a["rel"], "alternate") {
				continue
			}
			typ, _, err := mime.ParseMediaType(a["type"])
			if err != nil || !feedTypes[typ] {
				continue
			}
			links = append(links, raw{href: a["href"], typ: typ, title: a["title"]})
		}
	}
	if base == nil {
		base = page
	}
	var d Discovery
	seen := map[string]bool{}
	for _, l := range links {
		href := strings.TrimSpace(l.href)
		u, err := base.Parse(href)
		if href == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			d.Skipped++
			continue
		}
		u.Fragment = ""
		s := u.String()
		if seen[s] {
			d.Skipped++
			continue
		}
		seen[s] = true
		d.Feeds = append(d.Feeds, FeedLink{URL: s, Type: l.typ, Title: cleanTitle(l.title)})
	}
	return d, nil
}

// attrs returns the attributes of the current tag by lowercase name,
// the first of each name (as browsers keep it).
func attrs(z *html.Tokenizer) map[string]string {
	m := map[string]string{}
	for {
		k, v, more := z.TagAttr()
		if _, dup := m[string(k)]; !dup {
			m[string(k)] = string(v)
		}
		if !more {
			return m
		}
	}
}

// hasToken reports whether the space-separated list s holds tok, in any
// case.
func hasToken(s, tok string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

func cleanTitle(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	if utf8.RuneCountInString(s) > maxLinkTitleRunes {
		s = string([]rune(s)[:maxLinkTitleRunes-1]) + "…"
	}
	return s
}

// Page is a web page fetched whole, to look for the feeds it advertises.
type Page struct {
	// URL is the page's address after redirects: what its links resolve
	// against.
	URL string
	// ContentType is the response's Content-Type header.
	ContentType string
	// Body is the response body, at most Options.MaxBytes.
	Body []byte
}

// FetchPage fetches a web page with the clients Fetch uses: the same
// address guard for an Untrusted source (public addresses only, checked
// on every connection, redirects included), size cap, redirect limit,
// timeout and User-Agent, and the same concurrency slots. The page is not
// parsed. Like Fetch, it returns a *StatusError for an HTTP status other
// than 2xx, and errors name the URL without its secrets.
func (f *HTTPFetcher) FetchPage(ctx context.Context, src Source) (Page, error) {
	u, safe, timeout, ctx, done, err := f.begin(ctx, src)
	if err != nil {
		return Page{}, err
	}
	defer done()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Page{}, fmt.Errorf("feeds: %s: invalid request", safe)
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", "text/html, application/xhtml+xml;q=0.9, */*;q=0.5")
	// A one-off request: keep no idle connection (the header, unlike
	// Request.Close, is carried over to redirects).
	req.Header.Set("Connection", "close")
	cl := f.trusted
	if src.Untrusted {
		cl = f.untrusted
	}
	start := f.o.Now()
	resp, err := cl.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text carries the unredacted URL
		}
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			err = fmt.Errorf("timed out after %s: %w", timeout, err)
		}
		return Page{}, fmt.Errorf("feeds: %s: %w", safe, (*redact.Redactor)(nil).Error(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Page{}, &StatusError{URL: redactURL(resp.Request.URL.String()), Code: resp.StatusCode}
	}
	body, err := readCapped(resp, f.o.MaxBytes)
	f.o.Logger.LogAttrs(ctx, slog.LevelDebug, "page fetched", slog.String("feed", src.Name), slog.String("url", safe),
		slog.Int("status", resp.StatusCode), slog.Int("bytes", len(body)), slog.Int64("duration_ms", f.o.Now().Sub(start).Milliseconds()))
	if err != nil {
		return Page{}, fmt.Errorf("feeds: %s: %w", safe, err)
	}
	return Page{URL: resp.Request.URL.String(), ContentType: resp.Header.Get("Content-Type"), Body: body}, nil
}
