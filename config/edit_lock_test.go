//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/newshound/newshound/internal/testmain"
	"time"
)

// helperEnv, when set in a test binary's environment, makes it an editing
// process for TestEditorAcrossProcesses instead of running tests:
// "PATH|PREFIX|N" adds keywords PREFIX0 … PREFIX(N-1) to watch chips.
const helperEnv = "NEWSHOUND_TEST_EDIT_HELPER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(helperEnv); spec != "" {
		os.Exit(editHelper(spec))
	}
	testmain.Main(m)
}

func editHelper(spec string) int {
	parts := strings.Split(spec, "|")
	n, err := strconv.Atoi(parts[2])
	if len(parts) != 3 || err != nil {
		fmt.Fprintln(os.Stderr, "bad helper spec", spec)
		return 2
	}
	for i := range n {
		ed := &Editor{Path: parts[0], Getenv: tokens}
		q := fmt.Sprintf("%s%d", parts[1], i)
		if _, err := ed.Update(context.Background(), func(d *Doc) error { return d.AddKeyword("chips", q) }); err != nil {
			fmt.Fprintln(os.Stderr, q, err)
			return 1
		}
	}
	return 0
}

// Two other processes and this one edit the same file at once; the
// advisory lock serializes them and every edit lands.
func TestEditorAcrossProcesses(t *testing.T) {
	t.Parallel() // its own files only; it waits on fsync and the lock more than it computes
	exe, err := os.Executable()
	if err != nil {
		t.Skip("no test binary path:", err)
	}
	const n = 15
	path := writeFixture(t, 0o644)
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for _, prefix := range []string{"a", "b"} {
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), helperEnv+"="+path+"|"+prefix+"|"+strconv.Itoa(n))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &out)
	}
	if code := editHelper(path + "|c|" + strconv.Itoa(n)); code != 0 {
		t.Errorf("this process's edits failed")
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper %d: %v\n%s", i, err, outs[i])
		}
	}
	got := readRaw(t, mustRead(t, path)).keywords("chips")
	if len(got) != 3+3*n {
		t.Errorf("%d keywords, want %d: %d edits lost", len(got), 3+3*n, 3+3*n-len(got))
	}
}

// The lock waits for its holder, gives up when the context ends, and
// leaves no file behind.
func TestLockFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "w.yaml.lock")
	unlock, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := lockFile(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second lock while held: %v, want the context's error", err)
	}
	got := make(chan func(), 1)
	go func() {
		u, err := lockFile(context.Background(), path)
		if err != nil {
			t.Error(err)
		}
		got <- u
	}()
	unlock()
	(<-got)()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left behind: %v", err)
	}
}
