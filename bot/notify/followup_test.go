package notify

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestAnswer(t *testing.T) {
	t.Parallel()
	const fallback = "internal error"
	for _, tc := range []struct {
		name         string
		ack          time.Duration
		slow, panics bool
		wantDeferred bool
		wantReply    string
	}{
		{"fast command answered at once", time.Hour, false, false, false, "done"},
		{"slow command followed up", 0, true, false, true, "done"},
		{"panic in a fast command gives the fallback", time.Hour, false, true, false, fallback},
		{"panic in a slow command follows up the fallback", 0, true, true, true, fallback},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			d := &Deferrer{Guard: NewGuard(slog.New(slog.NewTextHandler(&logs, nil)), nil)}
			release := make(chan struct{})
			followed := make(chan string, 1)
			run := func(ctx context.Context) string {
				if tc.slow {
					<-release
				}
				if tc.panics {
					panic("boom")
				}
				return "done"
			}
			follow := func(ctx context.Context, s string) {
				if ctx.Err() != nil {
					t.Errorf("follow-up context already ended: %v", ctx.Err())
				}
				followed <- s
			}
			got, deferred := Answer(d, context.Background(), "test", tc.ack, time.Minute, fallback, run, follow)
			if deferred != tc.wantDeferred {
				t.Fatalf("deferred = %v, want %v", deferred, tc.wantDeferred)
			}
			close(release)
			d.Wait()
			if tc.wantDeferred {
				select {
				case got = <-followed:
				default:
					t.Fatal("Wait returned before the follow-up was delivered")
				}
			} else if len(followed) != 0 {
				t.Error("a command answered at once was also followed up")
			}
			if got != tc.wantReply {
				t.Errorf("reply %q, want %q", got, tc.wantReply)
			}
			if tc.panics != strings.Contains(logs.String(), "test_run") {
				t.Errorf("panic report: %q", logs.String())
			}
		})
	}
	t.Run("panic in follow-up is recovered", func(t *testing.T) {
		var logs bytes.Buffer
		d := &Deferrer{Guard: NewGuard(slog.New(slog.NewTextHandler(&logs, nil)), nil)}
		release := make(chan struct{})
		_, deferred := Answer(d, context.Background(), "test", 0, time.Minute, "",
			func(context.Context) string { <-release; return "x" },
			func(context.Context, string) { panic("lost") })
		close(release)
		d.Wait()
		if !deferred || !strings.Contains(logs.String(), "test_followup") {
			t.Errorf("deferred %v, logs %q", deferred, logs.String())
		}
	})
}
