package demo_test

import (
	"context"
	"testing"

	"github.com/masseflyt/masseflyt/internal/demo"
	"github.com/masseflyt/masseflyt/internal/seed"
	"github.com/masseflyt/masseflyt/internal/storetest"
)

// BenchmarkDemoSeed is the demo's seeding time on a fresh SQLite database
// (the figure in docs/PERFORMANCE.md): what `masseflyt serve --demo` does
// before it serves, without the outbox's background work.
//
//	go test ./internal/demo/ -run '^$' -bench DemoSeed -benchtime 3x
func BenchmarkDemoSeed(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := storetest.Open(b, storetest.SQLite)
		s, err := seed.OnDB(context.Background(), db)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := demo.Seed(context.Background(), s); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Roles.Close()
	}
}
