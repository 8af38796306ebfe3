package page

import (
	"encoding/base64"
	"errors"
	"strings"
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
	// The item the cursor names is gone: the walk goes on after its place.
	p, err := Slice([]string{"e", "a", "d"}, Request{Limit: 2, Cursor: Key{"b"}.Encode()}, id)
	if err != nil || len(p.Items) != 2 || p.Items[0] != "d" || p.Items[1] != "e" || p.NextCursor != "" {
		t.Fatalf("after a vanished item: %+v %v", p, err)
	}
}

func TestCursorsAreSealed(t *testing.T) {
	k := Key{"250001.1", "2027-03-14T00:00:00Z", "0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8d"}
	c := k.Encode()
	raw, _ := base64.RawURLEncoding.DecodeString(c)
	for _, v := range k {
		if strings.Contains(string(raw), v) || strings.Contains(c, v) {
			t.Fatalf("cursor %q shows %q", c, v)
		}
	}
	if got, err := Decode(c, 3); err != nil || got[0] != k[0] || got[2] != k[2] {
		t.Fatalf("decoded %v %v", got, err)
	}
	if k.Encode() == c {
		t.Fatal("two cursors of one key are equal: no fresh nonce")
	}
	tampered := []byte(c)
	tampered[len(tampered)/2] ^= 1
	if _, err := Decode(string(tampered), 3); err == nil {
		t.Fatal("an altered cursor was accepted")
	}
	// Instances sharing the deployment's secret read each other's cursors;
	// another secret cannot.
	SetSecret("one")
	c = k.Encode()
	SetSecret("other")
	if _, err := Decode(c, 3); err == nil {
		t.Fatal("a cursor sealed under another secret was accepted")
	}
	SetSecret("one")
	if _, err := Decode(c, 3); err != nil {
		t.Fatalf("same secret: %v", err)
	}
}
