package bot

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Lease timing defaults: a lease runs out LeaseTTL after its last renewal,
// and its holder renews it every LeaseHeartbeat while it works, so a dead
// replica's work is taken over within LeaseTTL + one tick of the daemon.
const (
	DefaultLeaseTTL       = 15 * time.Second
	DefaultLeaseHeartbeat = 5 * time.Second
)

// ReplicaLeasePrefix names the lease a running daemon holds for its whole
// life ("replica:" + owner), so that status can list the replicas alive.
const ReplicaLeasePrefix = "replica:"

// errLeaseLost is the cause of a holding's context when the lease was
// taken over or could not be renewed before it ran out.
var errLeaseLost = errors.New("lost the lease")

// holding is a store lease this process holds while it works: a
// heartbeat renews it every Options.LeaseHeartbeat, and its context is
// cancelled (cause errLeaseLost) as soon as a renewal finds another owner
// or the last successful renewal no longer covers the present. Work
// derived from ctx therefore stops when the lease goes; renew confirms
// the lease with the store right before an irreversible step.
type holding struct {
	b    *Bot
	name string
	ctx  context.Context
	stop context.CancelCauseFunc

	mu sync.Mutex
	// valid is when the last successful renewal runs out, on the local
	// monotonic clock, measured from before the renewal was sent.
	valid time.Time
	lost  bool

	quit chan struct{}
	done chan struct{}
}

// hold takes the lease called name and starts its heartbeat. The lease's
// context is parent without its cancellation (a send under way finishes
// when the bot stops) but with the lease's loss. A store error counts as
// not leased: skipping a turn is safe, doing the work twice is not.
func (b *Bot) hold(parent context.Context, name string) (*holding, bool) {
	ctx, stop := context.WithCancelCause(context.WithoutCancel(parent))
	h := &holding{b: b, name: name, ctx: ctx, stop: stop, quit: make(chan struct{}), done: make(chan struct{})}
	if !h.renew(parent) {
		stop(errLeaseLost)
		return nil, false
	}
	go h.heartbeat()
	return h, true
}

// renew extends the lease by LeaseTTL and reports whether this process
// still holds it. A lease found with another owner is lost for good.
func (h *holding) renew(ctx context.Context) bool {
	b := h.b
	start := time.Now()
	now := b.opt.Now()
	ok, err := b.opt.Store.Lease(ctx, h.name, b.opt.Owner, now, now.Add(b.opt.LeaseTTL))
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.lost:
		return false
	case err != nil:
		if ctx.Err() == nil {
			b.log.Warn("renewing a lease failed", "lease", h.name, "owner", b.opt.Owner, "error", err.Error())
		}
		return false
	case !ok:
		h.lost = true
		h.stop(errLeaseLost)
		if h.valid.IsZero() {
			return false // never held: another replica is at it
		}
		b.log.Error("lost a lease to another replica; stopping the work under it", "lease", h.name, "owner", b.opt.Owner)
		b.opt.Metrics.leaseLost(h.name)
		return false
	}
	h.valid = start.Add(b.opt.LeaseTTL)
	return true
}

// live reports whether the lease is held and its last renewal still
// covers the present.
func (h *holding) live() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.lost && time.Now().Before(h.valid)
}

// heartbeat renews the lease until release, and cancels ctx when the
// lease is lost or runs out without a successful renewal.
func (h *holding) heartbeat() {
	defer close(h.done)
	t := time.NewTimer(h.b.opt.LeaseHeartbeat)
	defer t.Stop()
	for {
		select {
		case <-h.quit:
			return
		case <-t.C:
		}
		if !h.renew(h.ctx) && !h.live() {
			h.mu.Lock()
			lost := h.lost
			h.lost = true
			h.mu.Unlock()
			if !lost {
				h.b.log.Error("a lease ran out without a renewal; stopping the work under it", "lease", h.name, "owner", h.b.opt.Owner)
				h.b.opt.Metrics.leaseLost(h.name)
			}
			h.stop(errLeaseLost)
			return
		}
		h.mu.Lock()
		wait := min(h.b.opt.LeaseHeartbeat, time.Until(h.valid))
		h.mu.Unlock()
		t.Reset(max(wait, time.Millisecond))
	}
}

// release stops the heartbeat and frees the lease for the other
// replicas, even when the bot is stopping.
func (h *holding) release() {
	close(h.quit)
	<-h.done
	h.stop(nil)
	if err := h.b.opt.Store.Release(context.WithoutCancel(h.ctx), h.name, h.b.opt.Owner); err != nil {
		h.b.log.Warn("releasing a lease failed", "lease", h.name, "error", err.Error())
	}
}

// Lead runs fn on one replica at a time: leader election over the lease
// called name ("session:discord"), for work that must not run twice,
// such as a chat platform's gateway session. It waits until it holds the
// lease, runs fn with a context that ends when ctx ends or the lease is
// lost, and tries again when fn returns, so a dead leader's work moves
// to another replica within LeaseTTL plus one LeaseHeartbeat. An error
// from fn is logged and fn is run again after a backoff (doubling from
// LeaseHeartbeat up to 5 minutes) that a clean return resets. Lead
// returns when ctx ends.
func (b *Bot) Lead(ctx context.Context, name string, fn func(ctx context.Context) error) {
	wait := b.opt.LeaseHeartbeat
	for ctx.Err() == nil {
		h, ok := b.hold(ctx, name)
		if !ok {
			if b.opt.Sleep(ctx, b.opt.LeaseHeartbeat) != nil {
				return
			}
			continue
		}
		b.log.Info("leading", "lease", name, "owner", b.opt.Owner)
		runCtx, cancel := context.WithCancel(h.ctx)
		stop := context.AfterFunc(ctx, cancel)
		err := fn(runCtx)
		stop()
		cancel()
		lost := context.Cause(h.ctx) == errLeaseLost
		h.release()
		switch {
		case ctx.Err() != nil:
			return
		case lost:
			b.log.Warn("no longer leading: the lease was lost", "lease", name, "owner", b.opt.Owner)
			continue
		case err != nil:
			b.log.Error("led work failed; trying again after a pause", "lease", name, "wait", wait, "error", err.Error())
			if b.opt.Sleep(ctx, wait) != nil {
				return
			}
			wait = min(2*wait, 5*time.Minute)
		default:
			wait = b.opt.LeaseHeartbeat
		}
	}
}
