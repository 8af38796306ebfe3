// Package page is the one cursor pagination of every list: a request names
// a limit (validated against the list's documented bounds, never capped
// silently) and the cursor of the previous page; an answer carries the
// items and, when more follow, the next cursor.
package page

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/masseflyt/masseflyt/core/fail"
)

// Page is one page of a list.
type Page[T any] struct {
	Items []T `json:"items"`
	// NextCursor fetches the next page; absent on the last page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// Request asks for a page.
type Request struct {
	Limit  int
	Cursor string
}

// Bounds are a list's default and largest page size.
type Bounds struct{ Default, Max int }

// Parse reads limit and cursor as the user sent them (limit may be empty).
// A limit outside 1..Max is a validation error on "limit".
func (b Bounds) Parse(limit, cursor string) (Request, error) {
	r := Request{Limit: b.Default, Cursor: cursor}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > b.Max {
			v := &fail.Validation{}
			v.Add("limit", "range", "ErrFieldRange", "Min", 1, "Max", b.Max)
			return r, v.Err()
		}
		r.Limit = n
	}
	if len(cursor) > 512 {
		return r, badCursor()
	}
	return r, nil
}

// BadCursor is the validation error of a cursor that names no position.
func BadCursor() error { return badCursor() }

func badCursor() error {
	v := &fail.Validation{}
	v.Add("cursor", "invalid", "ErrFieldInvalid")
	return v.Err()
}

// Key is a position in a list's order: the sort values of the last item
// sent, ending with its ID.
type Key []string

// Cursors are sealed (AES-GCM): a key holds the exact sort values of the
// last item sent (a quantity, a date, a distance), which the public view of
// a listing coarsens, so a visitor must not be able to read them from a
// cursor. The key is random per process unless SetSecret gives one that
// every instance shares.
var (
	sealMu sync.RWMutex
	sealer cipher.AEAD
)

func init() {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	sealer = aead(b[:])
}

func aead(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return g
}

// SetSecret derives the cursor key from the deployment's secret, so that a
// cursor made by one instance reads on another.
func SetSecret(secret string) {
	k := sha256.Sum256([]byte("masseflyt page cursor\x00" + secret))
	sealMu.Lock()
	sealer = aead(k[:])
	sealMu.Unlock()
}

// Encode makes an opaque, sealed cursor from a key.
func (k Key) Encode() string {
	sealMu.RLock()
	g := sealer
	sealMu.RUnlock()
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(k)*16+g.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(g.Seal(nonce, nonce, []byte(strings.Join(k, "\x00")), nil))
}

// Decode reads a cursor made by Encode with n parts; a malformed, altered
// or foreign cursor is a validation error on "cursor".
func Decode(cursor string, n int) (Key, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	sealMu.RLock()
	g := sealer
	sealMu.RUnlock()
	if err != nil || len(raw) < g.NonceSize()+g.Overhead() {
		return nil, badCursor()
	}
	plain, err := g.Open(nil, raw[:g.NonceSize()], raw[g.NonceSize():], nil)
	if err != nil {
		return nil, badCursor()
	}
	k := strings.Split(string(plain), "\x00")
	if len(k) != n {
		return nil, badCursor()
	}
	return k, nil
}

// Cut makes the page from up to limit+1 rows fetched in order: when there
// is one more than the limit, the page ends at the limit and the cursor
// points after its last item.
func Cut[T any](rows []T, limit int, key func(T) Key) Page[T] {
	if rows == nil {
		rows = []T{}
	}
	if len(rows) <= limit {
		return Page[T]{Items: rows}
	}
	rows = rows[:limit]
	return Page[T]{Items: rows, NextCursor: key(rows[limit-1]).Encode()}
}

// Slice pages a list held in memory (role rules, assignments, a caller's
// tokens, ranked matches) in the order of key, which must be unique per
// item: the list is sorted by key, and a page starts at the first item
// whose key follows the cursor's, so an item that vanished meanwhile
// neither breaks the walk nor makes it repeat or skip the others.
func Slice[T any](all []T, r Request, key func(T) string) (Page[T], error) {
	sorted := append([]T(nil), all...)
	sort.SliceStable(sorted, func(i, j int) bool { return key(sorted[i]) < key(sorted[j]) })
	start := 0
	if r.Cursor != "" {
		k, err := Decode(r.Cursor, 1)
		if err != nil {
			return Page[T]{}, err
		}
		start = sort.Search(len(sorted), func(i int) bool { return key(sorted[i]) > k[0] })
	}
	rest := sorted[start:]
	if len(rest) > r.Limit {
		rest = rest[:r.Limit+1]
	}
	return Cut(rest, r.Limit, func(x T) Key { return Key{key(x)} }), nil
}
