package feeds

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"
)

// ErrNotPublic is matched (errors.Is) by the error for a connection an
// untrusted source tried to make to a non-public address.
var ErrNotPublic = errors.New("address is not public")

// LookupFunc resolves a host name to its addresses.
type LookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)

// notPublicError names the refused address.
type notPublicError struct{ addr netip.Addr }

func (e notPublicError) Error() string        { return fmt.Sprintf("address %s is not public", e.addr) }
func (e notPublicError) Is(target error) bool { return target == ErrNotPublic }

// nonPublic lists the ranges an untrusted source may not reach: this
// network, private, shared (CGNAT), loopback, link-local (cloud metadata),
// IETF protocol, documentation, benchmarking, multicast, reserved and
// broadcast; for IPv6 also unspecified, loopback, discard, local-use NAT64,
// documentation, unique-local (fd00:ec2::254 metadata), site- and link-local,
// multicast and the deprecated IPv4-compatible block. IPv4-mapped, NAT64
// and 6to4 addresses are judged by the IPv4 address inside.
var nonPublic = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
		"198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
		"::/96", "::1/128", "100::/64", "64:ff9b:1::/48", "2001::/32", "2001:db8::/32",
		"fc00::/7", "fec0::/10", "fe80::/10", "ff00::/8",
	} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}()

var (
	nat64   = netip.MustParsePrefix("64:ff9b::/96")
	sixToFo = netip.MustParsePrefix("2002::/16")
)

// IsPublic reports whether addr is a globally routable unicast address that
// an untrusted feed URL may reach.
func IsPublic(addr netip.Addr) bool {
	addr = addr.Unmap().WithZone("")
	if !addr.IsValid() {
		return false
	}
	if addr.Is6() {
		b := addr.As16()
		switch {
		case nat64.Contains(addr):
			return IsPublic(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFo.Contains(addr):
			return IsPublic(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	for _, p := range nonPublic {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// CheckPublicURL refuses early, before any fetch, a URL an untrusted source
// may not use: a scheme other than http(s), or a host any of whose addresses
// is not public. lookup resolves names (nil: the system resolver). The
// fetcher checks again at connect time, so this is for a friendly message.
func CheckPublicURL(ctx context.Context, rawURL string, lookup LookupFunc) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("feeds: %s: invalid URL", redactURL(rawURL))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return fmt.Errorf("feeds: %s: not an http or https URL", redactURL(rawURL))
	}
	addrs, err := resolve(ctx, lookup, u.Hostname())
	if err != nil {
		return fmt.Errorf("feeds: %s: %w", redactURL(rawURL), err)
	}
	for _, a := range addrs {
		if !IsPublic(a) {
			return fmt.Errorf("feeds: %s: %w", redactURL(rawURL), notPublicError{a})
		}
	}
	return nil
}

// resolve returns the addresses of host, which may be an IP literal.
func resolve(ctx context.Context, lookup LookupFunc, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	if lookup == nil {
		lookup = systemLookup
	}
	addrs, err := lookup(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolve %s: no addresses", host)
	}
	return addrs, nil
}

// systemLookup is the default LookupFunc.
func systemLookup(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// publicOnly is a net.Dialer Control function that refuses to connect to a
// non-public address. It sees the address actually dialled, so DNS
// rebinding between a check and the connection cannot slip through.
func publicOnly(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	if !IsPublic(ap.Addr()) {
		return notPublicError{ap.Addr()}
	}
	return nil
}

// dialer connects to host:port through lookup, trying each address in turn.
// When guarded, non-public addresses are refused before dialling, and again
// by the socket Control hook.
type dialer struct {
	lookup  LookupFunc
	guarded bool
	net     net.Dialer
}

func (d *dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	addrs, err := resolve(ctx, d.lookup, host)
	if err != nil {
		return nil, err
	}
	var first error
	for _, a := range addrs {
		if d.guarded && !IsPublic(a) {
			first = cmpErr(first, notPublicError{a.Unmap()})
			continue
		}
		conn, err := d.net.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		first = cmpErr(first, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
