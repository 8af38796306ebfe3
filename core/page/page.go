// Package page is the one cursor pagination of every list: a request names
// a limit (validated against the list's documented bounds, never capped
// silently) and the cursor of the previous page; an answer carries the
// items and, when more follow, the next cursor.
package page

import (
	"encoding/base64"
	"strconv"
	"strings"

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

func badCursor() error {
	v := &fail.Validation{}
	v.Add("cursor", "invalid", "ErrFieldInvalid")
	return v.Err()
}

// Key is a position in a list's order: the sort values of the last item
// sent, ending with its ID.
type Key []string

// Encode makes an opaque cursor from a key.
func (k Key) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(k, "\x00")))
}

// Decode reads a cursor made by Encode with n parts; a malformed cursor is
// a validation error on "cursor".
func Decode(cursor string, n int) (Key, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, badCursor()
	}
	k := strings.Split(string(raw), "\x00")
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
// tokens), in its given order: the cursor is the key of the last item sent,
// and the page starts after the item with that key.
func Slice[T any](all []T, r Request, key func(T) string) (Page[T], error) {
	start := 0
	if r.Cursor != "" {
		k, err := Decode(r.Cursor, 1)
		if err != nil {
			return Page[T]{}, err
		}
		start = -1
		for i, x := range all {
			if key(x) == k[0] {
				start = i + 1
				break
			}
		}
		if start < 0 { // the item is gone: the cursor no longer points anywhere
			return Page[T]{}, badCursor()
		}
	}
	rest := all[start:]
	if len(rest) > r.Limit {
		rest = rest[:r.Limit+1]
	}
	return Cut(append([]T(nil), rest...), r.Limit, func(x T) Key { return Key{key(x)} }), nil
}
