package webhook

import (
	"net/netip"
)

// Addresses webhooks may not reach: every block of the IANA special-purpose
// address registries (IPv4 and IPv6, as of 2026), whether the registry
// calls it globally reachable or not. A tenant names a webhook URL; the
// server must not become its way into the network it runs in, nor into a
// cloud's metadata service (Alibaba Cloud answers at 100.100.100.200, in
// the shared address space of carrier-grade NAT; AWS, GCP and Azure at
// 169.254.169.254, link-local). Anycast services in the registry (AS112,
// AMT, PCP, TURN) are no webhook receivers either, so the blocks are
// refused whole.
//
// Addresses that carry an IPv4 address (IPv4-mapped ::ffff:a.b.c.d and
// the NAT64 well-known prefix 64:ff9b::/96) are judged by that IPv4
// address, so that a public IPv4 receiver stays reachable from an
// IPv6-only network with NAT64, and a private one does not become
// reachable by being written in IPv6.
type specialBlock struct {
	prefix netip.Prefix
	name   string
}

var specialBlocks = func() []specialBlock {
	list := []struct{ cidr, name string }{
		// IPv4 (RFC 6890 and the registry's later entries).
		{"0.0.0.0/8", "\"this network\" (RFC 791)"},
		{"10.0.0.0/8", "private network (RFC 1918)"},
		{"100.64.0.0/10", "shared address space of carrier-grade NAT (RFC 6598)"},
		{"127.0.0.0/8", "loopback (RFC 1122)"},
		{"169.254.0.0/16", "link-local (RFC 3927)"},
		{"172.16.0.0/12", "private network (RFC 1918)"},
		{"192.0.0.0/24", "IETF protocol assignments (RFC 6890)"},
		{"192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"},
		{"192.31.196.0/24", "AS112-v4 (RFC 7535)"},
		{"192.52.193.0/24", "AMT (RFC 7450)"},
		{"192.88.99.0/24", "deprecated 6to4 relay anycast (RFC 7526)"},
		{"192.168.0.0/16", "private network (RFC 1918)"},
		{"192.175.48.0/24", "direct delegation AS112 service (RFC 7534)"},
		{"198.18.0.0/15", "benchmarking (RFC 2544)"},
		{"198.51.100.0/24", "documentation TEST-NET-2 (RFC 5737)"},
		{"203.0.113.0/24", "documentation TEST-NET-3 (RFC 5737)"},
		{"224.0.0.0/4", "multicast (RFC 5771)"},
		{"240.0.0.0/4", "reserved (RFC 1112)"},
		{"255.255.255.255/32", "limited broadcast (RFC 919)"},
		// IPv6.
		{"::/128", "unspecified address (RFC 4291)"},
		{"::1/128", "loopback (RFC 4291)"},
		{"::/96", "deprecated IPv4-compatible address (RFC 4291)"},
		{"::ffff:0:0:0/96", "IPv4-translated address (RFC 2765)"},
		{"64:ff9b:1::/48", "local-use IPv4/IPv6 translation (RFC 8215)"},
		{"100::/64", "discard-only (RFC 6666)"},
		{"100:0:0:1::/64", "dummy prefix (RFC 9780)"},
		{"2001::/23", "IETF protocol assignments: Teredo, benchmarking, ORCHID, AMT, AS112 … (RFC 2928)"},
		{"2001:db8::/32", "documentation (RFC 3849)"},
		{"2002::/16", "6to4 (RFC 3056)"},
		{"2620:4f:8000::/48", "direct delegation AS112 service (RFC 7534)"},
		{"3fff::/20", "documentation (RFC 9637)"},
		{"5f00::/16", "segment routing SIDs (RFC 9602)"},
		{"fc00::/7", "unique local address (RFC 4193)"},
		{"fe80::/10", "link-local (RFC 4291)"},
		{"fec0::/10", "deprecated site-local (RFC 3879)"},
		{"ff00::/8", "multicast (RFC 4291)"},
	}
	out := make([]specialBlock, len(list))
	for i, b := range list {
		out[i] = specialBlock{prefix: netip.MustParsePrefix(b.cidr), name: b.name}
	}
	return out
}()

// nat64 is the well-known NAT64 prefix (RFC 6052); its addresses stand for
// the IPv4 address in their last 32 bits.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// Blocked reports whether webhooks may not reach addr and, if so, which
// special-purpose block it is in. An invalid address is blocked.
func Blocked(addr netip.Addr) (block string, blocked bool) {
	if !addr.IsValid() {
		return "not an IP address", true
	}
	addr = addr.WithZone("")
	if addr.Is4In6() {
		addr = addr.Unmap()
	}
	if nat64.Contains(addr) {
		b := addr.As16()
		if reason, no := Blocked(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})); no {
			return "NAT64 of " + reason, true
		}
		return "", false
	}
	for _, b := range specialBlocks {
		if b.prefix.Contains(addr) {
			return b.prefix.String() + " " + b.name, true
		}
	}
	return "", false
}
