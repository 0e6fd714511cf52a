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

// maxRepairOffsets bounds how many repair offsets a decodeReport keeps.
const maxRepairOffsets = 10

// repairKind is how an invalid run in a UTF-8 body was repaired.
type repairKind int

const (
	repairCP949       repairKind = iota // decoded as CP949 (EUC-KR)
	repairWindows1252                   // decoded as windows-1252
	repairReplaced                      // replaced with U+FFFD
	repairKinds
)

func (k repairKind) String() string {
	return [...]string{"euc-kr", "windows-1252", "replacement"}[k]
}

// decodeReport says how decodeBody turned a body into UTF-8.
type decodeReport struct {
	// Charset is the encoding the body was read in as a whole: "utf-8"
	// (with any invalid runs repaired), or a legacy encoding's name.
	Charset string
	// Guessed is true when Charset was inferred from the bytes rather
	// than taken from a byte-order mark or a declaration.
	Guessed bool
	// Repairs counts invalid byte runs of a UTF-8 body that were decoded
	// another way or replaced with U+FFFD; Offsets holds the byte offsets
	// in the body of the first maxRepairOffsets, and ByKind counts them
	// by repairKind.
	Repairs int
	Offsets []int
	ByKind  [repairKinds]int
	// cp949Bytes counts the bytes of the runs read as CP949.
	cp949Bytes int
}

func (r *decodeReport) add(kind repairKind, offset int) {
	r.Repairs++
	if len(r.Offsets) < maxRepairOffsets {
		r.Offsets = append(r.Offsets, offset)
	}
	r.ByKind[kind]++
}

// toUTF8 is decodeBody without the report.
func toUTF8(data []byte, contentType string) []byte {
	out, _ := decodeBody(data, contentType)
	return out
}

// decodeBody returns data as UTF-8 text with any XML declaration rewritten
// to say encoding="UTF-8", so the XML parser does not decode it a second
// time, and reports how it decoded it.
//
// The encoding is taken from a byte-order mark or the NUL bytes of a
// UTF-16/32 document, else the XML declaration, else the Content-Type
// charset. Bytes that are valid UTF-8 with non-ASCII text are kept as
// UTF-8 whatever the label says (a mislabelled feed is far more common than
// legacy bytes that happen to be valid UTF-8); so is a body labelled with a
// legacy charset whose non-ASCII bytes are almost all valid UTF-8.
//
// A UTF-8 or undeclared body is decoded as UTF-8 and only its invalid runs
// are repaired (see repairUTF8), unless most of its non-ASCII bytes are
// invalid: then the whole body is EUC-KR if it reads as Korean, else UTF-8
// with CP949 pastes if those make up most of the invalid bytes, else
// windows-1252 (keeping any valid UTF-8 sequences).
func decodeBody(data []byte, contentType string) ([]byte, decodeReport) {
	// Byte-order marks, and the shape of "<" in the wider forms, decide.
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		rep := decodeReport{Charset: "utf-8"}
		if utf8.Valid(data[3:]) {
			return fixProlog(data[3:]), rep
		}
		return fixProlog(repairUTF8(data, 3, false, &rep)), rep
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(data, []byte{'<', 0, 0, 0}):
		return fixProlog(decodeWith(utf32.UTF32(utf32.LittleEndian, utf32.UseBOM), data)), decodeReport{Charset: "utf-32le"}
	case bytes.HasPrefix(data, []byte{0, 0, 0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0, 0, 0, '<'}):
		return fixProlog(decodeWith(utf32.UTF32(utf32.BigEndian, utf32.UseBOM), data)), decodeReport{Charset: "utf-32be"}
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{'<', 0}):
		return fixProlog(decodeWith(xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM), data)), decodeReport{Charset: "utf-16le"}
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0, '<'}):
		return fixProlog(decodeWith(xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM), data)), decodeReport{Charset: "utf-16be"}
	}

	enc, name := lookupEncoding(declaredLabel(data, contentType))

	if utf8.Valid(data) {
		if enc == nil || hasNonASCII(data) {
			return fixProlog(data), decodeReport{Charset: "utf-8"}
		}
		return fixProlog(decodeWith(enc, data)), decodeReport{Charset: name}
	}

	valid, invalid := countUTF8(data)
	rep := decodeReport{Charset: "utf-8"}
	switch {
	case enc != nil && invalid*20 < valid:
		// Labelled legacy, but all but a few runs are UTF-8: mislabelled.
		return fixProlog(repairUTF8(data, 0, false, &rep)), rep
	case enc != nil:
		return fixProlog(decodeWith(enc, data)), decodeReport{Charset: name}
	case invalid <= valid:
		return fixProlog(repairUTF8(data, 0, false, &rep)), rep
	}
	// Most non-ASCII bytes are not UTF-8: the body as a whole is in
	// another charset.
	if out, ok := guessEUCKR(data); ok {
		return fixProlog(out), decodeReport{Charset: "euc-kr", Guessed: true}
	}
	if valid > 0 {
		// UTF-8 with large CP949 pastes, if they make up most of the
		// invalid bytes.
		if out := repairUTF8(data, 0, false, &rep); rep.cp949Bytes*2 >= invalid {
			return fixProlog(out), rep
		}
	}
	if valid == 0 {
		return fixProlog(decodeWith(charmap.Windows1252, data)), decodeReport{Charset: "windows-1252", Guessed: true}
	}
	// Mostly windows-1252 with some UTF-8 (an editor's paste): keep the
	// UTF-8 and read every invalid run as windows-1252.
	rep = decodeReport{Charset: "utf-8"}
	return fixProlog(repairUTF8(data, 0, true, &rep)), rep
}

