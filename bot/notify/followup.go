package notify

import (
	"context"
	"sync"
	"time"
)

// Deferrer answers chat commands that may outlive the request that
// brought them: a platform must be answered within a few seconds (Slack
// 3 s, Discord 3 s), so a command still running at the acknowledgement
// deadline is acknowledged and its result delivered later as a follow-up
// reply. Deferrer holds the rule both platforms share; the platform
// supplies only the command and the transport of the follow-up. The zero
// value is ready to use; it must not be copied after first use.
type Deferrer struct {
	// Guard recovers a panic in a command or a follow-up; nil logs to
	// slog.Default().
	Guard *Guard
	wg    sync.WaitGroup
}

// Wait blocks until every follow-up started so far has been delivered
// (or has failed), for a clean shutdown.
func (d *Deferrer) Wait() { d.wg.Wait() }

// Answer runs run under a context derived from ctx that ends after
// timeout, and waits up to ack for its result. A result in time is
// returned with deferred false. Otherwise Answer returns deferred true at
// once (the caller acknowledges) and, in a goroutine that Wait waits for,
// passes the result to follow when it comes, under the same context. A
// panic in run gives fallback (an "internal error" reply, say) and one in
// follow is recovered; both are reported by d.Guard as name+"_run" and
// name+"_followup".
func Answer[T any](d *Deferrer, ctx context.Context, name string, ack, timeout time.Duration, fallback T,
	run func(context.Context) T, follow func(context.Context, T)) (result T, deferred bool) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	done := make(chan T, 1)
	go func() {
		rep := fallback
		defer func() { done <- rep }()
		defer d.Guard.Recover(name+"_run", nil)
		rep = run(ctx)
	}()
	timer := time.NewTimer(ack)
	defer timer.Stop()
	select {
	case rep := <-done:
		cancel()
		return rep, false
	case <-timer.C:
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer cancel()
		defer d.Guard.Recover(name+"_followup", nil)
		follow(ctx, <-done)
	}()
	var zero T
	return zero, true
}
