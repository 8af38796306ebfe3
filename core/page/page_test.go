package page

import (
	"errors"
	"testing"

	"github.com/masseflyt/masseflyt/core/fail"
)

func TestBounds(t *testing.T) {
	b := Bounds{Default: 50, Max: 200}
	if r, err := b.Parse("", ""); err != nil || r.Limit != 50 {
		t.Fatalf("default: %v %v", r, err)
	}
	if r, err := b.Parse("200", "abc"); err != nil || r.Limit != 200 || r.Cursor != "abc" {
		t.Fatalf("max: %v %v", r, err)
	}
	for _, bad := range []string{"0", "201", "-1", "x", "1e3"} {
		_, err := b.Parse(bad, "")
		var fe *fail.Error
		if !errors.As(err, &fe) || fe.Kind != fail.Invalid || fe.Fields[0].Pointer != "/limit" {
			t.Errorf("limit %q: %v, want a validation error on limit", bad, err)
		}
	}
}

func TestCutAndCursor(t *testing.T) {
	rows := []string{"a", "b", "c"}
	key := func(s string) Key { return Key{s, "id-" + s} }
	p := Cut(rows, 2, key)
	if len(p.Items) != 2 || p.NextCursor == "" {
		t.Fatalf("page %+v", p)
	}
	k, err := Decode(p.NextCursor, 2)
	if err != nil || k[0] != "b" || k[1] != "id-b" {
		t.Fatalf("decoded %v %v", k, err)
	}
	if p := Cut(rows, 3, key); p.NextCursor != "" || len(p.Items) != 3 {
		t.Fatalf("last page %+v", p)
	}
	if p := Cut[string](nil, 3, key); p.Items == nil {
		t.Fatal("an empty page has an empty list, not null")
	}
	for _, bad := range []string{"!!", Key{"only"}.Encode()} {
		if _, err := Decode(bad, 2); err == nil {
			t.Errorf("cursor %q accepted", bad)
		}
	}
}

func TestSlice(t *testing.T) {
	all := []string{"a", "b", "c", "d", "e"}
	id := func(s string) string { return s }
	var got []string
	r := Request{Limit: 2}
	for i := 0; i < 5; i++ {
		p, err := Slice(all, r, id)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Items...)
		if p.NextCursor == "" {
			break
		}
		r.Cursor = p.NextCursor
	}
	if len(got) != 5 || got[4] != "e" {
		t.Fatalf("walked %v", got)
	}
	if _, err := Slice(all, Request{Limit: 2, Cursor: Key{"zz"}.Encode()}, id); err == nil {
		t.Fatal("a cursor to a vanished item was accepted")
	}
}
