package invoice

import (
	"io"
	"strconv"
	"testing"
)

// twenty is the fixture with 20 lines, the size docs/PERFORMANCE.md
// measures.
func twenty() Basis {
	b := fixture()
	for i := 3; i <= 20; i++ {
		l := b.Lines[i%2]
		l.ID = strconv.Itoa(i)
		b.Lines = append(b.Lines, l)
	}
	return b
}

func BenchmarkWriteCSV(b *testing.B) {
	basis := twenty()
	for i := 0; i < b.N; i++ {
		if err := WriteCSV(io.Discard, basis, "nb"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteXLSX(b *testing.B) {
	basis := twenty()
	for i := 0; i < b.N; i++ {
		if err := WriteXLSX(io.Discard, basis, "nb"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWritePDF: the brief asks for under 50 ms for 20 lines.
func BenchmarkWritePDF(b *testing.B) {
	basis := twenty()
	for i := 0; i < b.N; i++ {
		if err := WritePDF(io.Discard, basis, "nb"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteUBL(b *testing.B) {
	basis := twenty()
	for i := 0; i < b.N; i++ {
		if err := WriteUBL(io.Discard, basis); err != nil {
			b.Fatal(err)
		}
	}
}
