// Package migrate loads the versioned SQL migrations that the store
// drivers embed, and decides which of them a database still needs.
package migrate

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"

	"github.com/newshound/newshound/store"
)

// Migration is one schema change: a file named NNNN_name.sql.
type Migration struct {
	Version int
	Name    string // file name, e.g. "0001_init.sql"
	SQL     string
}

var fileName = regexp.MustCompile(`^(\d+)_[A-Za-z0-9_]+\.sql$`)

// Load reads every *.sql file directly in dir of fsys and returns them
// sorted by version. Every file must be named NNNN_name.sql with a
// positive, unique version.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrate: read %s: %w", dir, err)
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migrate: %s: name is not NNNN_name.sql", e.Name())
		}
		v, err := strconv.Atoi(m[1])
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migrate: %s: version must be a positive number", e.Name())
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrate: %s and %s share version %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migrate: read %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(body)})
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("migrate: no migrations in %s", dir)
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	return ms, nil
}

// Pending returns the migrations of known whose versions are not in
// applied, in version order. A database that records a version higher
// than the last known one was written by a newer binary: Pending then
// fails with an error wrapping store.ErrNewerSchema.
func Pending(known []Migration, applied []int) ([]Migration, error) {
	latest := known[len(known)-1].Version
	done := map[int]bool{}
	for _, v := range applied {
		if v > latest {
			return nil, fmt.Errorf("migrate: database is at schema version %d, this binary knows up to %d: %w",
				v, latest, store.ErrNewerSchema)
		}
		done[v] = true
	}
	var todo []Migration
	for _, m := range known {
		if !done[m.Version] {
			todo = append(todo, m)
		}
	}
	return todo, nil
}
