package notify

import (
	"context"
	"sync"
	"time"
)

// Pacer spaces out sends to one channel: at most Burst sends in any Window.
// The zero value does not pace. It is safe for concurrent use.
type Pacer struct {
	Burst  int
	Window time.Duration
	// Now and Sleep may be replaced in tests; nil means the real clock.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error

	mu   sync.Mutex
	sent []time.Time
	// blockedUntil is set by Block when a platform says to wait.
	blockedUntil time.Time
}

// NewPacer allows burst sends per window.
func NewPacer(burst int, window time.Duration) *Pacer {
	return &Pacer{Burst: burst, Window: window}
}

func (p *Pacer) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Pacer) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	return SleepContext(ctx, d)
}

// Block holds every send until t (a platform's rate-limit reset).
func (p *Pacer) Block(t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t.After(p.blockedUntil) {
		p.blockedUntil = t
	}
}

// Wait blocks until a send is allowed, then records it. It returns ctx's
// error if ctx ends first.
func (p *Pacer) Wait(ctx context.Context) error {
	if p == nil {
		return nil
	}
	for {
		p.mu.Lock()
		now := p.now()
		var wait time.Duration
		if now.Before(p.blockedUntil) {
			wait = p.blockedUntil.Sub(now)
		} else if p.Burst > 0 && p.Window > 0 {
			cut := 0
			for cut < len(p.sent) && !p.sent[cut].After(now.Add(-p.Window)) {
				cut++
			}
			p.sent = p.sent[cut:]
			if len(p.sent) >= p.Burst {
				wait = p.sent[0].Add(p.Window).Sub(now)
			}
		}
		if wait <= 0 {
			if p.Burst > 0 && p.Window > 0 {
				p.sent = append(p.sent, now)
			}
			p.mu.Unlock()
			return nil
		}
		p.mu.Unlock()
		if err := p.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// SleepContext sleeps for d or until ctx ends.
func SleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
