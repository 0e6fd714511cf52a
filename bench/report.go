package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Report is what a benchmark run measured.
type Report struct {
	Machine     Machine `json:"machine"`
	Feeds       int     `json:"feeds"`
	Concurrency int     `json:"concurrency"`
	PerHost     int     `json:"per_host"`
	Queries     int     `json:"queries"`
	Repeat      int     `json:"repeat"`
	Items       int     `json:"items"`      // items in the feeds at the cold cycle
	BodyBytes   int64   `json:"body_bytes"` // bytes of all bodies at the cold cycle
	// Phases are, in order: floor, cold, each changed cycle, unchanged
	// (the fastest of its cycles), naive (on a sample, scaled per 1,000
	// feeds in its ratios).
	Phases    []Phase   `json:"phases"`
	QueryCost QueryCost `json:"query_cost"`
	Latency   Latency   `json:"latency"`
	Growth    []Growth  `json:"growth,omitempty"`
	Targets   []Target  `json:"targets"`
}

// Machine is where the run happened.
type Machine struct {
	OS       string  `json:"os"`
	Arch     string  `json:"arch"`
	CPU      string  `json:"cpu,omitempty"`
	CPUs     int     `json:"cpus"`
	MemoryGB float64 `json:"memory_gb,omitempty"`
	Go       string  `json:"go"`
}

// Phase is one measured cycle (or the best of repeated ones).
type Phase struct {
	Name           string  `json:"name"`
	Feeds          int     `json:"feeds"`
	Items          int     `json:"items"`     // items in the bodies parsed
	NewItems       int     `json:"new_items"` // items not seen before
	NotModified    int     `json:"not_modified"`
	Matches        int     `json:"matches"`
	Delivered      int     `json:"delivered"`
	Undelivered    int     `json:"undelivered"`
	Errors         int     `json:"errors"`
	FirstError     string  `json:"first_error,omitempty"`
	Bytes          int64   `json:"bytes,omitempty"`
	WallSeconds    float64 `json:"wall_seconds"`
	CPUSeconds     float64 `json:"cpu_seconds"`
	FeedsPerSecond float64 `json:"feeds_per_second"`
	WallPer1000    float64 `json:"wall_seconds_per_1000_feeds"`
	CPUPer1000     float64 `json:"cpu_seconds_per_1000_feeds"`
	PeakRSSMB      float64 `json:"peak_rss_mb"`
	PeakExact      bool    `json:"peak_rss_reset"` // false: the process's peak so far
	AllocsPerItem  float64 `json:"allocs_per_item"`
	// WallVsFloor and CPUVsFloor compare the phase's wall and CPU time
	// per 1,000 feeds with the floor's.
	WallVsFloor float64   `json:"wall_vs_floor"`
	CPUVsFloor  float64   `json:"cpu_vs_floor"`
	RSSVsFloor  float64   `json:"rss_vs_floor"`
	Sampled     bool      `json:"sampled,omitempty"` // run on fewer feeds than the others
	Runs        []float64 `json:"runs_wall_seconds,omitempty"`
}

// QueryCost compares a cold cycle with 3 queries and with all of them.
type QueryCost struct {
	Feeds     int     `json:"feeds"`
	Few       Phase   `json:"few"`
	Many      Phase   `json:"many"`
	WallRatio float64 `json:"wall_ratio"`
	CPURatio  float64 `json:"cpu_ratio"`
}

// Latency is the time from items appearing on the feed server to their
// alerts reaching the webhook receiver, with the bot running as a daemon
// at a poll interval of Interval seconds. The items appear just after
// their feeds were polled, so P50 and P99 include almost a whole wait for
// the next poll (the interval ±10% jitter); FromPoll* are the times from
// the start of the poll that found an item to its alert's arrival, what
// the pipeline itself adds.
type Latency struct {
	Interval    float64 `json:"poll_interval_seconds"`
	Stories     int     `json:"stories"`
	P50         float64 `json:"p50_seconds"`
	P99         float64 `json:"p99_seconds"`
	Max         float64 `json:"max_seconds"`
	FromPollP50 float64 `json:"from_poll_p50_seconds"`
	FromPollP99 float64 `json:"from_poll_p99_seconds"`
}

