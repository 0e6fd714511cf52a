package notify

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 11, 19, 1, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		header string
		body   string
		want   time.Duration
		ok     bool
	}{
		{"seconds", "2", "", 2 * time.Second, true},
		{"fractional seconds", " 1.5 ", "", 1500 * time.Millisecond, true},
		{"HTTP date", "Tue, 19 Nov 2024 01:00:07 GMT", "", 7 * time.Second, true},
		{"HTTP date in the past", "Tue, 19 Nov 2024 00:59:00 GMT", "", 0, true},
		{"JSON body wins over header", "9", `{"retry_after":0.75,"global":false}`, 750 * time.Millisecond, true},
		{"JSON body without retry_after uses header", "3", `{"message":"slow"}`, 3 * time.Second, true},
		{"non-JSON body uses header", "3", `<html>cloudflare</html>`, 3 * time.Second, true},
		{"negative JSON uses header", "4", `{"retry_after":-1}`, 4 * time.Second, true},
		{"capped", "86400", "", MaxRetryAfter, true},
		{"huge JSON capped", "", `{"retry_after":1e300}`, MaxRetryAfter, true},
		{"missing", "", "", 0, false},
		{"unreadable", "soon", "", 0, false},
		{"negative header", "-5", "", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("Retry-After", tc.header)
			}
			got, ok := RetryAfter(h, []byte(tc.body), now)
			if got != tc.want || ok != tc.ok {
				t.Errorf("RetryAfter = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	base := errors.New("slack: channel \"news\": webhook answered")
	for _, tc := range []struct {
		status int
		after  time.Duration
		retry  bool
		wait   time.Duration
	}{
		{0, 0, true, 0},
		{http.StatusTooManyRequests, 3 * time.Second, true, 3 * time.Second},
		{http.StatusInternalServerError, 5 * time.Second, true, 0},
		{http.StatusBadGateway, 0, true, 0},
		{http.StatusBadRequest, 0, false, 0},
		{http.StatusNotFound, 0, false, 0},
		{http.StatusForbidden, time.Second, false, 0},
		{http.StatusOK, 0, false, 0}, // a 2xx whose body refused the message
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			err := Classify(tc.status, tc.after, base)
			var ne *Error
			if !errors.As(err, &ne) {
				t.Fatalf("Classify = %T %v, want *Error", err, err)
			}
			if ne.Retry != tc.retry || ne.RetryAfter != tc.wait {
				t.Errorf("retry %v after %v, want %v after %v", ne.Retry, ne.RetryAfter, tc.retry, tc.wait)
			}
			if !errors.Is(err, base) {
				t.Errorf("Classify lost the cause: %v", err)
			}
		})
	}
	t.Run("nil error named by status", func(t *testing.T) {
		err := Classify(http.StatusBadRequest, 0, nil)
		if err == nil || err.Error() != "notify: answered 400 Bad Request" {
			t.Errorf("Classify(400, nil) = %v", err)
		}
	})
}

func TestSplitEntries(t *testing.T) {
	t.Parallel()
	mk := func(sizes ...int) []Entry {
		out := make([]Entry, len(sizes))
		for i, s := range sizes {
			out[i] = Entry{ID: int64(s), Title: fmt.Sprint(i)}
		}
		return out
	}
	size := func(e Entry) int { return int(e.ID) }
	titles := func(groups [][]Entry) [][]string {
		var out [][]string
		for _, g := range groups {
			var ts []string
			for _, e := range g {
				ts = append(ts, e.Title)
			}
			out = append(out, ts)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		entries []Entry
		maxN    int
		maxSize int
		want    [][]string
	}{
		{"empty gives one empty group", nil, 3, 10, [][]string{nil}},
		{"all fit", mk(1, 2, 3), 3, 10, [][]string{{"0", "1", "2"}}},
		{"count limit", mk(1, 1, 1, 1, 1), 2, 100, [][]string{{"0", "1"}, {"2", "3"}, {"4"}}},
		{"size limit", mk(4, 4, 4, 1), 10, 8, [][]string{{"0", "1"}, {"2", "3"}}},
		{"oversized entry alone", mk(1, 50, 1), 10, 8, [][]string{{"0"}, {"1"}, {"2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			got := SplitEntries(tc.entries, func(e Entry) int { calls++; return size(e) },
				func(g []Entry, total int) bool {
					sum := 0
					for _, e := range g {
						sum += size(e)
					}
					if sum != total {
						t.Errorf("fits got total %d for a group of size %d", total, sum)
					}
					return len(g) <= tc.maxN && total <= tc.maxSize
				})
			if !reflect.DeepEqual(titles(got), tc.want) {
				t.Errorf("groups = %v, want %v", titles(got), tc.want)
			}
			if calls != len(tc.entries) {
				t.Errorf("size called %d times for %d entries", calls, len(tc.entries))
			}
		})
	}
}

func TestParts(t *testing.T) {
	t.Parallel()
	m := Message{Channel: "c", Header: "h", More: 4, Entries: []Entry{{Title: "a"}, {Title: "b"}, {Title: "c"}}}
	one := Parts(m, [][]Entry{m.Entries}, func(i, n int) string { t.Fatal("header called for one part"); return "" })
	if len(one) != 1 || !reflect.DeepEqual(one[0], m) {
		t.Errorf("one group: %+v, want the message unchanged", one)
	}
	parts := Parts(m, [][]Entry{m.Entries[:2], m.Entries[2:]}, func(i, n int) string { return fmt.Sprintf("h %d/%d", i, n) })
	if len(parts) != 2 {
		t.Fatalf("%d parts, want 2", len(parts))
	}
	for i, p := range parts {
		if want := fmt.Sprintf("h %d/2", i+1); p.Header != want {
			t.Errorf("part %d header %q, want %q", i, p.Header, want)
		}
		if p.Channel != "c" {
			t.Errorf("part %d lost the channel", i)
		}
	}
	if parts[0].More != 0 || parts[1].More != 4 {
		t.Errorf("More = %d, %d; want 0, 4", parts[0].More, parts[1].More)
	}
	if len(parts[0].Entries) != 2 || parts[1].Entries[0].Title != "c" {
		t.Errorf("entries not kept in order: %+v", parts)
	}
}
