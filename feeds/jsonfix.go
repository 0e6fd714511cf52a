package feeds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/mmcdole/gofeed"
)

// jsonReport says what parseJSONBody repaired in a JSON Feed.
type jsonReport struct {
	// Forbidden counts raw control characters dropped (JSON allows none
	// but tab, LF and CR, and those only between tokens).
	Forbidden int
	// Coerced counts fields given in another shape than the spec's (a
	// string where a list belongs, a number where a string does, ...)
	// that were reshaped.
	Coerced int
	// Dropped counts entries that could not be read: an item that is not
	// an object, or the rest of a body that breaks off mid-item.
	Dropped int
	// BrokenOff is true when the body ended early or stopped being JSON;
	// what came before was kept.
	BrokenOff bool
}

// isJSON reports whether a decoded body is JSON, as gofeed decides it: its
// first character other than white space is "{".
func isJSON(text []byte) bool {
	text = bytes.TrimLeft(text, " \t\r\n")
	return len(text) > 0 && text[0] == '{'
}

// parseJSONBody parses a JSON Feed. Raw control characters are dropped and
// nesting deeper than maxDepth is refused first; if gofeed then refuses
// the feed, it is read again generically, reshaped where gofeed expects
// other types (a tag or author given alone instead of in a list, a number
// for a string) and cut after its last readable item, and parsed again. A
// body that breaks off before its first item stays an error.
func parseJSONBody(text []byte) (*gofeed.Feed, jsonReport, error) {
	var rep jsonReport
	text, rep.Forbidden = dropJSONControls(text)
	if err := checkJSONDepth(text); err != nil {
		return nil, rep, err
	}
	feed, err := parseFeed(text)
	if err == nil {
		return feed, rep, nil
	}
	fixed, ferr := repairJSON(text, &rep)
	if ferr != nil {
		return nil, jsonReport{Forbidden: rep.Forbidden}, err
	}
	feed, ferr = parseFeed(fixed)
	if ferr != nil || rep.BrokenOff && len(feed.Items) == 0 {
		// Nothing was saved: the parser's own error says best why.
		return nil, jsonReport{Forbidden: rep.Forbidden}, err
	}
	return feed, rep, nil
}

// dropJSONControls removes the control characters JSON allows nowhere.
func dropJSONControls(text []byte) ([]byte, int) {
	n := 0
	for _, c := range text {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			n++
		}
	}
	if n == 0 {
		return text, 0
	}
	out := make([]byte, 0, len(text)-n)
	for _, c := range text {
		if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
			out = append(out, c)
		}
	}
	return out, n
}