// declaredLabel is the charset a body declares: in its XML declaration,
// else in the Content-Type.
func declaredLabel(data []byte, contentType string) string {
	if m := prologEncoding.FindSubmatch(head(data, 512)); m != nil && len(m[1]) > 0 {
		return string(m[1])
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		return params["charset"]
	}
	return ""
}

// lookupEncoding maps a charset label to a decoder and its name; nil means
// UTF-8 or an unknown label.
func lookupEncoding(label string) (encoding.Encoding, string) {
	label = strings.ToLower(strings.TrimSpace(label))
	if label == "" {
		return nil, ""
	}
	if koreanAliases[label] {
		return korean.EUCKR, "euc-kr"
	}
	enc, name := charset.Lookup(label)
	// A UTF-16 label on bytes without a BOM or NUL pattern is a lie, and
	// "replacement" would turn the whole body into U+FFFD.
	if enc == nil || name == "utf-8" || name == "replacement" || strings.HasPrefix(name, "utf-16") {
		return nil, ""
	}
	return enc, name
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
// KS X 1001 Hangul syllables (the 2,350 that make up nearly all Korean
// text, where windows-1252 bytes read as CP949 give extension syllables),
// and at most one in fifty undecodable.
func guessEUCKR(data []byte) ([]byte, bool) {
	ks := 0
	for i := 0; i+1 < len(data); i++ {
		if data[i] >= 0x81 && isCP949Pair(data[i], data[i+1]) {
			if data[i] >= 0xB0 && data[i] <= 0xC8 && data[i+1] >= 0xA1 {
				ks++
			}
			i++
		}
	}
	out := decodeWith(korean.EUCKR, data)
	bad, n := 0, 0
	for _, r := range string(out) {
		switch {
		case r < utf8.RuneSelf:
		case r == utf8.RuneError:
			bad++
			n++
		default:
			n++
		}
	}
	return out, n > 0 && bad*50 <= n && ks*2 >= n
}

// countUTF8 counts the non-ASCII bytes of data that belong to valid UTF-8
// sequences and those that do not.
func countUTF8(data []byte) (valid, invalid int) {
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			invalid++
		} else {
			valid += size
		}
		i += size
	}
	return valid, invalid
}

