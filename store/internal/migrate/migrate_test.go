package migrate

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/newshound/newshound/store"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []int // versions, in order
		wantErr string
	}{
		{
			name: "sorted by version, not by name",
			files: fstest.MapFS{
				"m/0010_ten.sql":  {Data: []byte("ten")},
				"m/0002_two.sql":  {Data: []byte("two")},
				"m/1_one.sql":     {Data: []byte("one")},
				"m/README.md":     {Data: []byte("ignored")},
				"m/sub/9_sub.sql": {Data: []byte("ignored")},
			},
			want: []int{1, 2, 10},
		},
		{"bad name", fstest.MapFS{"m/init.sql": {}}, nil, "init.sql: name is not NNNN_name.sql"},
		{"zero version", fstest.MapFS{"m/0000_x.sql": {}}, nil, "positive"},
		{"duplicate", fstest.MapFS{"m/0001_a.sql": {}, "m/01_b.sql": {}}, nil, "share version 1"},
		{"empty", fstest.MapFS{"m/README.md": {}}, nil, "no migrations"},
		{"missing dir", fstest.MapFS{}, nil, "read m"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := Load(tc.files, "m")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.Version)
				if string(tc.files["m/"+m.Name].Data) != m.SQL {
					t.Errorf("%s: SQL %q", m.Name, m.SQL)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("versions %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPending(t *testing.T) {
	known := []Migration{{Version: 1}, {Version: 2}, {Version: 5}}
	tests := []struct {
		name    string
		applied []int
		want    []int
		newer   bool
	}{
		{"fresh", nil, []int{1, 2, 5}, false},
		{"partly", []int{1}, []int{2, 5}, false},
		{"gap", []int{1, 5}, []int{2}, false},
		{"current", []int{1, 2, 5}, nil, false},
		{"newer", []int{1, 2, 5, 6}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			todo, err := Pending(known, tc.applied)
			if tc.newer {
				if !errors.Is(err, store.ErrNewerSchema) || !strings.Contains(err.Error(), "version 6") {
					t.Fatalf("err = %v, want ErrNewerSchema naming version 6", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range todo {
				got = append(got, m.Version)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("pending %v, want %v", got, tc.want)
			}
		})
	}
}
