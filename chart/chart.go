// Package chart draws the report's chart: matches per day per watch, as
// a PNG with its labels (watch names, Korean weekdays) set in Nanum
// Gothic, an OFL-licensed Korean font embedded in the binary (font/, its
// licence in font/OFL.txt), so Hangul is drawn the same on every machine
// and never as empty boxes.
package chart

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"sync"
	"time"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Size of the PNG in pixels.
const (
	Width  = 1000
	Height = 500
	dpi    = 96
)

// MaxSeries bounds the lines of one chart; more would not be readable.
const MaxSeries = 12

// Typeface is the name the embedded font is known by.
const Typeface = "NanumGothic"

//go:embed font/NanumGothic.ttf
var nanumGothic []byte

// Series is one watch's matches per day.
type Series struct {
	Name   string `json:"name"`
	Counts []int  `json:"counts"` // one per day of Data.Days
}

// Data is what a chart shows.
type Data struct {
	Title string `json:"title"`
	// Days are the first instants of the days shown, in the report's
	// time zone, oldest first.
	Days   []time.Time `json:"days"`
	Series []Series    `json:"series"`
}

// Check reports data a chart cannot be drawn from.
func (d Data) Check() error {
	switch {
	case len(d.Days) == 0:
		return errors.New("chart: no days")
	case len(d.Days) > 366:
		return fmt.Errorf("chart: %d days is more than a year", len(d.Days))
	case len(d.Series) == 0:
		return errors.New("chart: no series")
	}
	for _, s := range d.Series {
		if len(s.Counts) != len(d.Days) {
			return fmt.Errorf("chart: series %q has %d counts for %d days", s.Name, len(s.Counts), len(d.Days))
		}
	}
	return nil
}

// Font is the parsed embedded font, read once.
var Font = sync.OnceValues(func() (*opentype.Font, error) {
	f, err := opentype.Parse(nanumGothic)
	if err != nil {
		return nil, fmt.Errorf("chart: embedded font: %w", err)
	}
	return f, nil
})

// weekdays are the Korean one-syllable names of the days, Sunday first.
var weekdays = [7]string{"일", "월", "화", "수", "목", "금", "토"}

// DayLabel is a day's tick label, such as "11/24 (월)".
func DayLabel(t time.Time) string {
	return fmt.Sprintf("%d/%d (%s)", int(t.Month()), t.Day(), weekdays[t.Weekday()])
}

// palette colours the series; a colour-blind-safe set (Okabe–Ito).
var palette = []color.RGBA{
	{0, 114, 178, 255}, {230, 159, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255},
	{86, 180, 233, 255}, {213, 94, 0, 255}, {240, 228, 66, 255}, {0, 0, 0, 255},
}

// PNG draws d as a line chart of Width × Height pixels: one line per
// series, a day per tick, labels in the embedded Korean font. Series past
// MaxSeries are left out (the text report still lists them).
func PNG(d Data) ([]byte, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	face, err := Font()
	if err != nil {
		return nil, err
	}
	fonts := font.NewCache(font.Collection{{Font: font.Font{Typeface: Typeface}, Face: face}})
	hdlr := text.Plain{Fonts: fonts}
	style := func(s *text.Style, size vg.Length) {
		s.Font = font.Font{Typeface: Typeface, Size: size}
		s.Handler = hdlr
	}
	p := plot.New()
	p.TextHandler = hdlr
	style(&p.Title.TextStyle, 16)
	style(&p.X.Label.TextStyle, 12)
	style(&p.Y.Label.TextStyle, 12)
	style(&p.X.Tick.Label, 10)
	style(&p.Y.Tick.Label, 10)
	style(&p.Legend.TextStyle, 11)
	p.Title.Text = d.Title
	p.Y.Label.Text = "matches"
	p.Title.Padding = vg.Points(10)
	p.Legend.YOffs = -vg.Points(4)
	p.Legend.XOffs = vg.Points(8)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Add(plotter.NewGrid())

	maxCount := 1
	series := d.Series[:min(len(d.Series), MaxSeries)]
	for i, s := range series {
		pts := make(plotter.XYs, len(s.Counts))
		for j, c := range s.Counts {
			pts[j] = plotter.XY{X: float64(j), Y: float64(c)}
			maxCount = max(maxCount, c)
		}
		line, dots, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, fmt.Errorf("chart: series %q: %w", s.Name, err)
		}
		c := palette[i%len(palette)]
		line.Color, line.Width = c, vg.Points(2.5)
		if i >= len(palette) {
			line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		}
		dots.Color, dots.Radius = c, vg.Points(3)
		dots.Shape = draw.CircleGlyph{}
		p.Add(line, dots)
		p.Legend.Add(s.Name, line, dots)
	}
	p.X.Min, p.X.Max = -0.3, float64(len(d.Days)-1)+0.3
	p.Y.Min, p.Y.Max = 0, math.Ceil(float64(maxCount)*1.15)
	p.X.Tick.Marker = dayTicks(d.Days)
	p.Y.Tick.Marker = wholeTicks{}

	c := vgimg.NewWith(vgimg.UseWH(Width*vg.Inch/dpi, Height*vg.Inch/dpi), vgimg.UseDPI(dpi))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: png: %w", err)
	}
	return buf.Bytes(), nil
}

// dayTicks labels each day (every other one past two weeks).
type dayTicks []time.Time

func (ds dayTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1 + len(ds)/15
	var ts []plot.Tick
	for i, d := range ds {
		t := plot.Tick{Value: float64(i)}
		if i%step == 0 {
			t.Label = DayLabel(d)
		}
		ts = append(ts, t)
	}
	return ts
}

// wholeTicks labels whole numbers only (counts), about six of them.
type wholeTicks struct{}

func (wholeTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for _, s := range []float64{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000} {
		step = s
		if (hi-lo)/s <= 6 {
			break
		}
	}
	var ts []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	return ts
}

// GlyphBox returns the bounds of r in the embedded font at size points
// (96 dpi) and whether the font has a glyph for it; a rune the font lacks
// is drawn with the missing-glyph box, the same for every such rune.
func GlyphBox(r rune, size float64) (bounds [4]int, ok bool, err error) {
	f, err := Font()
	if err != nil {
		return bounds, false, err
	}
	var buf sfnt.Buffer
	idx, err := f.GlyphIndex(&buf, r)
	if err != nil {
		return bounds, false, err
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: dpi, Hinting: xfont.HintingNone})
	if err != nil {
		return bounds, false, err
	}
	defer face.Close()
	b, _, _ := face.GlyphBounds(r)
	return [4]int{b.Min.X.Round(), b.Min.Y.Round(), b.Max.X.Round(), b.Max.Y.Round()}, idx != 0, nil
}
