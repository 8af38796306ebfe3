package tenants

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// fakeDNS answers TXT queries over UDP from records (name → values), and
// NXDOMAIN for anything else.
func fakeDNS(t *testing.T, records map[string][]string) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("no UDP on loopback: %v", err) // loopback always has it: a real failure
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := buf[:n]
			if len(q) < 12 {
				continue
			}
			// The question: labels up to the zero byte, then type and class.
			i, labels := 12, []string{}
			for i < len(q) && q[i] != 0 {
				l := int(q[i])
				labels = append(labels, string(q[i+1:i+1+l]))
				i += 1 + l
			}
			qend := i + 5
			if qend > len(q) {
				continue
			}
			name := strings.ToLower(strings.Join(labels, "."))
			qtype := binary.BigEndian.Uint16(q[i+1:])
			vals := records[name]
			resp := append([]byte{}, q[:2]...) // ID
			flags := uint16(0x8180)            // response, recursion desired and available
			if vals == nil {
				flags |= 3 // NXDOMAIN
			}
			if qtype != 16 {
				vals = nil
			}
			resp = binary.BigEndian.AppendUint16(resp, flags)
			resp = binary.BigEndian.AppendUint16(resp, 1)
			resp = binary.BigEndian.AppendUint16(resp, uint16(len(vals)))
			resp = append(resp, 0, 0, 0, 0)
			resp = append(resp, q[12:qend]...)
			for _, v := range vals {
				rdata := append([]byte{byte(len(v))}, v...)
				resp = append(resp, 0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60)
				resp = binary.BigEndian.AppendUint16(resp, uint16(len(rdata)))
				resp = append(resp, rdata...)
			}
			_, _ = pc.WriteTo(resp, addr)
		}
	}()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
}

// TestDomainClaimsH3DNS: the real verifier looks the token up in the TXT
// records of _masseflyt-challenge.<domain> (here through a fake DNS server).
func TestDomainClaimsH3DNS(t *testing.T) {
	r := fakeDNS(t, map[string][]string{
		"_masseflyt-challenge.masser.asker.test": {"some-other-verification", "mf-right"},
	})
	v := DNSVerifier{Resolver: r, Timeout: 2 * time.Second}
	ctx := context.Background()
	if err := v.VerifyDomain(ctx, "masser.asker.test", "mf-right"); err != nil {
		t.Fatalf("published token not found: %v", err)
	}
	if err := v.VerifyDomain(ctx, "masser.asker.test", "mf-wrong"); !errors.Is(err, ErrNotVerified) {
		t.Fatalf("wrong token: %v", err)
	}
	if err := v.VerifyDomain(ctx, "masser.other.test", "mf-right"); !errors.Is(err, ErrNotVerified) {
		t.Fatalf("no record: %v", err)
	}
}

// TestPlatformHostH3: the base domain, any name under it and the public
// host are the platform's; other names are not.
func TestPlatformHostH3(t *testing.T) {
	r := NewRegistry(nil, "masseflyt.no")
	r.SetPublicURL("https://app.masseflyt.example:8443/")
	for host, want := range map[string]bool{
		"masseflyt.no": true, "MASSEFLYT.NO.": true, "baerum.masseflyt.no": true, "future-region.masseflyt.no": true, "a.b.masseflyt.no": true,
		"app.masseflyt.example": true, "masser.baerum.kommune.no": false, "masseflyt.no.evil.test": false, "notmasseflyt.no": false,
	} {
		if got := r.platformHost(host); got != want {
			t.Errorf("platformHost(%q) = %v, want %v", host, got, want)
		}
		if got := errors.Is(r.DomainProblem("t1", host), ErrDomainPlatform); got != want {
			t.Errorf("DomainProblem(%q) platform = %v, want %v", host, got, want)
		}
	}
}
