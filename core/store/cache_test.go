package store

import (
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	c := NewCache[string](50*time.Millisecond, 2)
	g := Generation("t1")
	c.Put("a", g, "A")
	if v, ok := c.Get("a", g); !ok || v != "A" {
		t.Fatal("miss")
	}
	BumpGeneration("t1")
	if _, ok := c.Get("a", Generation("t1")); ok {
		t.Fatal("a write must invalidate")
	}
	g = Generation("t1")
	c.Put("b", g, "B")
	time.Sleep(60 * time.Millisecond)
	if _, ok := c.Get("b", g); ok {
		t.Fatal("TTL must expire")
	}
	c.Put("c", g, "C")
	c.Put("d", g, "D")
	c.Put("e", g, "E")
	if len(c.m) > 2 {
		t.Fatalf("cache grew to %d", len(c.m))
	}
	if Generation("t2") != Generation("t2") {
		t.Fatal("unstable")
	}
}