// repairUTF8 returns data[from:] as valid UTF-8, keeping every valid
// sequence and repairing each damaged span, recorded in rep with its
// offset in data.
//
// A text node (between markup) whose non-ASCII bytes are mostly invalid
// and that reads as CP949 Korean as a whole is decoded so. Otherwise, a
// damaged span is a maximal stretch of invalid bytes and of the 2-byte
// sequences (U+0080-U+07FF) around and between them: CP949 pairs often
// happen to form such a sequence, so a word pasted in CP949 shows up as
// invalid bytes interleaved with accidental Latin, Greek or Cyrillic
// letters. A span that reads as CP949 Hangul (allowing one ASCII letter
// after it, a CP949 trail byte) is decoded so, unless latin1 is set (the
// body as a whole is mostly windows-1252, where accented capitals such as
// "ÇÃ" can pass for CP949). Otherwise each run of invalid bytes in it is
// read as windows-1252 when it looks like Latin-1 text (always when latin1
// is set), else becomes one U+FFFD.
func repairUTF8(data []byte, from int, latin1 bool, rep *decodeReport) []byte {
	out := make([]byte, 0, len(data)+len(data)/8)
	dec := korean.EUCKR.NewDecoder()
	copied := from // data[from:copied] is in out
	tried := from  // text nodes before tried were tried whole as CP949
	walked := from // bytes before walked were read by a failed CP949 chain
	for i := from; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		if r, size := utf8.DecodeRune(data[i:]); r != utf8.RuneError || size != 1 {
			i += size
			continue
		}
		if !latin1 && i >= tried {
			left := copied + bytes.LastIndexByte(data[copied:i], '>') + 1
			right := len(data)
			if k := bytes.IndexByte(data[i:], '<'); k >= 0 {
				right = i + k
			}
			tried = right
			if text, ok := decodeCP949Node(dec, data[left:right]); ok {
				out = append(out, data[copied:left]...)
				out = append(out, text...)
				rep.add(repairCP949, left+firstNonASCII(data[left:right]))
				rep.cp949Bytes += right - left
				copied, i = right, right
				continue
			}
		}
		if !latin1 && i >= walked {
			text, start, end, ok := cp949Chain(dec, data, copied, i)
			if ok {
				out = append(out, data[copied:start]...)
				out = append(out, text...)
				rep.add(repairCP949, start)
				rep.cp949Bytes += end - start
				copied, i = end, end
				continue
			}
			// The spans of a chain that did not read as Korean are not
			// walked again, keeping this linear.
			walked = end
		}
		start, end := damagedSpan(data, copied, i)
		// Keep the span's valid sequences; repair each invalid run alone.
		out = append(out, data[copied:start]...)
		for j := start; j < end; {
			if r, size := utf8.DecodeRune(data[j:]); r != utf8.RuneError || size != 1 {
				out = append(out, data[j:j+size]...)
				j += size
				continue
			}
			k := j + 1
			for k < end {
				if r, size := utf8.DecodeRune(data[k:]); r != utf8.RuneError || size != 1 {
					break
				}
				k++
			}
			if latin1 || looksLatin1(data, from, j, k) {
				out = appendWindows1252(out, data[j:k])
				rep.add(repairWindows1252, j)
			} else {
				out = append(out, "\uFFFD"...)
				rep.add(repairReplaced, j)
			}
			j = k
		}
		copied, i = end, end
	}
	return append(out, data[copied:]...)
}