// checkJSONDepth refuses JSON whose arrays and objects nest deeper than
// maxDepth.
func checkJSONDepth(text []byte) error {
	depth := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '"':
			for i++; i < len(text) && text[i] != '"'; i++ {
				if text[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			if depth++; depth > maxDepth {
				return fmt.Errorf("json nesting deeper than %d at byte %d", maxDepth, i)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// Fields gofeed's JSON Feed types read as strings.
var (
	feedStringFields       = []string{"version", "title", "home_page_url", "feed_url", "description", "user_comment", "next_url", "icon", "favicon", "language"}
	itemStringFields       = []string{"url", "external_url", "title", "content_html", "content_text", "summary", "image", "banner_image", "date_published", "date_modified", "language"}
	authorStringFields     = []string{"name", "url", "avatar"}
	attachmentStringFields = []string{"url", "mime_type", "title"}
)

// repairJSON reads a JSON Feed generically, keeping the items before any
// point where the body breaks off, and re-encodes it in the shapes gofeed
// expects.
func repairJSON(text []byte, rep *jsonReport) ([]byte, error) {
	feed, err := readJSONFeed(text, rep)
	if err != nil {
		return nil, err
	}
	for _, k := range feedStringFields {
		coerceString(feed, k, rep)
	}
	coerceObject(feed, "author", authorStringFields, "name", rep)
	coerceList(feed, "authors", rep, func(v any) (any, bool) { return reshapeObject(v, authorStringFields, "name", rep) })
	coerceList(feed, "items", rep, func(v any) (any, bool) {
		item, ok := v.(map[string]any)
		if !ok {
			rep.Dropped++
			return nil, false
		}
		for _, k := range itemStringFields {
			coerceString(item, k, rep)
		}
		coerceObject(item, "author", authorStringFields, "name", rep)
		coerceList(item, "authors", rep, func(v any) (any, bool) { return reshapeObject(v, authorStringFields, "name", rep) })
		coerceList(item, "attachments", rep, func(v any) (any, bool) { return reshapeObject(v, attachmentStringFields, "url", rep) })
		coerceList(item, "tags", rep, func(v any) (any, bool) { return asString(v) })
		return item, true
	})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(feed); err != nil {
		return nil, fmt.Errorf("re-encode json feed: %w", err)
	}
	return buf.Bytes(), nil
}

// readJSONFeed decodes the top-level object of a JSON Feed, reading its
// items one by one so a body that breaks off keeps the items before.
func readJSONFeed(text []byte, rep *jsonReport) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("json feed is not an object")
	}
	feed := map[string]any{}
	brokeOff := func() (map[string]any, error) {
		rep.BrokenOff = true
		if len(feed) == 0 {
			return nil, errors.New("json feed breaks off before its first field")
		}
		return feed, nil
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return brokeOff()
		}
		key, _ := t.(string)
		if key != "items" || nextValueByte(text, dec.InputOffset()) != '[' {
			var v any
			if err := dec.Decode(&v); err != nil {
				return brokeOff()
			}
			feed[key] = v
			continue
		}
		if _, err := dec.Token(); err != nil { // the "["
			return brokeOff()
		}
		items := []any{}
		feed["items"] = items
		for dec.More() {
			var v any
			if err := dec.Decode(&v); err != nil {
				rep.Dropped++
				return brokeOff()
			}
			items = append(items, v)
			feed["items"] = items
		}
		if _, err := dec.Token(); err != nil { // the "]"
			return brokeOff()
		}
	}
	return feed, nil
}

// nextValueByte returns the first byte of the value after the key that
// ends at offset: the byte after the colon and white space.
func nextValueByte(text []byte, offset int64) byte {
	for i := int(offset); i < len(text); i++ {
		switch text[i] {
		case ' ', '\t', '\r', '\n', ':':
		default:
			return text[i]
		}
	}
	return 0
}

// coerceString makes m[key] a string: a number or boolean becomes its
// text, a list its first string, anything else is removed.
func coerceString(m map[string]any, key string, rep *jsonReport) {
	v, ok := m[key]
	if !ok || v == nil {
		return
	}
	if _, ok := v.(string); ok {
		return
	}
	rep.Coerced++
	if s, ok := asString(v); ok {
		m[key] = s
		return
	}
	if l, ok := v.([]any); ok {
		for _, e := range l {
			if s, ok := e.(string); ok {
				m[key] = s
				return
			}
		}
	}
	delete(m, key)
}

// asString returns a string, number or boolean as a string.
func asString(v any) (any, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return nil, false
}

// coerceObject makes m[key] an object with string fields: a bare string
// becomes {wrap: string}, a list its first object.
func coerceObject(m map[string]any, key string, fields []string, wrap string, rep *jsonReport) {
	v, ok := m[key]
	if !ok || v == nil {
		return
	}
	if l, isList := v.([]any); isList {
		rep.Coerced++
		v = nil
		for _, e := range l {
			if _, ok := e.(map[string]any); ok {
				v = e
				break
			}
		}
	}
	if o, ok := reshapeObject(v, fields, wrap, rep); ok {
		m[key] = o
		return
	}
	rep.Coerced++
	delete(m, key)
}

// reshapeObject returns v as an object whose fields are strings, a bare
// string or number s as {wrap: s}; ok is false for anything else.
func reshapeObject(v any, fields []string, wrap string, rep *jsonReport) (any, bool) {
	switch o := v.(type) {
	case map[string]any:
		for _, k := range fields {
			coerceString(o, k, rep)
		}
		return o, true
	case string, json.Number:
		rep.Coerced++
		s, _ := asString(o)
		return map[string]any{wrap: s}, true
	}
	return nil, false
}

// coerceList makes m[key] a list: a single value becomes a one-element
// list; each element goes through elem, which drops it by returning false.
func coerceList(m map[string]any, key string, rep *jsonReport, elem func(any) (any, bool)) {
	v, ok := m[key]
	if !ok || v == nil {
		return
	}
	l, isList := v.([]any)
	if !isList {
		rep.Coerced++
		l = []any{v}
	}
	out := l[:0]
	for _, e := range l {
		if e2, ok := elem(e); ok {
			out = append(out, e2)
		} else if key != "items" {
			rep.Coerced++
		}
	}
	m[key] = out
}
