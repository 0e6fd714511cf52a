package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"오픈소스", 10, "오픈소스"},
		{"오픈소스 정책 발표", 5, "오픈소스…"},
		{"abc", 0, ""},
		{"가나다라", 4, "가나다라"},
		{"가나다라마", 4, "가나다…"},
	}
	for _, tt := range tests {
		got := Truncate(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > max(tt.max, 0) {
			t.Errorf("Truncate(%q, %d) = %q: invalid or too long", tt.in, tt.max, got)
		}
	}
}

func TestTruncateUTF16(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("😀가", 10) // 3 UTF-16 units per pair
	for max := 1; max < 35; max++ {
		got := TruncateUTF16(s, max)
		if UTF16Len(got) > max || !utf8.ValidString(got) {
			t.Errorf("max %d: %q has %d units", max, got, UTF16Len(got))
		}
	}
	if got := TruncateUTF16("짧다", 10); got != "짧다" {
		t.Errorf("short text changed: %q", got)
	}
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	base := errors.New("x")
	tests := []struct {
		err   error
		retry bool
		after time.Duration
	}{
		{Retry(base, 2*time.Second), true, 2 * time.Second},
		{fmt.Errorf("wrapped: %w", Retry(base, 0)), true, 0},
		{Permanent(base), false, 0},
		{base, true, 0},
		{nil, false, 0},
	}
	for _, tt := range tests {
		r, a := Retryable(tt.err)
		if r != tt.retry || a != tt.after {
			t.Errorf("Retryable(%v) = %v, %v; want %v, %v", tt.err, r, a, tt.retry, tt.after)
		}
	}
}

// fakeTime drives a Pacer without waiting.
type fakeTime struct{ now time.Time }

func (f *fakeTime) Now() time.Time { return f.now }
func (f *fakeTime) Sleep(ctx context.Context, d time.Duration) error {
	f.now = f.now.Add(d)
	return ctx.Err()
}

func TestPacer(t *testing.T) {
	t.Parallel()
	ft := &fakeTime{now: time.Unix(1_700_000_000, 0)}
	p := &Pacer{Burst: 2, Window: time.Second, Now: ft.Now, Sleep: ft.Sleep}
	start := ft.now
	var at []time.Duration
	for range 5 {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		at = append(at, ft.now.Sub(start))
	}
	want := []time.Duration{0, 0, time.Second, time.Second, 2 * time.Second}
	if fmt.Sprint(at) != fmt.Sprint(want) {
		t.Errorf("send times %v, want %v", at, want)
	}
	p.Block(ft.now.Add(5 * time.Second))
	before := ft.now
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ft.now.Sub(before) < 5*time.Second {
		t.Errorf("Block not honoured: waited %v", ft.now.Sub(before))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p.Block(ft.now.Add(time.Hour))
	if err := p.Wait(ctx); err == nil {
		t.Error("Wait ignored a cancelled context")
	}
	var unpaced Pacer
	for range 1000 {
		_ = unpaced.Wait(context.Background())
	}
	if len(unpaced.sent) != 0 {
		t.Errorf("an unpaced Pacer remembers %d sends", len(unpaced.sent))
	}
}

func TestTextChunks(t *testing.T) {
	t.Parallel()
	text := "■ 트럼프: 40 matches\n  per day: 1 · 2\n\n■ 반도체: 3 matches\n" + strings.Repeat("가", 30) + "\n"
	got := TextChunks(text, 25)
	want := []string{"■ 트럼프: 40 matches", "  per day: 1 · 2\n", "■ 반도체: 3 matches", strings.Repeat("가", 24) + "…"}
	if !slices.Equal(got, want) {
		t.Fatalf("TextChunks = %q\nwant %q", got, want)
	}
	for _, c := range got {
		if UTF16Len(c) > 25 {
			t.Errorf("chunk %q is longer than 25", c)
		}
	}
	if got := TextChunks("", 10); len(got) != 0 {
		t.Errorf("empty text: %q", got)
	}
	m := Message{Header: "Report", Text: text, Image: &Image{Name: "r.png"}}
	parts := TextParts(m, 25, func(i, n int) string { return fmt.Sprintf("Report (%d/%d)", i, n) })
	if len(parts) != 4 || parts[0].Image == nil || parts[1].Image != nil || parts[3].Header != "Report (4/4)" {
		t.Errorf("TextParts = %+v", parts)
	}
	if one := TextParts(Message{Header: "h", Text: "short"}, 25, nil); len(one) != 1 || one[0].Header != "h" {
		t.Errorf("TextParts of a short text = %+v", one)
	}
}
