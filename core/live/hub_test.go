package live

import (
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/events"
)

func TestHubFanOutPerTenant(t *testing.T) {
	bus := &events.Bus{}
	h := NewHub(bus, nil)
	a, _ := h.add("A")
	b, _ := h.add("B")
	bus.Publish(events.Event{Type: events.ListingPublished, TenantID: "A", Data: map[string]any{"id": "x"}})
	bus.Publish(events.Event{Type: events.TenantChanged, TenantID: "A"}) // not for live views
	if len(a.ch) != 1 || len(b.ch) != 0 {
		t.Fatalf("A got %d, B got %d; want 1 and 0", len(a.ch), len(b.ch))
	}
	msg := string(<-a.ch)
	if want := "event: listing.published\ndata: {"; !strings.Contains(msg, want) || msg[len(msg)-2:] != "\n\n" {
		t.Fatalf("message: %q", msg)
	}
}

func TestHubDropsSlowClients(t *testing.T) {
	bus := &events.Bus{}
	h := NewHub(bus, nil)
	slow, _ := h.add("A")
	for i := 0; i < ClientBuffer+5; i++ { // never read
		bus.Publish(events.Event{Type: events.MatchFound, TenantID: "A"})
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
	h := NewHub(&events.Bus{}, nil)
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
