package bench

import (
	"errors"
	"fmt"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// WritePlot draws the growth series as a PNG: cycle time (left) and peak
// RSS (right) against the number of feeds, for the floor, the cold cycle
// and a cycle with a tenth of the feeds changed.
func WritePlot(w io.Writer, r *Report) error {
	if len(r.Growth) == 0 {
		return errors.New("bench: no growth series to plot")
	}
	series := func(get func(Growth) float64) plotter.XYs {
		xys := make(plotter.XYs, len(r.Growth))
		for i, g := range r.Growth {
			xys[i] = plotter.XY{X: float64(g.Feeds), Y: get(g)}
		}
		return xys
	}
	panel := func(title, ylabel string, floor, cold, changed func(Growth) float64) (*plot.Plot, error) {
		p := plot.New()
		p.Title.Text = title
		p.X.Label.Text = "feeds"
		p.Y.Label.Text = ylabel
		p.Y.Min = 0
		p.Add(plotter.NewGrid())
		err := plotutil.AddLinePoints(p,
			"floor (fetch + gofeed)", series(floor),
			"newshound, cold", series(cold),
			"newshound, 10% changed", series(changed))
		if err != nil {
			return nil, err
		}
		p.Legend.Top = true
		p.Legend.Left = true
		return p, nil
	}
	tp, err := panel("Cycle time", "seconds",
		func(g Growth) float64 { return g.Floor.WallSeconds },
		func(g Growth) float64 { return g.Cold.WallSeconds },
		func(g Growth) float64 { return g.Changed.WallSeconds })
	if err != nil {
		return fmt.Errorf("bench: plot: %w", err)
	}
	mp, err := panel("Peak RSS", "MB",
		func(g Growth) float64 { return g.Floor.PeakRSSMB },
		func(g Growth) float64 { return g.Cold.PeakRSSMB },
		func(g Growth) float64 { return g.Changed.PeakRSSMB })
	if err != nil {
		return fmt.Errorf("bench: plot: %w", err)
	}
	const width, height = 12 * vg.Inch, 4.5 * vg.Inch
	img := vgimg.New(width, height)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	tp.Draw(tiles.At(dc, 0, 0))
	mp.Draw(tiles.At(dc, 1, 0))
	png := vgimg.PngCanvas{Canvas: img}
	if _, err := png.WriteTo(w); err != nil {
		return fmt.Errorf("bench: plot: %w", err)
	}
	return nil
}
