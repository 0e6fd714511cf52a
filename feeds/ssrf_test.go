package feeds

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestIsPublic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"93.184.216.34", true},
		{"8.8.8.8", true},
		{"2606:4700:4700::1111", true},
		{"64:ff9b::808:808", true},     // NAT64 of 8.8.8.8
		{"2002:5db8:d822::1", true},    // 6to4 of 93.184.216.34
		{"::ffff:93.184.216.34", true}, // IPv4-mapped
		{"127.0.0.1", false},
		{"127.255.0.9", false},
		{"10.0.0.1", false},
		{"172.16.5.4", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"100.64.0.1", false},      // CGNAT
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"192.0.0.170", false},
		{"198.18.0.1", false},
		{"224.0.0.1", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},
		{"::", false},
		{"::1", false},
		{"fd00:ec2::254", false}, // AWS IPv6 metadata
		{"fc00::1", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"ff02::1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.0.0.1", false},
		{"64:ff9b::7f00:1", false},    // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", false}, // NAT64 of 169.254.169.254
		{"2002:7f00:1::1", false},     // 6to4 of 127.0.0.1
		{"::127.0.0.1", false},        // IPv4-compatible
	} {
		t.Run(tc.addr, func(t *testing.T) {
			if got := IsPublic(netip.MustParseAddr(tc.addr)); got != tc.want {
				t.Errorf("IsPublic(%s) = %v, want %v", tc.addr, got, tc.want)
			}
		})
	}
}

func TestCheckPublicURL(t *testing.T) {
	t.Parallel()
	lookup := fakeLookup(map[string][]string{
		"public.example":  {"93.184.216.34"},
		"mixed.example":   {"93.184.216.34", "192.168.0.10"},
		"private.example": {"10.0.0.7"},
	})
	for _, tc := range []struct{ url, want string }{
		{"https://public.example/rss", ""},
		{"http://127.0.0.1/feed", "feeds: http://127.0.0.1/feed: address 127.0.0.1 is not public"},
		{"http://[::1]:8080/", "feeds: http://[::1]:8080/: address ::1 is not public"},
		{"https://mixed.example/", "address 192.168.0.10 is not public"},
		{"https://private.example/?token=abc", "feeds: https://private.example/?token=redacted: address 10.0.0.7 is not public"},
		{"http://169.254.169.254/latest/meta-data/", "address 169.254.169.254 is not public"},
		{"https://unknown.example/", "resolve unknown.example"},
		{"gopher://public.example/", "not an http or https URL"},
		{"/relative", "not an http or https URL"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			err := CheckPublicURL(context.Background(), tc.url, lookup)
			if tc.want == "" {
				if err != nil {
					t.Errorf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(tc.want, "not public") && !errors.Is(err, ErrNotPublic) {
				t.Errorf("err = %v does not match ErrNotPublic", err)
			}
		})
	}
}

func TestPublicOnlyControl(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"93.184.216.34:443", true},
		{"127.0.0.1:80", false},
		{"[::ffff:10.0.0.1]:80", false},
		{"[fd00:ec2::254]:80", false},
	} {
		if err := publicOnly("tcp", tc.addr, nil); (err == nil) != tc.ok {
			t.Errorf("publicOnly(%s) = %v, want ok=%v", tc.addr, err, tc.ok)
		}
	}
}