// damagedSpan returns the damaged span around the invalid byte at i: the
// invalid bytes and the 2-byte sequences between them, up to the first
// ASCII byte or longer sequence either side, and at its edges the 2-byte
// sequences that are letters (Latin, Greek, Cyrillic, ...: what CP949
// pairs look like when they happen to be valid UTF-8), not going below
// from. Symbols at the edges (·, ×, °) are more often real and stay out.
func damagedSpan(data []byte, from, i int) (start, end int) {
	start = i
	for start-2 >= from && isTwoByteLetter(data[start-2:start]) {
		start -= 2
	}
	end = i + 1
	for j := end; j < len(data) && data[j] >= utf8.RuneSelf; {
		if isInvalidAt(data, j) {
			j++
			end = j
		} else if j+1 < len(data) && isTwoByteSeq(data[j:j+2]) {
			j += 2
		} else {
			break
		}
	}
	for end+1 < len(data) && isTwoByteLetter(data[end:end+2]) {
		end += 2
	}
	return start, end
}

// isTwoByteLetter reports whether b starts with a 2-byte UTF-8 letter.
func isTwoByteLetter(b []byte) bool {
	if !isTwoByteSeq(b) {
		return false
	}
	r, _ := utf8.DecodeRune(b)
	return unicode.IsLetter(r)
}

// isTwoByteSeq reports whether b is one valid 2-byte UTF-8 sequence.
func isTwoByteSeq(b []byte) bool {
	return b[0] >= 0xC2 && b[0] <= 0xDF && b[1] >= 0x80 && b[1] <= 0xBF
}

// cp949Chain reads the damaged span around the invalid byte at i (see
// damagedSpan, with from as its lower bound) as CP949 pairs, the last of
// which may take one ASCII letter as its trail byte, then any damaged span
// that starts right where those pairs end. It returns the decoded text and
// the byte range read, and ok when all of it read as Korean text: every
// pair valid, no letters of other scripts than Hangul and Han, and at least
// one of the 2,350 KS X 1001 syllables, which make up nearly all Korean
// text, or else only KS X 1001 symbols and jamo (CP949 quote marks such as
// ‘ ’ “ ”). Text of extension syllables alone is far more often a
// windows-1252 quote mark before a letter, as in "don\x92t". (An overlong
// 2-byte UTF-8 sequence, 0xC0 or 0xC1 and a continuation byte, is also a
// common syllable such as 윤 or 위, and reads as one: never as the ASCII
// character it would encode.)
func cp949Chain(dec *encoding.Decoder, data []byte, from, i int) (text []byte, start, end int, ok bool) {
	start, spanEnd := damagedSpan(data, from, i)
	end = start
	ks, pairs, symbols := 0, 0, 0
	for {
		j, k, p, y := end, 0, 0, 0
		for ; j < spanEnd; j += 2 {
			if j+1 >= len(data) || !isCP949Pair(data[j], data[j+1]) {
				break
			}
			switch {
			case data[j+1] < 0xA1:
			case data[j] >= 0xB0 && data[j] <= 0xC8:
				k++
			case data[j] >= 0xA1 && data[j] <= 0xAC:
				y++
			}
			p++
		}
		if j < spanEnd {
			break // this span is not CP949: the chain ends before it
		}
		end, ks, pairs, symbols = j, ks+k, pairs+p, symbols+y
		next := end
		for next+1 < len(data) && isTwoByteSeq(data[next:next+2]) {
			next += 2
		}
		if next >= len(data) || data[next] < utf8.RuneSelf || !isInvalidAt(data, next) {
			break
		}
		_, spanEnd = damagedSpan(data, end, next)
	}
	if pairs == 0 || ks == 0 && symbols < pairs {
		return nil, start, end, false
	}
	text, err := dec.Bytes(data[start:end])
	if err != nil {
		return nil, start, end, false
	}
	for _, r := range string(text) {
		if r == utf8.RuneError || r < utf8.RuneSelf || unicode.IsLetter(r) && !unicode.In(r, unicode.Hangul, unicode.Han) {
			return nil, start, end, false
		}
	}
	return text, start, end, true
}

