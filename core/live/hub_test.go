package live

import (
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/events"
)

func TestHubFanOutPerTenant(t *testing.T) {
	h := NewHub(nil)
	a, _ := h.add("A")
	b, _ := h.add("B")
	h.OnEvent(events.Envelope{TenantID: "A", Event: events.ListingPublished{ListingID: "x", Kind: "need", Listing: []byte(`{"id":"x"}`)}})
	h.OnEvent(events.Envelope{TenantID: "A", Event: events.TenantChanged{TenantID: "A"}})                                     // not for live views
	h.OnEvent(events.Envelope{TenantID: "A", Event: events.ListingPublished{ListingID: "z", Kind: "need", Rediscover: true}}) // nothing new to show
	h.OnEvent(events.Envelope{TenantID: "A", Event: events.ListingPublished{ListingID: "y", Kind: "need", Fractions: []string{"sand"}, MembersOnly: true}})
	if len(a.ch) != 2 || len(b.ch) != 0 {
		t.Fatalf("A got %d, B got %d; want 2 and 0", len(a.ch), len(b.ch))
	}
	msg := string((<-a.ch).Bytes())
	if want := "event: listing.published\ndata: {\"at\":\"0001-01-01T00:00:00Z\",\"data\":{\"id\":\"x\",\"kind\":\"need\",\"listing\":{\"id\":\"x\"}}}\n\n"; !strings.HasSuffix(msg, want) {
		t.Fatalf("message: %q", msg)
	}
	// A members-only listing is announced with its fractions only.
	if msg := string((<-a.ch).Bytes()); !strings.Contains(msg, `"data":{"id":"y","kind":"need","fractions":["sand"],"members_only":true}}`) {
		t.Fatalf("members-only message: %q", msg)
	}
}

func TestHubDropsSlowClients(t *testing.T) {
	h := NewHub(nil)
	slow, _ := h.add("A")
	for i := 0; i < ClientBuffer+5; i++ { // never read
		h.OnEvent(events.Envelope{TenantID: "A", Event: events.MatchFound{}})
	}
	n := 0
	for range slow.ch { // closed after the buffer filled
		n++
	}
	if n != ClientBuffer {
		t.Fatalf("read %d queued messages, want %d before the drop", n, ClientBuffer)
	}
	h.remove("A", slow)
	if h.Clients() != 0 {
		t.Fatalf("%d clients left", h.Clients())
	}
}

func TestHubLimitAndClose(t *testing.T) {
	h := NewHub(nil)
	h.MaxClients = 2
	c1, _ := h.add("A")
	if _, err := h.add("B"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.add("A"); err != ErrFull {
		t.Fatalf("third client: %v, want ErrFull", err)
	}
	h.Close()
	if _, ok := <-c1.ch; ok {
		t.Fatal("Close must end every stream")
	}
	if _, err := h.add("A"); err != ErrFull {
		t.Fatal("a closed hub takes no clients")
	}
}

// TestMatchFoundPublicM2: the open live view says only that a match exists
// when a members-only listing is party to it, and gives the other figures
// to two significant digits (issue 10, M2/M3).
func TestMatchFoundPublicM2(t *testing.T) {
	h := NewHub(nil)
	a, _ := h.add("A")
	h.OnEvent(events.Envelope{TenantID: "A", Event: events.MatchFound{ListingID: "x", CounterpartID: "y", Band: "1 000–5 000 t", KgCO2ePerTonne: 1.23456, SavingKgCO2e: 23292.63, Fraction: "sand", Via: "direct"}})
	h.OnEvent(events.Envelope{TenantID: "A", Event: events.MatchFound{ListingID: "x", CounterpartID: "z", KgCO2ePerTonne: 1.5, SavingKgCO2e: 10, MembersOnly: true}})
	msg := string((<-a.ch).Bytes())
	if !strings.Contains(msg, `"kg_co2e_per_tonne":1.2,`) || !strings.Contains(msg, `"saving_kg_co2e":23000,`) || strings.Contains(msg, "23292") {
		t.Fatalf("public match: %q", msg)
	}
	if msg := string((<-a.ch).Bytes()); !strings.Contains(msg, `"data":{"members_only":true}}`) || strings.Contains(msg, `"z"`) {
		t.Fatalf("members-only match: %q", msg)
	}
}

// TestAgreementSealedIsCoarse: the open live view announces a new agreement
// with the fraction, the tonnes to two significant digits and whole km; no
// parties, no price, no hash.
func TestAgreementSealedIsCoarse(t *testing.T) {
	h := NewHub(nil)
	a, _ := h.add("A")
	h.OnEvent(events.Envelope{TenantID: "A", Event: events.AgreementSealed{Fraction: "sprengstein", Tonnes: 1234, DistanceKm: 7.4, Hash: "abc123"}})
	msg := string((<-a.ch).Bytes())
	if !strings.Contains(msg, `"tonnes":1200`) || !strings.Contains(msg, `"distance_km":7}`) || strings.Contains(msg, "1234") || strings.Contains(msg, "abc123") || !strings.Contains(msg, "sprengstein") {
		t.Fatalf("public agreement: %q", msg)
	}
}
