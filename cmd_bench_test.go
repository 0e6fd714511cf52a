package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/newshound/newshound/bench"
)

// runBench runs "newshound bench ARGS".
func runBench(args ...string) (code int, stdout, stderr string) {
	var out, errb strings.Builder
	e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, lookup: func(string) (string, bool) { return "", false }}
	code = Main(context.Background(), append([]string{"bench"}, args...), e)
	return code, out.String(), errb.String()
}

func TestBenchFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--feeds", "0"},
		{"--queries", "-1"},
		{"--interval", "10ms"},
		{"extra"},
		{"--growth", "10,x"},
	} {
		if code, _, stderr := runBench(args...); code != 2 || stderr == "" {
			t.Errorf("bench %v: exit %d, stderr %q; want 2 with a message", args, code, stderr)
		}
	}
	if code, stdout, _ := runBench("-h"); code != 0 || !strings.Contains(stdout, "--per-host") {
		t.Errorf("bench -h: exit %d, output %q", code, stdout)
	}
}

// TestBenchJSON runs the command on a few feeds served from the process
// and checks the JSON report; the bench package's tests check the
// figures themselves.
func TestBenchJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline")
	}
	code, stdout, stderr := runBench("--feeds", "10", "--queries", "20", "--interval", "1s", "--server-in-process", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("progress or messages on stderr when it is not a terminal: %q", stderr)
	}
	var rep bench.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, stdout)
	}
	var names []string
	for _, p := range rep.Phases {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, ","); got != "floor,cold,changed,changed,unchanged,naive" {
		t.Errorf("phases %s", got)
	}
	if rep.Feeds != 10 || rep.Queries != 20 || rep.Phases[1].NewItems == 0 {
		t.Errorf("report: %d feeds, %d queries, cold %+v", rep.Feeds, rep.Queries, rep.Phases[1])
	}
}
