package httpx

import (
	"testing"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/locales"
)

// TestFieldLabels: field errors carry a JSON pointer and the field's label in
// the user's language, and their messages name the field by that label.
func TestFieldLabels(t *testing.T) {
	b := locales.MustBundle()
	v := &fail.Validation{}
	v.Add("title", "required", "ErrFieldRequired")
	v.Add("lines[0].quantity", "type", "ErrFieldType", "Expected", "number")
	v.Add("payload_tonnes", "range", "ErrFieldRange", "Min", 0.1, "Max", 45.0)
	v.Add("some_new_field", "invalid", "ErrFieldInvalid")
	v.Add("hack", "unknown", "ErrFieldUnknown")
	want := map[string][][3]string{
		"nb": {
			{"/title", "Tittel", "Tittel må fylles ut."},
			{"/lines/0/quantity", "Mengde", "Mengde: ventet et tall."},
			{"/payload_tonnes", "Nyttelast (tonn)", "Nyttelast (tonn) må være mellom 0,1 og 45."},
			{"/some_new_field", "Some new field", "Some new field har en ugyldig verdi."},
			{"/hack", "Hack", "Feltet «hack» finnes ikke."},
		},
		"nn": {
			{"/title", "Tittel", "Tittel må fyllast ut."},
			{"/lines/0/quantity", "Mengd", "Mengd: venta eit tal."},
			{"/payload_tonnes", "Nyttelast (tonn)", "Nyttelast (tonn) må vere mellom 0,1 og 45."},
			{"/some_new_field", "Some new field", "Some new field har ein ugyldig verdi."},
			{"/hack", "Hack", "Feltet «hack» finst ikkje."},
		},
		"en": {
			{"/title", "Title", "Title is required."},
			{"/lines/0/quantity", "Quantity", "Quantity: expected a number."},
			{"/payload_tonnes", "Payload (tonnes)", "Payload (tonnes) must be between 0.1 and 45."},
			{"/some_new_field", "Some new field", "Some new field has an invalid value."},
			{"/hack", "Hack", `Unknown field "hack".`},
		},
	}
	for lang, ws := range want {
		p := AsError(v.Err()).Localize(locales.New(b, lang))
		if len(p.Errors) != len(ws) {
			t.Fatalf("%s: %d errors, want %d", lang, len(p.Errors), len(ws))
		}
		for i, w := range ws {
			f := p.Errors[i]
			if f.Pointer != w[0] || f.Label != w[1] || f.Message != w[2] {
				t.Errorf("%s %s: got %q %q %q, want %q %q %q", lang, f.Field, f.Pointer, f.Label, f.Message, w[0], w[1], w[2])
			}
		}
	}
	// A domain error's fields are labelled the same way.
	var dv fail.Validation
	dv.Add("title", "required", "ErrFieldRequired")
	p := AsError(dv.Err()).Localize(locales.New(b, "nb"))
	if len(p.Errors) != 1 || p.Errors[0].Pointer != "/title" || p.Errors[0].Message != "Tittel må fylles ut." {
		t.Errorf("domain validation: %+v", p.Errors)
	}
}
