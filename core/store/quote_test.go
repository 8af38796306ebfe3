package store_test

import (
	"testing"

	"github.com/masseflyt/masseflyt/core/store"
)

func TestQuoteLiteral(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "''"},
		{"01HX3", "'01HX3'"},
		{"it's", "'it''s'"},
		{"'; SET LOCAL app.bypass = 'on", "'''; SET LOCAL app.bypass = ''on'"},
		{`a\'b`, `E'a\\''b'`},
		{"nul\x00byte", "'nulbyte'"},
	} {
		if got := store.QuoteLiteral(c.in); got != c.want {
			t.Errorf("QuoteLiteral(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
