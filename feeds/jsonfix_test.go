package feeds

import (
	"fmt"
	"strings"
	"testing"
)

// TestJSONFeedShapes checks that a JSON Feed with one field in the wrong
// shape keeps all its items.
func TestJSONFeedShapes(t *testing.T) {
	t.Parallel()
	feed := func(items ...string) string {
		return `{"version":"https://jsonfeed.org/version/1.1","title":"제이슨","items":[` + strings.Join(items, ",") + `]}`
	}
	second := `{"id":"2","title":"둘째","url":"https://news.example.kr/2"}`
	for _, tc := range []struct {
		name, body  string
		check       func(t *testing.T, f []string, tags, authors []string)
		unparseable int
	}{
		{"tags as a string", feed(`{"id":"1","title":"첫째","tags":"정치"}`, second), func(t *testing.T, _ []string, tags, _ []string) {
			if fmt.Sprint(tags) != "[정치]" {
				t.Errorf("tags %q", tags)
			}
		}, 0},
		{"tags with a number", feed(`{"id":"1","title":"첫째","tags":["정치",2024,null]}`, second), func(t *testing.T, _ []string, tags, _ []string) {
			if fmt.Sprint(tags) != "[정치 2024]" {
				t.Errorf("tags %q", tags)
			}
		}, 0},
		{"authors as an object", feed(`{"id":"1","title":"첫째","authors":{"name":"홍길동"}}`, second), func(t *testing.T, _ []string, _, authors []string) {
			if fmt.Sprint(authors) != "[홍길동]" {
				t.Errorf("authors %q", authors)
			}
		}, 0},
		{"authors as a string", feed(`{"id":"1","title":"첫째","authors":"홍길동"}`, second), func(t *testing.T, _ []string, _, authors []string) {
			if fmt.Sprint(authors) != "[홍길동]" {
				t.Errorf("authors %q", authors)
			}
		}, 0},
		{"author as a string", feed(`{"id":"1","title":"첫째","author":"홍길동"}`, second), func(t *testing.T, _ []string, _, authors []string) {
			if fmt.Sprint(authors) != "[홍길동]" {
				t.Errorf("authors %q", authors)
			}
		}, 0},
		{"attachments as an object", feed(`{"id":"1","title":"첫째","attachments":{"url":"https://x.example/a.mp3","mime_type":"audio/mpeg"}}`, second), nil, 0},
		{"title as a number", feed(`{"id":"1","title":2024}`, second), func(t *testing.T, titles []string, _, _ []string) {
			if titles[0] != "2024" {
				t.Errorf("titles %q", titles)
			}
		}, 0},
		{"summary as an object", feed(`{"id":"1","title":"첫째","summary":{"text":"x"}}`, second), nil, 0},
		{"items as an object", `{"version":"https://jsonfeed.org/version/1.1","title":"제이슨","items":{"id":"1","title":"첫째"}}`, func(t *testing.T, titles []string, _, _ []string) {
			if fmt.Sprint(titles) != "[첫째]" {
				t.Errorf("titles %q", titles)
			}
		}, 0},
		{"an item that is not an object", feed(`{"id":"1","title":"첫째"}`, `"셋째"`, second), func(t *testing.T, titles []string, _, _ []string) {
			if fmt.Sprint(titles) != "[첫째 둘째]" {
				t.Errorf("titles %q", titles)
			}
		}, 1},
		{"body cut inside an item", feed(`{"id":"1","title":"첫째"}`, second)[:len(feed(`{"id":"1","title":"첫째"}`, second))-20], func(t *testing.T, titles []string, _, _ []string) {
			if fmt.Sprint(titles) != "[첫째]" {
				t.Errorf("titles %q", titles)
			}
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, rep, err := parseBodyReport([]byte(tc.body), "application/feed+json")
			if err != nil {
				t.Fatal(err)
			}
			var titles, tags, authors []string
			for _, it := range f.Items {
				titles = append(titles, it.Title)
			}
			if tc.unparseable == 0 && (len(f.Items) != 2 && tc.name != "items as an object" || f.Title != "제이슨") {
				t.Fatalf("feed %q, items %q", f.Title, titles)
			}
			tags = f.Items[0].Categories
			for _, a := range f.Items[0].Authors {
				authors = append(authors, a.Name)
			}
			if tc.check != nil {
				tc.check(t, titles, tags, authors)
			}
			if tc.name == "attachments as an object" && (len(f.Items[0].Enclosures) != 1 || f.Items[0].Enclosures[0].URL != "https://x.example/a.mp3") {
				t.Errorf("enclosures %+v", f.Items[0].Enclosures)
			}
			if rep.JSON.Coerced == 0 && tc.unparseable == 0 && tc.name != "tags with a number" {
				t.Errorf("no coercion counted: %+v", rep.JSON)
			}
			if got := rep.stats().SkippedReasons[SkipUnparseable]; got != tc.unparseable {
				t.Errorf("unparseable %d, want %d", got, tc.unparseable)
			}
		})
	}
	t.Run("a sound feed is parsed once, untouched", func(t *testing.T) {
		_, rep, err := parseBodyReport([]byte(feed(`{"id":"1","title":"첫째","tags":["a"]}`, second)), "")
		if err != nil || rep.JSON != (jsonReport{}) {
			t.Errorf("err %v, report %+v", err, rep.JSON)
		}
	})
	t.Run("a body cut before its first item stays an error", func(t *testing.T) {
		if _, _, err := parseBodyReport([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","ti`), ""); err == nil {
			t.Error("parsed")
		}
	})
}
