package digest

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newshound/newshound/feeds"
	"github.com/newshound/newshound/internal/testmain"
)

// corpusDir holds the real feeds the labelled pairs come from.
const corpusDir = "../../../shared/feeds/korean/knews-rss"

// corpusItem is one item of the shared Korean feeds.
type corpusItem struct {
	title, lead, link string
	published         time.Time
}

// loadCorpus reads every item of the shared Korean feeds by link (the
// first copy of each link), or skips the test when they are absent. The
// files are read once per test binary: a scan of 5 MB is slow under -race.
func loadCorpus(t testing.TB) map[string]corpusItem {
	t.Helper()
	c, err := corpusOnce()
	if err != nil {
		t.Fatal(err)
	}
	if c == nil {
		t.Skip("../shared/feeds/korean/knews-rss is absent: the labelled pairs need their leads and dates")
	}
	return c
}

var corpusOnce = sync.OnceValues(func() (map[string]corpusItem, error) {
	files, _ := filepath.Glob(corpusDir + "/*.xml")
	more, _ := filepath.Glob(corpusDir + "/*/*.xml")
	files = append(files, more...)
	if len(files) == 0 {
		return nil, nil
	}
	// The items are read as the bot reads them (feeds.Parse: plain text,
	// entities decoded), so the leads are what Story sees in production.
	out := map[string]corpusItem{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		res, err := feeds.Parse(data, "application/rss+xml", filepath.Base(f), "", time.UTC, time.Date(2022, 8, 2, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return nil, err
		}
		for _, it := range res.Items {
			ci := corpusItem{title: it.Title, lead: it.Body(), link: it.Link, published: it.Published}
			if _, ok := out[ci.link]; !ok && ci.link != "" {
				out[ci.link] = ci
			}
		}
	}
	return out, nil
})

// storyPair is a labelled pair with the items' links ("" when the item
// is not in the corpus: its title alone is compared).
type storyPair struct {
	same         bool
	a, b         string
	linkA, linkB string
}

func readStoryPairs(t testing.TB, name string) []storyPair {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ps []storyPair
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 5 || (c[0] != "same" && c[0] != "diff") {
			t.Fatalf("%s:%d: want label(same|diff), title_a, title_b, link_a, link_b", name, n)
		}
		p := storyPair{same: c[0] == "same", a: c[1], b: c[2], linkA: c[3], linkB: c[4]}
		if p.linkA == "-" {
			p.linkA = ""
		}
		if p.linkB == "-" {
			p.linkB = ""
		}
		ps = append(ps, p)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ps
}

// corpusStory prepares a labelled title with what the corpus has of its item.
func corpusStory(corpus map[string]corpusItem, title, link string) Story {
	it, ok := corpus[link]
	if !ok {
		return NewStory(title, "", "", time.Time{})
	}
	return NewStory(title, it.lead, it.link, it.published)
}

// score is precision and recall of a predicate over labelled pairs.
type score struct{ tp, fp, fn, tn int }

func (s score) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s score) recall() float64 {
	if s.tp+s.fn == 0 {
		return 0
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

func (s score) String() string {
	return fmt.Sprintf("precision %.3f recall %.3f (tp %d, false merges %d, missed %d)", s.precision(), s.recall(), s.tp, s.fp, s.fn)
}

func scorePairs(ps []storyPair, as, bs []Story, same func(a, b Story) bool) score {
	var s score
	for i, p := range ps {
		got := same(as[i], bs[i])
		switch {
		case got && p.same:
			s.tp++
		case got:
			s.fp++
		case p.same:
			s.fn++
		default:
			s.tn++
		}
	}
	return s
}

// TestStoryRecall measures Story.Same against Headline.Same on both
// labelled sets, with the tables its weights were chosen from (the fit on
// each set checked on the other, and the fit on both) and a 5-fold
// cross-validation of that fit, and fails below the recall and precision
// Story.Same reaches now.
func TestStoryRecall(t *testing.T) {
	t.Parallel()
	corpus := loadCorpus(t)
	sets := []string{"story_pairs.tsv", "story_pairs2.tsv"}
	var all []preparedPairs
	for _, name := range sets {
		ps := readStoryPairs(t, name)
		p := preparedPairs{ps: ps, as: make([]Story, len(ps)), bs: make([]Story, len(ps))}
		found, nsame := 0, 0
		for i, x := range ps {
			p.as[i], p.bs[i] = corpusStory(corpus, x.a, x.linkA), corpusStory(corpus, x.b, x.linkB)
			for _, l := range []string{x.linkA, x.linkB} {
				if _, ok := corpus[l]; ok {
					found++
				}
			}
			if x.same {
				nsame++
			}
		}
		t.Logf("%s: %d pairs (%d same, %d diff), %d of %d items found in the corpus", name, len(ps), nsame, len(ps)-nsame, found, 2*len(ps))
		all = append(all, p)
	}
	t.Logf("%-26s %-18s %s", "set", "method", "result")
	for i, p := range all {
		t.Logf("%-26s %-18s %v", sets[i], "headline only", scorePairs(p.ps, p.as, p.bs, func(a, b Story) bool { return a.Headline.Same(b.Headline) }))
		t.Logf("%-26s %-18s %v", sets[i], "Story.Same", scorePairs(p.ps, p.as, p.bs, Story.Same))
	}
	t.Logf("Story.Same by score threshold (lead weight %.2f, time weight %.2f; plus %.2f without leads):", leadWeight, timeWeight, leadWeight)
	for _, min := range []float64{0.30, 0.33, minScore, 0.37, 0.40, 0.43, 0.46, 0.50, 0.56, 0.60} {
		line := fmt.Sprintf("  score >= %.2f:", min)
		for _, p := range all {
			line += fmt.Sprintf("  %v", p.score(scoreWeights{leadWeight, timeWeight, min}))
		}
		t.Log(line)
	}
	// The fits and the cross-validation search a grid of weights: pure
	// computation on one goroutine, where the race detector finds nothing
	// and which it makes several times slower. A race build checks the
	// floors below; a build without it (.ci/run runs both) checks the fits.
	if testmain.Race {
		t.Log("race build: the weight fits and the cross-validation run without -race")
	} else {
		fitsAndCrossValidation(t, all)
	}
	// The floors are what Story.Same reaches now, in sample; the aim is
	// recall 0.80 at precision 0.98 on both sets.
	floors := []struct{ precision, recall float64 }{{0.98, 0.81}, {0.98, 0.83}}
	for i, p := range all {
		s := scorePairs(p.ps, p.as, p.bs, Story.Same)
		if s.recall() < floors[i].recall || s.precision() < floors[i].precision {
			t.Errorf("%s: %v: want recall at least %.2f at precision at least %.2f", sets[i], s, floors[i].recall, floors[i].precision)
			for j, x := range p.ps {
				if got := p.as[j].Same(p.bs[j]); got != x.same {
					t.Logf("  wrong (same=%v): %q | %q", x.same, x.a, x.b)
				}
			}
		}
	}
}

// fitsAndCrossValidation logs the weights and threshold with the highest
// recall at precision 0.98 on one set (fit), checked on the other, and
// those of both sets, which Story.Same must use; then a 5-fold
// cross-validation of that fit, which must reach cvFloor.
func fitsAndCrossValidation(t *testing.T, all []preparedPairs) {
	t.Helper()
	for i, fitOn := range [][]preparedPairs{{all[0]}, {all[1]}, all} {
		w := fit(fitOn...)
		if i == 2 && w != (scoreWeights{leadWeight, timeWeight, minScore}) {
			t.Errorf("the fit on both sets is lead %.1f, time %.1f, score >= %.2f: Story.Same's weights are said to be it", w.lead, w.time, w.min)
		}
		line := fmt.Sprintf("fit on %s: lead %.1f, time %.1f, score >= %.2f:", []string{"set 1", "set 2", "both"}[i], w.lead, w.time, w.min)
		for j, p := range all {
			line += fmt.Sprintf("  %s %v", []string{"set 1", "set 2"}[j], p.score(w))
		}
		t.Log(line)
	}
	// The figures above are in-sample: the weights were chosen on the same
	// pairs. Cross-validation estimates what they are worth on pairs not
	// seen: each fold's pairs are scored with the fit on the other folds.
	cv, cvSets := crossValidate(t, all, 5)
	t.Logf("5-fold cross-validation over both sets (fit on 4 folds, scored on the fifth), pooled: %v; set 1 %v; set 2 %v", cv, cvSets[0], cvSets[1])
	if cv.recall() < cvFloor.recall || cv.precision() < cvFloor.precision {
		t.Errorf("cross-validated: %v: want recall at least %.2f at precision at least %.2f", cv, cvFloor.recall, cvFloor.precision)
	}
}

// cvFloor is the cross-validated precision and recall Story.Same's fit
// reaches now.
var cvFloor = struct{ precision, recall float64 }{0.98, 0.81}

// preparedPairs is a labelled set with its items prepared.
type preparedPairs struct {
	ps     []storyPair
	as, bs []Story
}

// score scores the set with Story.Same's score at the given weights and
// threshold.
func (p preparedPairs) score(w scoreWeights) score {
	return scorePairs(p.ps, p.as, p.bs, func(a, b Story) bool { return a.score(b, w, math.Inf(-1)) >= w.floor(a, b) })
}

// subset returns the pairs of p at the given indices.
func (p preparedPairs) subset(idx []int) preparedPairs {
	var out preparedPairs
	for _, i := range idx {
		out.ps = append(out.ps, p.ps[i])
		out.as = append(out.as, p.as[i])
		out.bs = append(out.bs, p.bs[i])
	}
	return out
}

// crossValidate splits the pairs of all sets into k folds, stratified by
// set and label (each fold has about a k-th of each set's same and diff
// pairs; the order within a stratum is shuffled with a fixed seed), fits
// the weights on the other folds as Story.Same's were fitted (fit, on
// each set's share of them) and scores each fold with them. It returns
// the held-out scores pooled over all pairs and per set.
func crossValidate(t *testing.T, sets []preparedPairs, k int) (score, []score) {
	rng := rand.New(rand.NewPCG(18, 575))
	folds := make([][][]int, len(sets)) // set, pair -> fold as lists of indices per fold
	for si, p := range sets {
		folds[si] = make([][]int, k)
		for _, label := range []bool{true, false} {
			var idx []int
			for i, x := range p.ps {
				if x.same == label {
					idx = append(idx, i)
				}
			}
			rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
			for n, i := range idx {
				folds[si][n%k] = append(folds[si][n%k], i)
			}
		}
	}
	var pooled score
	perSet := make([]score, len(sets))
	for f := range k {
		var train, test []preparedPairs
		for si, p := range sets {
			var in []int
			for g := range k {
				if g != f {
					in = append(in, folds[si][g]...)
				}
			}
			train = append(train, p.subset(in))
			test = append(test, p.subset(folds[si][f]))
		}
		w := fit(train...)
		t.Logf("  fold %d: fit on the others: lead %.1f, time %.1f, score >= %.2f", f+1, w.lead, w.time, w.min)
		for si, p := range test {
			s := p.score(w)
			perSet[si] = perSet[si].add(s)
			pooled = pooled.add(s)
		}
	}
	return pooled, perSet
}

// add sums two scores.
func (s score) add(o score) score {
	return score{s.tp + o.tp, s.fp + o.fp, s.fn + o.fn, s.tn + o.tn}
}

// fit returns the weights (in steps of 0.1) and threshold (in steps of
// 0.01) with the highest recall at precision at least 0.98 on every set
// given (the lowest recall of them); of equal recalls, the first found
// (the least lead weight, then time weight, then the highest threshold).
// Pairs with no lead on either side are held to the threshold plus the
// lead weight, as in Story.Same.
func fit(sets ...preparedPairs) scoreWeights {
	var best scoreWeights
	bestRecall := -1.0
	scores := make([][]float64, len(sets))
	for k, p := range sets {
		scores[k] = make([]float64, len(p.ps))
	}
	for l := 0; l <= 10; l++ {
		for tw := 0; tw <= 10; tw++ {
			sw := scoreWeights{lead: float64(l) / 10, time: float64(tw) / 10}
			for k, p := range sets {
				for i := range p.ps {
					scores[k][i] = p.as[i].score(p.bs[i], sw, math.Inf(-1))
				}
			}
			for m := 100; m >= 20; m-- {
				w, recall := scoreWeights{sw.lead, sw.time, float64(m) / 100}, 2.0
				for k, p := range sets {
					var s score
					for i, x := range p.ps {
						switch got := scores[k][i] >= w.floor(p.as[i], p.bs[i]); {
						case got && x.same:
							s.tp++
						case got:
							s.fp++
						case x.same:
							s.fn++
						}
					}
					if s.precision() < 0.98 {
						recall = -1
						break
					}
					recall = math.Min(recall, s.recall())
				}
				if recall > bestRecall {
					bestRecall, best = recall, w
				}
			}
		}
	}
	return best
}

// TestStoryBackgroundMergeRate checks how often two distinct real items
// (every pair of items of the shared Korean feeds with distinct titles
// and links) are the same Story. Many merges there are true copies (one
// story in several outlets over five days): the pairs labelled same in
// the two labelled sets are counted apart as known copies, and the rest
// must stay at most 0.01% of all pairs. The rest still holds unlabelled
// true copies, so the ceiling bounds rather than measures false merges.
func TestStoryBackgroundMergeRate(t *testing.T) {
	t.Parallel()
	corpus := loadCorpus(t)
	copies := map[[2]string]bool{} // normalized titles of pairs labelled same
	for _, name := range []string{"story_pairs.tsv", "story_pairs2.tsv"} {
		for _, p := range readStoryPairs(t, name) {
			if p.same {
				a, b := Normalize(p.a), Normalize(p.b)
				copies[[2]string{a, b}], copies[[2]string{b, a}] = true, true
			}
		}
	}
	seen := map[string]bool{}
	var stories []Story
	var titles []string
	for _, it := range corpus {
		if n := Normalize(it.title); n != "" && !seen[n] {
			seen[n] = true
			stories = append(stories, NewStory(it.title, it.lead, it.link, it.published))
			titles = append(titles, n)
		}
	}
	if len(stories) < 500 {
		t.Fatalf("%d distinct items: want at least 500", len(stories))
	}
	// Only titles that share a shingle can be the same story (the links
	// are distinct): compare those, count all pairs.
	byShingle := map[uint64][]int{}
	for i, s := range stories {
		for _, h := range s.shingles {
			byShingle[h] = append(byShingle[h], i)
		}
	}
	same, headline, known := 0, 0, 0
	pairs := len(stories) * (len(stories) - 1) / 2
	for i, s := range stories {
		done := map[int]bool{}
		for _, h := range s.shingles {
			for _, j := range byShingle[h] {
				if j <= i || done[j] {
					continue
				}
				done[j] = true
				if s.Same(stories[j]) {
					same++
					if s.Headline.Same(stories[j].Headline) {
						headline++
					}
					if copies[[2]string{titles[i], titles[j]}] {
						known++
					}
				}
			}
		}
	}
	all, rate := float64(same)/float64(pairs), float64(same-known)/float64(pairs)
	t.Logf("Story.Same: %d of %d pairs (%.4f%%) over %d items; %d by the headline alone; %d labelled same in the story sets; the other %d: %.4f%%",
		same, pairs, 100*all, len(stories), headline, known, same-known, 100*rate)
	if rate > 0.0001 {
		t.Errorf("Story.Same merges %.4f%% of pairs not labelled same: want at most 0.01%%", 100*rate)
	}
}