// Growth is one point of the growth series.
type Growth struct {
	Feeds   int   `json:"feeds"`
	Floor   Phase `json:"floor"`
	Cold    Phase `json:"cold"`
	Changed Phase `json:"changed"`
}

// Target is one goal of the benchmark and whether this run met it.
type Target struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Limit float64 `json:"limit"`
	Met   bool    `json:"met"`
}

func (r *Report) add(p Phase, _ []Phase) { r.Phases = append(r.Phases, p) }

// Phase returns the first phase called name.
func (r *Report) Phase(name string) (Phase, bool) {
	for _, p := range r.Phases {
		if p.Name == name {
			return p, true
		}
	}
	return Phase{}, false
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// finish computes the ratios and checks the targets.
func (r *Report) finish() {
	floor, _ := r.Phase("floor")
	for i := range r.Phases {
		relate(&r.Phases[i], floor)
	}
	for i := range r.Growth {
		relate(&r.Growth[i].Cold, r.Growth[i].Floor)
		relate(&r.Growth[i].Changed, r.Growth[i].Floor)
		relate(&r.Growth[i].Floor, r.Growth[i].Floor)
	}
	q := &r.QueryCost
	q.WallRatio = ratio(q.Many.WallSeconds, q.Few.WallSeconds)
	q.CPURatio = ratio(q.Many.CPUSeconds, q.Few.CPUSeconds)

	cold, _ := r.Phase("cold")
	unch, _ := r.Phase("unchanged")
	var changed Phase
	for _, p := range r.Phases {
		if p.Name == "changed" {
			changed = p
		}
	}
	t := func(name string, v, limit float64) {
		r.Targets = append(r.Targets, Target{Name: name, Value: v, Limit: limit, Met: v <= limit})
	}
	t("cold wall / floor wall", cold.WallVsFloor, 1.3)
	t("unchanged wall / cold wall", ratio(unch.WallSeconds, cold.WallSeconds), 0.1)
	t("unchanged CPU / cold CPU", ratio(unch.CPUSeconds, cold.CPUSeconds), 0.1)
	t("CPU with all queries / with 3", q.CPURatio, 1.2)
	if r.Latency.Stories > 0 {
		// The daemon spreads polls by ±10%, so the longest wait for the
		// next poll is 1.1 intervals; the target allows that plus 2 s.
		t("p99 appear→delivered (s) ≤ interval (+10% jitter) + 2s", r.Latency.P99, r.Latency.Interval*1.1+2)
		t("p99 poll→delivered (s)", r.Latency.FromPollP99, 2)
	} else {
		r.Targets = append(r.Targets, Target{Name: "p99 appear→delivered (s): no alert to measure", Limit: r.Latency.Interval + 2})
	}
	switch {
	case r.Feeds == 2000 && r.Concurrency == 8:
		t("peak RSS at 2,000 feeds, 8 in flight (MB)", max(cold.PeakRSSMB, changed.PeakRSSMB), 150)
	case r.Feeds == 10000:
		t("peak RSS of a changed cycle at 10,000 feeds (MB)", changed.PeakRSSMB, 200)
		t("changed cycle at 10,000 feeds (s)", changed.WallSeconds, 15)
	}
}

func relate(p *Phase, floor Phase) {
	p.WallVsFloor = ratio(p.WallPer1000, floor.WallPer1000)
	p.CPUVsFloor = ratio(p.CPUPer1000, floor.CPUPer1000)
	p.RSSVsFloor = ratio(p.PeakRSSMB, floor.PeakRSSMB)
}

// WriteText prints the report as tables.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	m := r.Machine
	fmt.Fprintf(&b, "machine: %s/%s, %d CPUs", m.OS, m.Arch, m.CPUs)
	if m.CPU != "" {
		fmt.Fprintf(&b, " (%s)", m.CPU)
	}
	if m.MemoryGB > 0 {
		fmt.Fprintf(&b, ", %.0f GB", m.MemoryGB)
	}
	fmt.Fprintf(&b, ", %s\n", m.Go)
	fmt.Fprintf(&b, "feeds: %d (%d items, %.0f MB of bodies), %d queries, %d fetches in flight (%d per host)\n\n",
		r.Feeds, r.Items, float64(r.BodyBytes)/(1<<20), r.Queries, r.Concurrency, r.PerHost)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "cycle\tfeeds\twall s\tfeeds/s\tCPU s/1k feeds\tpeak RSS MB\tallocs/item\tnew items\tdelivered\twall×floor\tCPU×floor\tRSS×floor\t")
	for _, p := range r.Phases {
		name := p.Name
		if p.Sampled {
			name += "*"
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.0f\t%.3f\t%.0f\t%.0f\t%d\t%d\t%.2f\t%.2f\t%.2f\t\n", name, p.Feeds, p.WallSeconds,
			p.FeedsPerSecond, p.CPUPer1000, p.PeakRSSMB, p.AllocsPerItem, p.NewItems, p.Delivered, p.WallVsFloor, p.CPUVsFloor, p.RSSVsFloor)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, p := range r.Phases {
		if len(p.Runs) > 1 {
			fmt.Fprintf(&b, "%s: best of %d runs, wall s %s\n", p.Name, len(p.Runs), floats(p.Runs))
		}
		if p.Errors > 0 {
			fmt.Fprintf(&b, "%s: %d error(s), first: %s\n", p.Name, p.Errors, p.FirstError)
		}
		if p.Undelivered > 0 {
			fmt.Fprintf(&b, "%s: %d alert(s) left undelivered\n", p.Name, p.Undelivered)
		}
	}
	if n, ok := r.Phase("naive"); ok {
		fmt.Fprintf(&b, "* naive: measured on %d feeds; its ratios compare per 1,000 feeds\n", n.Feeds)
	}
	q := r.QueryCost
	fmt.Fprintf(&b, "\nqueries: a cold cycle of %d feeds with %d queries takes %.2fs wall, %.2fs CPU; with %d, %.2fs wall, %.2fs CPU (×%.2f wall, ×%.2f CPU)\n",
		q.Feeds, r.Queries, q.Many.WallSeconds, q.Many.CPUSeconds, min(3, r.Queries), q.Few.WallSeconds, q.Few.CPUSeconds, q.WallRatio, q.CPURatio)
	l := r.Latency
	fmt.Fprintf(&b, "appear→delivered (daemon, poll interval %gs ±10%%, items appearing just after a poll, %d alerts): p50 %.2fs, p99 %.2fs, max %.2fs; from the poll that found them: p50 %.2fs, p99 %.2fs\n",
		l.Interval, l.Stories, l.P50, l.P99, l.Max, l.FromPollP50, l.FromPollP99)
	if len(r.Growth) > 0 {
		b.WriteString("\ngrowth:\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "feeds\tfloor s\tcold s\tchanged s\tfloor RSS MB\tcold RSS MB\tchanged RSS MB\tcold×floor\t")
		for _, g := range r.Growth {
			fmt.Fprintf(tw, "%d\t%.2f\t%.2f\t%.2f\t%.0f\t%.0f\t%.0f\t%.2f\t\n", g.Feeds, g.Floor.WallSeconds, g.Cold.WallSeconds, g.Changed.WallSeconds,
				g.Floor.PeakRSSMB, g.Cold.PeakRSSMB, g.Changed.PeakRSSMB, g.Cold.WallVsFloor)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	b.WriteString("\ntargets:\n")
	for _, t := range r.Targets {
		verdict := "met"
		if !t.Met {
			verdict = "MISSED"
		}
		fmt.Fprintf(&b, "  %-50s %8.2f  (≤ %g)  %s\n", t.Name, t.Value, t.Limit, verdict)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func floats(fs []float64) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = fmt.Sprintf("%.2f", f)
	}
	return strings.Join(s, ", ")
}
