package events

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/internal/testenv"
)

func TestPGBridge(t *testing.T) {
	dsn := os.Getenv("MASSEFLYT_TEST_POSTGRES")
	if dsn == "" {
		testenv.Need(t, "no PostgreSQL (MASSEFLYT_TEST_POSTGRES is not set; run `make test`)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type rec struct {
		mu  sync.Mutex
		got []Event
	}
	var one, two rec
	b1, b2 := &Bus{}, &Bus{}
	b1.Subscribe(func(e Event) { one.mu.Lock(); one.got = append(one.got, e); one.mu.Unlock() })
	b2.Subscribe(func(e Event) { two.mu.Lock(); two.got = append(two.got, e); two.mu.Unlock() })
	br1, err := StartPGBridge(ctx, dsn, b1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer br1.Close()
	br2, err := StartPGBridge(ctx, dsn, b2, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer br2.Close()
	big := make([]byte, 9000) // over NOTIFY's 8000-byte limit: sent without data
	for i := range big {
		big[i] = 'x'
	}
	b1.Publish(Event{Type: ListingPublished, TenantID: "t1", Data: map[string]any{"id": "L1"}})
	b1.Publish(Event{Type: MatchFound, TenantID: "t1", Data: map[string]any{"blob": string(big)}})
	deadline := time.Now().Add(5 * time.Second)
	for {
		two.mu.Lock()
		n := len(two.got)
		two.mu.Unlock()
		if n >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // anything duplicated would have arrived
	two.mu.Lock()
	defer two.mu.Unlock()
	one.mu.Lock()
	defer one.mu.Unlock()
	if len(two.got) != 2 || two.got[0].Type != ListingPublished || two.got[0].Data["id"] != "L1" || two.got[1].Type != MatchFound {
		t.Fatalf("instance 2 got %+v", two.got)
	}
	if two.got[1].Data != nil {
		t.Fatal("an oversized event travels without its data")
	}
	if len(one.got) != 2 {
		t.Fatalf("instance 1 must see its own events once, got %d", len(one.got))
	}
}
