package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/newshound/newshound/store"
)

// RunWatchlists runs the conformance suite of store.Watchlists, for the
// stores that implement it. open must return a new, empty store (in its
// own namespace: a schema) for each call.
func RunWatchlists(t *testing.T, open func(t *testing.T) store.Watchlists) {
	// Each subtest has stores of its own, so they run in parallel.
	t.Run("Versions", func(t *testing.T) { t.Parallel(); testWatchlistVersions(t, open(t)) })
	t.Run("ConcurrentPut", func(t *testing.T) { t.Parallel(); testWatchlistConcurrentPut(t, open(t)) })
	t.Run("Listen", func(t *testing.T) { t.Parallel(); testWatchlistListen(t, open(t), open(t)) })
}

func testWatchlistVersions(t *testing.T, s store.Watchlists) {
	ctx := t.Context()
	if _, err := s.Watchlist(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Watchlist of an empty store: err = %v, want ErrNotFound", err)
	}
	first := []byte("# 팀 워치리스트\nfeeds: []  # 비어 있음\n")
	d1, err := s.PutWatchlist(ctx, 0, first, "seeded from watchlist.yaml")
	check(t, err)
	sum := sha256.Sum256(first)
	if d1.Version != 1 || string(d1.Text) != string(first) || d1.Hash != hex.EncodeToString(sum[:]) || d1.At.IsZero() {
		t.Errorf("first version = %+v", d1)
	}
	if _, err := s.PutWatchlist(ctx, 0, []byte("x: 1\n"), "late seed"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second put on version 0: err = %v, want ErrConflict", err)
	}
	if _, err := s.PutWatchlist(ctx, 2, []byte("x: 1\n"), "from the future"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a put on a version not saved yet: err = %v, want ErrConflict", err)
	}
	d2, err := s.PutWatchlist(ctx, 1, []byte("feeds: []\n"), "slack U1: /news add")
	check(t, err)
	if d2.Version != 2 {
		t.Errorf("second version = %d, want 2", d2.Version)
	}
	head, err := s.Watchlist(ctx)
	check(t, err)
	if head.Version != 2 || string(head.Text) != "feeds: []\n" || head.By != "slack U1: /news add" || head.Hash != d2.Hash || !head.At.Equal(d2.At) {
		t.Errorf("latest = %+v, want %+v", head, d2)
	}
	old, err := s.WatchlistVersion(ctx, 1)
	check(t, err)
	if string(old.Text) != string(first) || old.By != "seeded from watchlist.yaml" {
		t.Errorf("version 1 = %+v", old)
	}
	if _, err := s.WatchlistVersion(ctx, 3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("version 3: err = %v, want ErrNotFound", err)
	}
	hist, err := s.WatchlistHistory(ctx, 0)
	check(t, err)
	if len(hist) != 2 || hist[0].Version != 2 || hist[1].Version != 1 {
		t.Errorf("history = %+v, want versions 2, 1", hist)
	}
	hist, err = s.WatchlistHistory(ctx, 1)
	check(t, err)
	if len(hist) != 1 || hist[0].Version != 2 {
		t.Errorf("history limited to 1 = %+v", hist)
	}
}

// testWatchlistConcurrentPut: of several saves on the same version
// exactly one wins; the others get ErrConflict.
func testWatchlistConcurrentPut(t *testing.T, s store.Watchlists) {
	ctx := t.Context()
	_, err := s.PutWatchlist(ctx, 0, []byte("v: 1\n"), "seed")
	check(t, err)
	var mu sync.Mutex
	won, conflicts := 0, 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := s.PutWatchlist(ctx, 1, []byte("v: 2\n"), "racer")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrConflict):
				conflicts++
			default:
				t.Errorf("PutWatchlist: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 || conflicts != 7 {
		t.Errorf("8 saves on one version: %d won, %d conflicts; want 1 and 7", won, conflicts)
	}
}

// testWatchlistListen: a listener hears the versions saved in its store,
// and nothing saved in another store (namespace) of the same database.
func testWatchlistListen(t *testing.T, s, other store.Watchlists) {
	ctx, cancel := context.WithCancel(t.Context())
	heard := make(chan int64, 100)
	done := make(chan error, 1)
	go func() { done <- s.ListenWatchlist(ctx, func(v int64) { heard <- v }) }()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("ListenWatchlist returned %v, want context.Canceled", err)
		}
	}()
	// The listener may not be listening yet: save until it hears.
	var base int64
	deadline := time.Now().Add(20 * time.Second)
	for listening := false; !listening; {
		if time.Now().After(deadline) {
			t.Fatal("the listener heard none of the saves")
		}
		d, err := s.PutWatchlist(ctx, base, []byte("v: x\n"), "test")
		check(t, err)
		base = d.Version
		select {
		case v := <-heard:
			listening = v <= base
		case <-time.After(200 * time.Millisecond):
		}
	}
	for len(heard) > 0 { // notifications of earlier saves, if late
		<-heard
	}
	_, err := other.PutWatchlist(ctx, 0, []byte("other: 1\n"), "another schema")
	check(t, err)
	d, err := s.PutWatchlist(ctx, base, []byte("v: last\n"), "test")
	check(t, err)
	select {
	case v := <-heard:
		if v != d.Version {
			t.Errorf("heard version %d, want %d (the other schema's save leaked?)", v, d.Version)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the listener did not hear the last save")
	}
}
