package bench

import (
	"context"
	"os"
	"testing"
)

func TestRunSmall(t *testing.T) {
	rep, err := Run(context.Background(), Options{Feeds: 30, Queries: 50, Changed: 1, Unchanged: 1, NaiveFeeds: 5, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	rep.WriteText(os.Stdout)
}
