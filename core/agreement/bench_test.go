package agreement_test

import (
	"context"
	"io"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// BenchmarkSignedAgreementPDF: a signed agreement's PDF (read, render the
// sealed text, both signatures and the hash) in under 300 ms
// (docs/PERFORMANCE.md).
func BenchmarkSignedAgreementPDF(b *testing.B) {
	e := apitest.New(b, "sqlite")
	w := newWorld(b, e)
	ag, err := w.s.Create(w.kari, w.input(20000))
	if err != nil {
		b.Fatal(err)
	}
	steps := []func() error{
		func() error { _, err := w.s.Propose(w.kari, ag.ID); return err },
		func() error { _, err := w.s.Accept(w.ola, ag.ID, 1); return err },
		func() error { _, err := w.s.Sign(w.kari, ag.ID, 1); return err },
		func() error { _, err := w.s.Sign(w.ola, ag.ID, 1); return err },
	}
	for _, st := range steps {
		if err := st(); err != nil {
			b.Fatal(err)
		}
	}
	var ctx context.Context = w.kari
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.s.PDF(ctx, ag.ID, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
