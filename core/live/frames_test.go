package live

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/events"
)

// TestStatsComputedOncePerBurst: clients that join together share one
// statistics computation and one encoded message (a thousand screens
// reconnecting at once computed the statistics a thousand times, which
// took a 100,000-listing region's server to 5 GB: issue 16); an event
// makes the next client's statistics fresh.
func TestStatsComputedOncePerBurst(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	h := NewHub(func(string) ([]byte, error) {
		calls.Add(1)
		<-release
		return []byte(`{"n":1}`), nil
	})
	const n = 50
	subs := make([]*Subscription, n)
	var wg sync.WaitGroup
	for i := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := h.Join("A", "", Caps{})
			if err != nil {
				t.Error(err)
				return
			}
			subs[i] = s
		}()
	}
	time.Sleep(50 * time.Millisecond) // let them all wait for the one computation
	close(release)
	wg.Wait()
	if c := calls.Load(); c != 1 {
		t.Fatalf("statistics computed %d times for %d clients joining together, want 1", c, n)
	}
	for _, s := range subs {
		if s == nil || s.First != subs[0].First {
			t.Fatal("clients joining together must share one encoded statistics message")
		}
	}
	if s, _ := h.Join("A", "", Caps{}); s.First != subs[0].First || calls.Load() != 1 {
		t.Fatalf("a client within StatsReuse recomputed the statistics (%d calls)", calls.Load())
	}
	h.OnEvent(events.Envelope{TenantID: "A", Event: events.ListingClosed{ListingID: "x"}})
	if s, _ := h.Join("A", "", Caps{}); s.First == subs[0].First || calls.Load() != 2 {
		t.Fatalf("after an event a new client got the old statistics (%d calls)", calls.Load())
	}
	if s, _ := h.Join("B", "", Caps{}); s.First == nil || calls.Load() != 3 {
		t.Fatal("another region shares no statistics")
	}
}

// TestFramesSharedAndHeartbeat: an event is encoded once for all of its
// clients, and the hub beats every stream's heartbeat.
func TestFramesSharedAndHeartbeat(t *testing.T) {
	old := Heartbeat
	Heartbeat = 20 * time.Millisecond
	defer func() { Heartbeat = old }()
	h := NewHub(nil)
	defer h.Close()
	a, _ := h.add("A")
	b, _ := h.add("A")
	h.OnEvent(events.Envelope{TenantID: "A", Event: events.ListingClosed{ListingID: "x"}})
	fa, fb := <-a.ch, <-b.ch
	if fa != fb || len(fa.Bytes()) == 0 {
		t.Fatal("one event must be one frame shared by its clients")
	}
	select {
	case f := <-a.ch:
		if f != Ping {
			t.Fatalf("want the heartbeat, got %q", f.Bytes())
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no heartbeat")
	}
}
