package ledger

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"testing"
)

func signed(t testing.TB, n int) (ed25519.PublicKey, []sigItem, ed25519.PrivateKey) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	items := make([]sigItem, n)
	for i := range items {
		m := sha256.Sum256([]byte(fmt.Sprint(i)))
		items[i] = sigItem{msg: m[:], sig: ed25519.Sign(priv, m[:])}
	}
	return pub, items, priv
}

// TestVerifyBatch: a batch of good signatures passes; any one bad
// signature, message, key or encoding fails it.
func TestVerifyBatch(t *testing.T) {
	pub, items, _ := signed(t, batchSize)
	if !verifyBatch(pub, items) {
		t.Fatal("a good batch fails")
	}
	other, _, _ := ed25519.GenerateKey(nil)
	cases := []struct {
		name   string
		change func(it []sigItem)
		key    ed25519.PublicKey
	}{
		{"a flipped bit in s", func(it []sigItem) { it[7].sig[40] ^= 1 }, pub},
		{"a flipped bit in R", func(it []sigItem) { it[63].sig[3] ^= 1 }, pub},
		{"another message", func(it []sigItem) { it[0].msg = []byte("x") }, pub},
		{"two swapped signatures", func(it []sigItem) { it[1].sig, it[2].sig = it[2].sig, it[1].sig }, pub},
		{"s not reduced", func(it []sigItem) { it[5].sig[63] |= 0xf0 }, pub},
		{"R = identity", func(it []sigItem) { copy(it[9].sig[:32], append([]byte{1}, make([]byte, 31)...)) }, pub},
		{"short", func(it []sigItem) { it[4].sig = it[4].sig[:63] }, pub},
		{"another key", func(it []sigItem) {}, other},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, items, _ := signed(t, batchSize)
			if c.key != nil && c.name != "another key" {
				pub2 := pub
				_ = pub2
			}
			key := c.key
			if c.name != "another key" {
				key, items, _ = signed(t, batchSize)
			}
			c.change(items)
			if verifyBatch(key, items) {
				t.Fatal("a bad batch passes")
			}
		})
	}
	if !verifyBatch(pub, nil) {
		t.Fatal("an empty batch")
	}
}

func BenchmarkVerifyBatch(b *testing.B) {
	pub, items, _ := signed(b, batchSize)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !verifyBatch(pub, items) {
			b.Fatal("fails")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*batchSize), "µs/sig")
}
