package feeds

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/text/encoding/korean"
)

func knewsAll(b *testing.B) []byte {
	b.Helper()
	sharedFeeds(b)
	data := knewsAllOrNil()
	if data == nil {
		b.Skip("the corpus's knews-rss _all_.xml is absent")
	}
	return data
}

// knewsAllOrNil is the body knewsAll reads, nil when the corpus is absent.
func knewsAllOrNil() []byte {
	data, err := os.ReadFile(filepath.Join("..", "..", "shared", "feeds", "korean", "knews-rss", "categories", "_all_.xml"))
	if err != nil {
		return nil
	}
	return data
}

// BenchmarkToUTF8Clean measures decoding a clean 2.7 MB UTF-8 body.
func BenchmarkToUTF8Clean(b *testing.B) {
	data := knewsAll(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		toUTF8(data, "")
	}
}

// BenchmarkParseBodyClean measures decoding and parsing the same body.
func BenchmarkParseBodyClean(b *testing.B) {
	data := knewsAll(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := parseBody(data, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGuardXMLClean measures the pre-parse scan alone on the same
// body.
func BenchmarkGuardXMLClean(b *testing.B) {
	data := knewsAll(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := guardXML(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkToUTF8Damaged measures decoding the same body with one title in
// twenty pasted in CP949 and a stray Latin-1 byte in another.
func BenchmarkToUTF8Damaged(b *testing.B) {
	data := knewsAll(b)
	var damaged []byte
	for i, part := range bytes.Split(data, []byte("<title>")) {
		if i > 0 {
			damaged = append(damaged, "<title>"...)
		}
		switch end := bytes.Index(part, []byte("</title>")); {
		case i%20 == 1 && end > 0:
			enc, err := korean.EUCKR.NewEncoder().Bytes(part[:end])
			if err != nil {
				enc = part[:end]
			}
			damaged = append(append(damaged, enc...), part[end:]...)
		case i%20 == 2 && end > 0:
			damaged = append(append(append(damaged, "caf\xe9 "...), part[:end]...), part[end:]...)
		default:
			damaged = append(damaged, part...)
		}
	}
	b.SetBytes(int64(len(damaged)))
	b.ReportAllocs()
	var rep decodeReport
	for b.Loop() {
		_, rep = decodeBody(damaged, "")
	}
	b.ReportMetric(float64(rep.Repairs), "repairs")
}
