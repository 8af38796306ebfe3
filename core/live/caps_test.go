package live

import (
	"errors"
	"testing"
)

// TestLiveCapsPerClientAndTenantM6: one address cannot hold more than its
// share of streams (a further one replaces its oldest), one region cannot
// take the instance's (503 beyond), and a closed stream frees its place.
func TestLiveCapsPerClientAndTenantM6(t *testing.T) {
	h := NewHub(nil)
	h.MaxClients = 5
	caps := Caps{PerAddr: 2, PerTenant: 3}
	join := func(tenant, addr string) (*Subscription, error) { return h.Join(tenant, addr, caps) }
	a1, err := join("t1", "198.51.100.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := join("t2", "198.51.100.1"); err != nil {
		t.Fatal(err)
	}
	a3, err := join("t3", "198.51.100.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, open := <-a1.C; open || h.Clients() != 2 || len(h.byAddr["198.51.100.1"]) != 2 {
		t.Fatalf("a third stream from one address did not replace its oldest: %d streams", h.Clients())
	}
	for i := 0; i < 2; i++ {
		if _, err := join("t1", "198.51.100."+string(rune('2'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := join("t1", "198.51.100.9"); err != nil {
		t.Fatal(err)
	}
	if _, err := join("t1", "198.51.100.8"); !errors.Is(err, ErrFull) {
		t.Fatalf("a fourth stream for one region: %v", err)
	}
	if h.Clients() != 5 {
		t.Fatalf("%d streams", h.Clients())
	}
	if _, err := join("t4", "198.51.100.10"); !errors.Is(err, ErrFull) {
		t.Fatalf("beyond the instance's maximum: %v", err)
	}
	a3.Close()
	if _, err := join("t4", "198.51.100.10"); err != nil {
		t.Fatalf("a closed stream did not free its place: %v", err)
	}
	if h.Clients() != 5 || len(h.byAddr) != 5 {
		t.Fatalf("clients %d, addresses %d", h.Clients(), len(h.byAddr))
	}
}