// decodeCP949Node decodes a text node (the bytes between markup) whose
// non-ASCII bytes are mostly not UTF-8 as CP949 as a whole: a field pasted
// in CP949, where some syllables happen to be valid UTF-8 on their own
// (첫 is "ù") and no span around an invalid byte would catch them. It
// reports whether the whole node reads as Korean text, as cp949Chain
// judges it.
func decodeCP949Node(dec *encoding.Decoder, b []byte) ([]byte, bool) {
	if valid, invalid := countUTF8(b); invalid == 0 || valid >= invalid {
		return nil, false
	}
	ks := 0
	for j := 0; j < len(b); {
		switch {
		case b[j] < utf8.RuneSelf:
			j++
		case j+1 < len(b) && isCP949Pair(b[j], b[j+1]):
			if b[j] >= 0xB0 && b[j] <= 0xC8 && b[j+1] >= 0xA1 {
				ks++
			}
			j += 2
		default:
			return nil, false
		}
	}
	if ks == 0 {
		return nil, false
	}
	text, err := dec.Bytes(b)
	if err != nil {
		return nil, false
	}
	for _, r := range string(text) {
		if r == utf8.RuneError || r >= utf8.RuneSelf && unicode.IsLetter(r) && !unicode.In(r, unicode.Hangul, unicode.Han) {
			return nil, false
		}
	}
	return text, true
}

// isInvalidAt reports whether data[i] starts no valid UTF-8 sequence.
func isInvalidAt(data []byte, i int) bool {
	r, size := utf8.DecodeRune(data[i:])
	return r == utf8.RuneError && size == 1
}

// isCP949Pair reports whether lead, trail form one CP949 double-byte
// character: KS X 1001 rows (lead and trail 0xA1-0xFE) or the Unified
// Hangul Code extension (lead 0x81-0xC6, trail an ASCII letter or
// 0x81-0xFE).
func isCP949Pair(lead, trail byte) bool {
	switch {
	case lead < 0x81 || lead == 0xFF || trail == 0xFF:
		return false
	case trail >= 0xA1:
		return true
	case lead > 0xC6:
		return false
	default:
		return trail >= 0x81 || (trail >= 'A' && trail <= 'Z') || (trail >= 'a' && trail <= 'z')
	}
}

// looksLatin1 reports whether the invalid run data[j:k] reads as
// windows-1252 text: no lead byte followed by a continuation byte (the
// shape of a cut, overlong or otherwise broken UTF-8 sequence), every byte
// a printable windows-1252 character, and a Latin letter or a digit right
// before or after it.
func looksLatin1(data []byte, from, j, k int) bool {
	for x := j; x < k; x++ {
		b := data[x]
		if b >= 0xC0 && x+1 < k && data[x+1] >= 0x80 && data[x+1] <= 0xBF {
			return false
		}
		if b == 0x81 || b == 0x8D || b == 0x8F || b == 0x90 || b == 0x9D {
			return false
		}
	}
	latin := func(r rune) bool {
		return unicode.Is(unicode.Latin, r) || unicode.IsDigit(r) && r < utf8.RuneSelf
	}
	if j > from {
		if r, _ := utf8.DecodeLastRune(data[from:j]); latin(r) {
			return true
		}
	}
	if k < len(data) {
		if r, _ := utf8.DecodeRune(data[k:]); latin(r) {
			return true
		}
	}
	return false
}

// appendWindows1252 appends b decoded as windows-1252.
func appendWindows1252(out, b []byte) []byte {
	for _, c := range b {
		out = utf8.AppendRune(out, charmap.Windows1252.DecodeByte(c))
	}
	return out
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

func hasNonASCII(data []byte) bool { return firstNonASCII(data) < len(data) }

// firstNonASCII returns the index of the first byte of data above 0x7F,
// or len(data).
func firstNonASCII(data []byte) int {
	for i, b := range data {
		if b >= utf8.RuneSelf {
			return i
		}
	}
	return len(data)
}
