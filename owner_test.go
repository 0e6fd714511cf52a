package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestLeaseOwnerIsUniquePerProcess: owner ids carry NEWSHOUND_REPLICA as
// a readable prefix, the host and the pid, and a random part, so two
// processes (or two starts) never share one.
func TestLeaseOwnerIsUniquePerProcess(t *testing.T) {
	e := env{lookup: func(k string) (string, bool) {
		if k == "NEWSHOUND_REPLICA" {
			return "web-1", true
		}
		return "", false
	}}
	a, b := leaseOwner(e), leaseOwner(e)
	if a == b {
		t.Fatalf("two owner ids are both %q", a)
	}
	host, _ := os.Hostname()
	for _, id := range []string{a, b} {
		if !strings.HasPrefix(id, "web-1@"+host+"/"+strconv.Itoa(os.Getpid())+"/") {
			t.Errorf("owner %q lacks the prefix, host and pid", id)
		}
	}
	plain := leaseOwner(env{lookup: func(string) (string, bool) { return "", false }})
	if strings.Contains(plain, "@") || !strings.HasPrefix(plain, host+"/") {
		t.Errorf("owner without NEWSHOUND_REPLICA = %q", plain)
	}
}
