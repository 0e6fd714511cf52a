// Package pgtest gives tests a PostgreSQL schema of their own on the test
// server: NEWSHOUND_TEST_PG_DSN, else postgres@127.0.0.1:5432/test.
package pgtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultDSN is the local test server used when NEWSHOUND_TEST_PG_DSN is
// not set.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Base returns the test server's DSN.
func Base() string {
	if dsn := os.Getenv("NEWSHOUND_TEST_PG_DSN"); dsn != "" {
		return dsn
	}
	return DefaultDSN
}

// Schema creates a schema with a random name, drops it at cleanup, and
// returns a DSN whose search_path points at it. It skips the test when no
// server answers.
func Schema(t testing.TB) string {
	t.Helper()
	base := Base()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Skipf("postgres not reachable (set NEWSHOUND_TEST_PG_DSN): %v", err)
	}
	defer conn.Close(context.Background())
	schema := "newshound_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithSearchPath(t, base, schema)
}

// WithSearchPath adds search_path to a URL or key=value DSN.
func WithSearchPath(t testing.TB, dsn, schema string) string {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " search_path=" + schema
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal("NEWSHOUND_TEST_PG_DSN is not a valid URL")
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
