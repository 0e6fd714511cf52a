// Package bench measures newshound's pipeline: it serves generated feeds
// from a local server, runs full cycles of the real pipeline (the bot that
// newshound run uses: fetch, parse, normalize, match, store in SQLite,
// deliver to a local webhook receiver) and compares them with baselines
// measured in the same run: the floor (fetch and gofeed parse, nothing
// else) and a naive pipeline. The newshound bench command prints its
// Report.
package bench
