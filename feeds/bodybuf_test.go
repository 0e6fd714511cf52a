package feeds

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// rssWith is an RSS body whose items are titled prefix-1 … prefix-n.
func rssWith(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>` + prefix + `</title>`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "<item><title>%s-%d 제목</title><guid>%s-%d</guid><description>%s</description></item>",
			prefix, i, prefix, i, strings.Repeat(prefix+" 본문 ", 50))
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

// TestFetchBuffersDoNotAlias fetches many bodies through one fetcher, so
// read buffers are reused, and checks that no result shares memory with
// a later body: every item keeps the text of its own feed.
func TestFetchBuffersDoNotAlias(t *testing.T) {
	t.Parallel()
	bodies := map[string]string{}
	for _, p := range []string{"alpha", "bravo", "charlie", "delta"} {
		bodies["/"+p] = rssWith(p, 20)
	}
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, bodies[r.URL.Path])
	})
	f := newFetcher(Options{Concurrency: 4, PerHost: 4})
	var mu sync.Mutex
	results := map[string][]Result{}
	var wg sync.WaitGroup
	for round := range 5 {
		for path := range bodies {
			wg.Go(func() {
				res, err := f.Fetch(context.Background(), Source{Name: fmt.Sprint(round), URL: srv.URL + path}, Validators{})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				results[path] = append(results[path], res)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	for path, rs := range results {
		prefix := strings.TrimPrefix(path, "/")
		for _, res := range rs {
			if len(res.Items) != 20 || res.Title != prefix {
				t.Fatalf("%s: %d items, title %q", path, len(res.Items), res.Title)
			}
			for i, it := range res.Items {
				if want := fmt.Sprintf("%s-%d 제목", prefix, i+1); it.Title != want || !strings.HasPrefix(it.Summary, prefix+" 본문") {
					t.Fatalf("%s item %d: title %q, summary %.20q: memory shared with another body", path, i, it.Title, it.Summary)
				}
			}
		}
	}
}

// BenchmarkReadBody reads a 60 KB body into a pooled buffer, with a fresh
// buffer per body (how bodies were read before) as the baseline.
func BenchmarkReadBody(b *testing.B) {
	body := []byte(rssWith("bench", 40))
	resp := func() *http.Response {
		return &http.Response{Body: io.NopCloser(bytes.NewReader(body)), ContentLength: -1, Header: http.Header{}}
	}
	b.Run("pooled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf := getBuffer()
			if _, err := readCappedInto(buf, resp(), DefaultMaxBytes); err != nil {
				b.Fatal(err)
			}
			putBuffer(buf)
		}
	})
	b.Run("baseline=fresh", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := readCapped(resp(), DefaultMaxBytes); err != nil {
				b.Fatal(err)
			}
		}
	})
}
