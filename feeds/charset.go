package feeds

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/korean"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// prologEncoding finds the encoding pseudo-attribute of an XML declaration.
var prologEncoding = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']`)

// koreanAliases are Windows and Java names for the Korean code page that are
// not WHATWG labels; x/text's EUC-KR decoder is the CP949 superset.
var koreanAliases = map[string]bool{
	"cp949": true, "ms949": true, "x-windows-949": true, "windows-949": true,
	"uhc": true, "ks_c_5601-1987": true, "ks_c_5601": true, "ksc5601": true,
	"euc-kr": true, "euckr": true, "x-euc-kr": true,
}

// toUTF8 returns data as UTF-8 text with any XML declaration rewritten to
// say encoding="UTF-8", so the XML parser does not decode it a second time.
//
// The encoding is taken from a byte-order mark or the NUL bytes of a
// UTF-16/32 document, else the XML declaration,
// else the Content-Type charset. Bytes that are valid UTF-8 with non-ASCII
// text are kept as UTF-8 whatever the label says (a mislabelled feed is far
// more common than legacy bytes that happen to be valid UTF-8). Undeclared
// bytes that are not UTF-8 are tried as EUC-KR, then windows-1252. Any
// remaining invalid sequence becomes U+FFFD.
func toUTF8(data []byte, contentType string) []byte {
	// Byte-order marks, and the shape of "<" in the wider forms, decide.
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return fixProlog(bytes.ToValidUTF8(data[3:], []byte("\uFFFD")))
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(data, []byte{'<', 0, 0, 0}):
		return fixProlog(decodeWith(utf32.UTF32(utf32.LittleEndian, utf32.UseBOM), data))
	case bytes.HasPrefix(data, []byte{0, 0, 0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0, 0, 0, '<'}):
		return fixProlog(decodeWith(utf32.UTF32(utf32.BigEndian, utf32.UseBOM), data))
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{'<', 0}):
		return fixProlog(decodeWith(xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM), data))
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0, '<'}):
		return fixProlog(decodeWith(xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM), data))
	}

	label := ""
	if m := prologEncoding.FindSubmatch(head(data, 512)); m != nil {
		label = string(m[1])
	}
	if label == "" {
		if _, params, err := mime.ParseMediaType(contentType); err == nil {
			label = params["charset"]
		}
	}
	enc := lookupEncoding(label)

	if utf8.Valid(data) && (enc == nil || hasNonASCII(data)) {
		return fixProlog(data)
	}
	if enc != nil {
		return fixProlog(decodeWith(enc, data))
	}
	if !utf8.Valid(data) {
		if out, ok := guessEUCKR(data); ok {
			return fixProlog(out)
		}
		return fixProlog(decodeWith(charmap.Windows1252, data))
	}
	return fixProlog(data)
}

// lookupEncoding maps a charset label to a decoder; nil means UTF-8 or an
// unknown label.
func lookupEncoding(label string) encoding.Encoding {
	label = strings.ToLower(strings.TrimSpace(label))
	if label == "" {
		return nil
	}
	if koreanAliases[label] {
		return korean.EUCKR
	}
	enc, name := charset.Lookup(label)
	// A UTF-16 label on bytes without a BOM or NUL pattern is a lie, and
	// "replacement" would turn the whole body into U+FFFD.
	if enc == nil || name == "utf-8" || name == "replacement" || strings.HasPrefix(name, "utf-16") {
		return nil
	}
	return enc
}

// decodeWith transcodes data, replacing undecodable bytes.
func decodeWith(enc encoding.Encoding, data []byte) []byte {
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		out = data
	}
	return bytes.ToValidUTF8(out, []byte("\uFFFD"))
}

// guessEUCKR decodes undeclared bytes as EUC-KR and reports whether the
// result looks like Korean text: at least half of the non-ASCII characters
// Hangul, and at most one in fifty undecodable.
func guessEUCKR(data []byte) ([]byte, bool) {
	out := decodeWith(korean.EUCKR, data)
	bad, hangul, other := 0, 0, 0
	for _, r := range string(out) {
		switch {
		case r < utf8.RuneSelf:
		case r == utf8.RuneError:
			bad++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		default:
			other++
		}
	}
	n := bad + hangul + other
	return out, n > 0 && bad*50 <= n && hangul*2 >= n
}

// fixProlog rewrites the encoding of an XML declaration to UTF-8.
func fixProlog(data []byte) []byte {
	loc := prologEncoding.FindSubmatchIndex(head(data, 512))
	if loc == nil || strings.EqualFold(string(data[loc[2]:loc[3]]), "utf-8") {
		return data
	}
	out := make([]byte, 0, len(data)+5)
	out = append(out, data[:loc[2]]...)
	out = append(out, "UTF-8"...)
	return append(out, data[loc[3]:]...)
}

func head(data []byte, n int) []byte {
	if len(data) > n {
		return data[:n]
	}
	return data
}

func hasNonASCII(data []byte) bool {
	for _, b := range data {
		if b >= utf8.RuneSelf {
			return true
		}
	}
	return false
}
