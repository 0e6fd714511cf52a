package chart

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

func week() Data {
	kst := time.FixedZone("KST", 9*3600)
	var days []time.Time
	for i := range 7 {
		days = append(days, time.Date(2026, 11, 23+i, 0, 0, 0, 0, kst))
	}
	return Data{
		Title: "주간 리포트: matches per day",
		Days:  days,
		Series: []Series{
			{Name: "트럼프", Counts: []int{3, 4, 2, 5, 40, 22, 9}},
			{Name: "반도체", Counts: []int{10, 12, 9, 11, 13, 8, 7}},
		},
	}
}

func TestPNG(t *testing.T) {
	t.Parallel()
	b, err := PNG(week())
	if err != nil {
		t.Fatal(err)
	}
	img, format, err := image.Decode(bytes.NewReader(b))
	if err != nil || format != "png" {
		t.Fatalf("decode: %v (format %q)", err, format)
	}
	if got := img.Bounds().Size(); got != image.Pt(Width, Height) {
		t.Fatalf("size = %v, want %dx%d", got, Width, Height)
	}
	// The plot area (the middle of the image, away from labels and
	// legend) has the lines' colours, not only background and grid.
	series := map[color.RGBA]int{}
	for y := Height / 5; y < Height*4/5; y++ {
		for x := Width / 5; x < Width*9/10; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			for _, p := range palette[:2] {
				if near(c, p) {
					series[p]++
				}
			}
		}
	}
	for _, p := range palette[:2] {
		if series[p] < 200 {
			t.Errorf("plot area has %d pixels of series colour %v, want a drawn line", series[p], p)
		}
	}
}

func near(a, b color.RGBA) bool {
	d := func(x, y uint8) int { return max(int(x)-int(y), int(y)-int(x)) }
	return d(a.R, b.R) < 12 && d(a.G, b.G) < 12 && d(a.B, b.B) < 12
}

// TestHangulIsNotTofu checks that the embedded font draws Hangul: each
// syllable of the labels has a glyph of its own, whose box differs from
// the font's missing-glyph box. The same check on a Latin-only font (Go
// Regular) finds tofu, so the check can fail.
func TestHangulIsNotTofu(t *testing.T) {
	t.Parallel()
	missing, ok, err := GlyphBox('\U0010FFFD', 12) // a private-use rune no font has
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		t.Fatal("the embedded font claims a glyph for U+10FFFD")
	}
	for _, label := range []string{"트럼프", "반도체", DayLabel(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)), "일월화수목금토"} {
		for _, r := range label {
			if r < 0x1100 {
				continue
			}
			box, ok, err := GlyphBox(r, 12)
			if err != nil {
				t.Fatal(err)
			}
			if !ok || box == missing {
				t.Errorf("%q in %q: glyph %v (has glyph %v) is the missing-glyph box %v: tofu", r, label, box, ok, missing)
			}
		}
	}

	latin, err := opentype.Parse(goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	if idx, err := latin.GlyphIndex(&buf, '트'); err != nil || idx != 0 {
		t.Errorf("Go Regular has glyph %d for 트 (err %v): the control font is not Latin-only", idx, err)
	}
}

// TestHangulLabelDrawn renders the chart twice, with a Hangul title and
// with the same number of missing-glyph runes, and checks that the title
// rows differ: the Hangul is drawn, not replaced by boxes.
func TestHangulLabelDrawn(t *testing.T) {
	t.Parallel()
	d := week()
	d.Title = "트럼프반도체"
	a, err := PNG(d)
	if err != nil {
		t.Fatal(err)
	}
	d.Title = "\U0010FFFD\U0010FFFD\U0010FFFD\U0010FFFD\U0010FFFD\U0010FFFD"
	b, err := PNG(d)
	if err != nil {
		t.Fatal(err)
	}
	ia, _ := png.Decode(bytes.NewReader(a))
	ib, _ := png.Decode(bytes.NewReader(b))
	differ := 0
	for y := range 40 { // the title's rows
		for x := range Width {
			if ia.At(x, y) != ib.At(x, y) {
				differ++
			}
		}
	}
	if differ < 100 {
		t.Errorf("a Hangul title and a title of missing glyphs differ in %d pixels: the Hangul is tofu", differ)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	d := week()
	d.Series[1].Counts = d.Series[1].Counts[:3]
	if _, err := PNG(d); err == nil {
		t.Error("a series shorter than the days was drawn")
	}
	if _, err := PNG(Data{}); err == nil {
		t.Error("empty data was drawn")
	}
}

func BenchmarkPNG(b *testing.B) {
	d := week()
	if _, err := Font(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := PNG(d); err != nil {
			b.Fatal(err)
		}
	}
}
