package haul

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"unicode"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/store"
)

// MaxKeyLen is the longest idempotency key.
const MaxKeyLen = 100

// once runs a step in a transaction under the actor's idempotency key: the
// first answer is stored with the key in the step's transaction, and a
// resend (the offline queue syncing again) gets that answer back, never a
// second load. The key's row is written first, so a concurrent resend
// waits on it and then finds the answer. No key: the step runs once.
func (s *Service) once(ctx context.Context, key, op string, fn func(tx *gorm.DB) (*Load, error)) (*Load, error) {
	a := access.From(ctx)
	if a.Anonymous() {
		return nil, fail.UnauthorizedErr()
	}
	key = strings.TrimSpace(key)
	if key == "" {
		var out *Load
		err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
			var err error
			out, err = fn(tx)
			return err
		})
		if out != nil {
			shown(a, out)
		}
		return out, err
	}
	if len(key) > MaxKeyLen || strings.IndexFunc(key, func(r rune) bool { return !unicode.IsPrint(r) || r > unicode.MaxASCII }) >= 0 {
		v := &fail.Validation{}
		v.Add("idempotency_key", "invalid", "ErrFieldInvalid")
		return nil, v.Err()
	}
	for try := 0; ; try++ {
		var out *Load
		err := s.DB.Tx(ctx, func(tx *gorm.DB) error {
			var r request
			err := tx.Where("user_id = ? AND idem_key = ?", a.UserID(), key).Take(&r).Error
			if err == nil {
				if r.Op != op {
					return conflict("ErrLoadKeyReused")
				}
				out = &Load{}
				return json.Unmarshal([]byte(r.Response), out)
			}
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			r = request{ID: store.NewID(), UserID: a.UserID(), IdemKey: key, Op: op, Response: "{}", CreatedAt: s.now()}
			if err := tx.Create(&r).Error; err != nil {
				return err
			}
			if out, err = fn(tx); err != nil {
				return err
			}
			b, err := json.Marshal(out)
			if err != nil {
				return err
			}
			return tx.Model(&request{}).Where("id = ?", r.ID).Updates(map[string]any{"response": string(b), "load_id": out.ID}).Error
		})
		if err != nil && store.IsUniqueViolation(err) && try < 3 {
			continue // a resend with the key committed first, or a code was taken: ask again
		}
		if out != nil {
			shown(a, out)
		}
		return out, err
	}
}

// codeAlphabet has no letters or digits that read alike (0/O, 1/I/L).
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newCode is a random code of n characters from codeAlphabet.
func newCode(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// NormalizeCode is a typed or scanned code as stored: upper case, without
// spaces and dashes.
func NormalizeCode(c string) string {
	c = strings.ToUpper(strings.TrimSpace(c))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, c)
}
