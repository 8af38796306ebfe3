package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"

	"filippo.io/edwards25519"
)

// Batch verification of Ed25519 signatures. Verify checks every entry's
// signature; one by one that is about 40 µs each, 4 s of CPU for a chain
// of 100 000. A batch checks n signatures (s_i, R_i) by one public key A
// over messages M_i with random 128-bit weights z_i in one multi-scalar
// multiplication:
//
//	[8]( [Σ z_i s_i] B − Σ [z_i] R_i − [Σ z_i k_i] A ) = 0,  k_i = SHA-512(R_i || A || M_i)
//
// which holds for valid signatures and fails, but with probability
// 2^-128, when any is invalid (the cofactored equation of RFC 8032 §5.1.7
// and ZIP 215). When a batch fails, its signatures are checked one by one
// with crypto/ed25519, so the report names exactly the bad ones.
//
// The one difference from crypto/ed25519's (cofactorless) check: a valid
// signature whose R was moved by a point of small order passes the batch.
// Such a change alters nothing signed (hash, message, key), so it does not
// hide a change to an event. R encodings that are not canonical, and s
// values not reduced mod L, are refused before the batch.

// batchSize is the signatures per multi-scalar multiplication.
const batchSize = 64

type sigItem struct {
	msg []byte
	sig []byte
}

// verifyBatch reports whether every signature in items verifies with pub.
func verifyBatch(pub ed25519.PublicKey, items []sigItem) bool {
	if len(items) == 0 {
		return true
	}
	A, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return false
	}
	var weights [16]byte
	scalars := make([]*edwards25519.Scalar, 0, len(items)+2)
	points := make([]*edwards25519.Point, 0, len(items)+2)
	sB := edwards25519.NewScalar()
	kA := edwards25519.NewScalar()
	h := sha512.New()
	var digest [64]byte
	for _, it := range items {
		if len(it.sig) != ed25519.SignatureSize || !canonicalPoint(it.sig[:32]) {
			return false
		}
		R, err := new(edwards25519.Point).SetBytes(it.sig[:32])
		if err != nil {
			return false
		}
		s, err := edwards25519.NewScalar().SetCanonicalBytes(it.sig[32:])
		if err != nil {
			return false
		}
		h.Reset()
		h.Write(it.sig[:32])
		h.Write(pub)
		h.Write(it.msg)
		k, err := edwards25519.NewScalar().SetUniformBytes(h.Sum(digest[:0]))
		if err != nil {
			return false
		}
		var zb [32]byte
		if _, err := rand.Read(weights[:]); err != nil {
			return false
		}
		copy(zb[:], weights[:])
		z, err := edwards25519.NewScalar().SetCanonicalBytes(zb[:])
		if err != nil {
			return false
		}
		sB.MultiplyAdd(z, s, sB)
		kA.MultiplyAdd(z, k, kA)
		// +z_i on −R_i: a 128-bit scalar halves the multiplication's additions.
		scalars = append(scalars, z)
		points = append(points, R.Negate(R))
	}
	scalars = append(scalars, sB, edwards25519.NewScalar().Negate(kA))
	points = append(points, edwards25519.NewGeneratorPoint(), A)
	sum := new(edwards25519.Point).VarTimeMultiScalarMult(scalars, points)
	sum.MultByCofactor(sum)
	return sum.Equal(edwards25519.NewIdentityPoint()) == 1
}

// canonicalPoint refuses the non-canonical encodings SetBytes would take:
// a y of p or more (2^255−19 … 2^255−1) and the two points with x = 0 (y =
// ±1, of small order: no R of an honest signature) with either sign.
func canonicalPoint(b []byte) bool {
	y := [32]byte(b)
	y[31] &= 0x7f
	if y[31] == 0x7f && y[0] >= 0xed {
		big := true
		for _, c := range y[1:31] {
			if c != 0xff {
				big = false
				break
			}
		}
		if big {
			return false
		}
	}
	one, minusOne := [32]byte{1}, [32]byte{0xec}
	for i := 1; i < 31; i++ {
		minusOne[i] = 0xff
	}
	minusOne[31] = 0x7f
	return y != one && y != minusOne
}
