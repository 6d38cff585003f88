package webhook_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/crmkit/crm/internal/webhook"
)

// TestBlocked checks the address classifier with a table: no traffic is
// sent anywhere.
func TestBlocked(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name    string
		addr    string
		blocked bool
		block   string // part of the reason, when blocked
	}{
		{"Alibaba Cloud metadata service (shared address space)", "100.100.100.200", true, "100.64.0.0/10"},
		{"carrier-grade NAT, first address", "100.64.0.0", true, "100.64.0.0/10"},
		{"carrier-grade NAT, last address", "100.127.255.255", true, "100.64.0.0/10"},
		{"just below the shared address space", "100.63.255.255", false, ""},
		{"just above the shared address space", "100.128.0.0", false, ""},
		{"cloud metadata (link-local)", "169.254.169.254", true, "169.254.0.0/16"},
		{"this network", "0.0.0.0", true, "0.0.0.0/8"},
		{"this network, other host", "0.1.2.3", true, "0.0.0.0/8"},
		{"private 10/8", "10.0.0.1", true, "10.0.0.0/8"},
		{"loopback", "127.0.0.1", true, "127.0.0.0/8"},
		{"loopback, far end", "127.255.255.254", true, "127.0.0.0/8"},
		{"private 172.16/12", "172.31.255.1", true, "172.16.0.0/12"},
		{"not private: 172.32", "172.32.0.1", false, ""},
		{"IETF protocol assignments", "192.0.0.8", true, "192.0.0.0/24"},
		{"NAT64 discovery", "192.0.0.170", true, "192.0.0.0/24"},
		{"TEST-NET-1", "192.0.2.10", true, "192.0.2.0/24"},
		{"AS112-v4", "192.31.196.1", true, "192.31.196.0/24"},
		{"AMT", "192.52.193.1", true, "192.52.193.0/24"},
		{"6to4 relay anycast", "192.88.99.1", true, "192.88.99.0/24"},
		{"private 192.168/16", "192.168.1.1", true, "192.168.0.0/16"},
		{"AS112 direct delegation", "192.175.48.6", true, "192.175.48.0/24"},
		{"benchmarking", "198.19.0.1", true, "198.18.0.0/15"},
		{"TEST-NET-2", "198.51.100.7", true, "198.51.100.0/24"},
		{"TEST-NET-3", "203.0.113.9", true, "203.0.113.0/24"},
		{"multicast", "224.0.0.251", true, "224.0.0.0/4"},
		{"reserved", "240.0.0.1", true, "240.0.0.0/4"},
		{"broadcast", "255.255.255.255", true, "240.0.0.0/4"},
		{"public: Alibaba DNS", "223.5.5.5", false, ""},
		{"public: DNSPod", "119.29.29.29", false, ""},
		{"public: 8.8.8.8", "8.8.8.8", false, ""},

		{"IPv6 unspecified", "::", true, "::/128"},
		{"IPv6 loopback", "::1", true, "::1/128"},
		{"IPv4-mapped loopback", "::ffff:127.0.0.1", true, "127.0.0.0/8"},
		{"IPv4-mapped shared address space", "::ffff:100.100.100.200", true, "100.64.0.0/10"},
		{"IPv4-mapped public", "::ffff:223.5.5.5", false, ""},
		{"IPv4-compatible (deprecated)", "::10.0.0.1", true, "::/96"},
		{"IPv4-translated", "::ffff:0:10.0.0.1", true, "::ffff:0:0:0/96"},
		{"NAT64 of a private address", "64:ff9b::10.0.0.1", true, "NAT64 of 10.0.0.0/8"},
		{"NAT64 of the metadata service", "64:ff9b::a9fe:a9fe", true, "NAT64 of 169.254.0.0/16"},
		{"NAT64 of a public address", "64:ff9b::223.5.5.5", false, ""},
		{"local-use translation", "64:ff9b:1::1", true, "64:ff9b:1::/48"},
		{"discard-only", "100::1", true, "100::/64"},
		{"dummy prefix", "100:0:0:1::1", true, "100:0:0:1::/64"},
		{"Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2", true, "2001::/23"},
		{"IPv6 benchmarking", "2001:2::1", true, "2001::/23"},
		{"ORCHIDv2", "2001:20::1", true, "2001::/23"},
		{"IPv6 documentation", "2001:db8::1", true, "2001:db8::/32"},
		{"6to4", "2002:c000:0204::1", true, "2002::/16"},
		{"AS112 v6 delegation", "2620:4f:8000::1", true, "2620:4f:8000::/48"},
		{"documentation 3fff::/20", "3fff:0fff::1", true, "3fff::/20"},
		{"SRv6 SIDs", "5f00::1", true, "5f00::/16"},
		{"unique local", "fd12:3456:789a::1", true, "fc00::/7"},
		{"link-local", "fe80::1", true, "fe80::/10"},
		{"link-local with a zone", "fe80::1%eth0", true, "fe80::/10"},
		{"site-local (deprecated)", "fec0::1", true, "fec0::/10"},
		{"multicast v6", "ff02::1", true, "ff00::/8"},
		{"public v6: Alibaba DNS", "2400:3200::1", false, ""},
		{"public v6: Google", "2001:4860:4860::8888", false, ""},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			block, blocked := webhook.Blocked(netip.MustParseAddr(s.addr))
			assert.Equal(t, s.blocked, blocked, "%s: %s", s.addr, block)
			if s.blocked {
				assert.Contains(t, block, s.block)
			}
		})
	}
	_, blocked := webhook.Blocked(netip.Addr{})
	assert.True(t, blocked, "the zero address")
}
