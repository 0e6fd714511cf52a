package feeds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestDiscover(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		page    string // the page's address
		body    string
		want    []FeedLink
		skipped int
	}{
		{
			name: "relative, absolute and scheme-relative hrefs, every feed type, in order",
			page: "https://news.example.kr/section/it/index.html",
			body: `<!DOCTYPE html><html><head><title>IT 뉴스</title>
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/rss+xml" title="IT  뉴스 RSS" href="rss/it.xml">
<link rel="alternate" type="application/atom+xml" href="/atom.xml">
<link rel="alternate" type="application/feed+json" href="//cdn.example.kr/feed.json">
<link rel="alternate" type="application/rdf+xml" href="https://news.example.kr/rdf">
<link rel="alternate" hreflang="en" href="/en/">
<link rel="alternate" type="application/json+oembed" href="/oembed">
</head><body>본문</body></html>`,
			want: []FeedLink{
				{URL: "https://news.example.kr/section/it/rss/it.xml", Type: "application/rss+xml", Title: "IT 뉴스 RSS"},
				{URL: "https://news.example.kr/atom.xml", Type: "application/atom+xml"},
				{URL: "https://cdn.example.kr/feed.json", Type: "application/feed+json"},
				{URL: "https://news.example.kr/rdf", Type: "application/rdf+xml"},
			},
		},
		{
			name: "case, rel lists, type parameters, entities, self-closing, unquoted",
			page: "http://blog.example.com/",
			body: `<HTML><HEAD><LINK REL="Alternate Feed" TYPE="Application/RSS+XML; charset=UTF-8" HREF="/feed?a=1&amp;b=2"/>
<link rel=alternate type=application/atom+xml href=/atom#top></HEAD></HTML>`,
			want: []FeedLink{
				{URL: "http://blog.example.com/feed?a=1&b=2", Type: "application/rss+xml"},
				{URL: "http://blog.example.com/atom", Type: "application/atom+xml"},
			},
		},
		{
			name: "base href, even after the links",
			page: "https://example.com/a/b.html",
			body: `<head><link rel="alternate" type="application/rss+xml" href="feed.xml"><base href="https://static.example.com/x/"><base href="/ignored/"></head>`,
			want: []FeedLink{{URL: "https://static.example.com/x/feed.xml", Type: "application/rss+xml"}},
		},
		{
			name: "links left out are counted",
			page: "https://example.com/",
			body: `<link rel="alternate" type="application/rss+xml">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="ftp://example.com/feed">
<link rel="alternate" type="application/rss+xml" href="http://[::1">
<link rel="alternate" type="application/rss+xml" href="/feed">
<link rel="alternate" type="application/rss+xml" href="https://example.com/feed#again">`,
			want:    []FeedLink{{URL: "https://example.com/feed", Type: "application/rss+xml"}},
			skipped: 5,
		},
		{
			name: "links in comments, scripts and attributes are not links",
			page: "https://example.com/",
			body: `<!-- <link rel="alternate" type="application/rss+xml" href="/commented"> -->
<script>document.write('<link rel="alternate" type="application/rss+xml" href="/scripted">')</script>
<meta content='<link rel="alternate" type="application/rss+xml" href="/attr">'>`,
		},
		{name: "not HTML", page: "https://example.com/", body: "\x00\xff{\"not\": \"html\"}"},
		{name: "empty", page: "https://example.com/", body: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Discover(context.Background(), []byte(tc.body), tc.page)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Feeds, tc.want) {
				t.Errorf("feeds:\n%+v\nwant:\n%+v", d.Feeds, tc.want)
			}
			if d.Skipped != tc.skipped {
				t.Errorf("skipped = %d, want %d", d.Skipped, tc.skipped)
			}
		})
	}
}

func TestDiscoverRefuses(t *testing.T) {
	t.Parallel()
	for _, page := range []string{"", "/relative", "file:///etc/passwd", "https://user:secret@"} {
		if _, err := Discover(context.Background(), []byte(`<link rel="alternate" type="application/rss+xml" href="/f">`), page); err == nil {
			t.Errorf("Discover with page %q: no error", page)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("error shows a password: %v", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Discover(ctx, []byte("<html></html>"), "https://example.com/"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func TestFetchPage(t *testing.T) {
	t.Parallel()
	const page = `<html><head><link rel="alternate" type="application/rss+xml" href="feed.xml"></head></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/news/index.html", http.StatusFound)
		case "/news/index.html":
			if r.Header.Get("User-Agent") == "" || !r.Close {
				http.Error(w, "no user agent, or a kept-alive connection", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, page)
		case "/big":
			fmt.Fprint(w, strings.Repeat("x", 2048))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	t.Run("redirect followed, links resolve against the final address", func(t *testing.T) {
		f := NewHTTPFetcher(Options{AllowPrivate: true})
		p, err := f.FetchPage(ctx, Source{Name: "p", URL: srv.URL + "/moved", Untrusted: true})
		if err != nil {
			t.Fatal(err)
		}
		if p.URL != srv.URL+"/news/index.html" || p.ContentType != "text/html; charset=utf-8" || string(p.Body) != page {
			t.Fatalf("page = %+v", p)
		}
		d, err := Discover(ctx, p.Body, p.URL)
		if err != nil || len(d.Feeds) != 1 || d.Feeds[0].URL != srv.URL+"/news/feed.xml" {
			t.Errorf("discovered %+v, %v", d, err)
		}
	})
	t.Run("untrusted: private address refused", func(t *testing.T) {
		f := NewHTTPFetcher(Options{})
		_, err := f.FetchPage(ctx, Source{Name: "p", URL: srv.URL + "/news/index.html", Untrusted: true})
		if !errors.Is(err, ErrNotPublic) {
			t.Errorf("err = %v, want ErrNotPublic", err)
		}
	})
	t.Run("status", func(t *testing.T) {
		f := NewHTTPFetcher(Options{AllowPrivate: true})
		_, err := f.FetchPage(ctx, Source{Name: "p", URL: srv.URL + "/nope?key=secret"})
		var se *StatusError
		if !errors.As(err, &se) || se.Code != http.StatusNotFound || strings.Contains(err.Error(), "secret") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("size cap", func(t *testing.T) {
		f := NewHTTPFetcher(Options{MaxBytes: 1024})
		if _, err := f.FetchPage(ctx, Source{Name: "p", URL: srv.URL + "/big"}); err == nil || !strings.Contains(err.Error(), "exceeds the limit") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("not http", func(t *testing.T) {
		f := NewHTTPFetcher(Options{})
		if _, err := f.FetchPage(ctx, Source{Name: "p", URL: "file:///etc/passwd"}); err == nil {
			t.Error("no error")
		}
	})
}

func FuzzDiscover(f *testing.F) {
	f.Add([]byte(`<link rel="alternate" type="application/rss+xml" href="/feed"><base href="//x.example/">`))
	f.Add([]byte(`<link rel=alternate type=application/atom+xml href="http://[::1]:80/a">`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := Discover(context.Background(), body, "https://example.com/page")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range d.Feeds {
			if !strings.HasPrefix(l.URL, "http://") && !strings.HasPrefix(l.URL, "https://") {
				t.Errorf("not an http(s) URL: %q", l.URL)
			}
		}
	})
}
