package console

import (
	"fmt"
	"sync"
	"testing"
	"unicode"

	"github.com/newshound/newshound/bot/notify/notifytest"
)

// writes records each write to the terminal as one received message
// (Send writes a message at once).
type writes struct {
	mu   sync.Mutex
	reqs []notifytest.Request
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reqs = append(w.reqs, notifytest.Request{Body: append([]byte(nil), p...)})
	return len(p), nil
}

func (w *writes) requests() []notifytest.Request {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]notifytest.Request(nil), w.reqs...)
}

// controls lists the control characters in b other than newline and tab:
// on a terminal they could move the cursor, clear the screen, retitle
// the window or ring the bell.
func controls(b []byte) []string {
	var out []string
	for _, r := range string(b) {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			out = append(out, fmt.Sprintf("%U", r))
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			notifytest.Run(t, func(t *testing.T) notifytest.Harness {
				w := &writes{}
				n, err := New("terminal", Config{Format: format}, w)
				if err != nil {
					t.Fatal(err)
				}
				return notifytest.Harness{Notifier: n, Requests: w.requests, Pings: controls}
			})
		})
	}
}
