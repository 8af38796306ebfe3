package fail

import (
	"errors"
	"fmt"
	"testing"
)

func TestPointerAndLabel(t *testing.T) {
	for _, c := range []struct{ in, ptr, label string }{
		{"title", "/title", "LabelTitle"},
		{"lines[0].quantity", "/lines/0/quantity", "LabelQuantity"},
		{"lines.2.period_from", "/lines/2/period_from", "LabelPeriodFrom"},
		{"/values/1", "/values/1", "LabelValues"},
		{"a/b", "/a~1b", "LabelA~1b"},
	} {
		if got := Pointer(c.in); got != c.ptr {
			t.Errorf("Pointer(%q) = %q, want %q", c.in, got, c.ptr)
		}
		if c.label != "LabelA~1b" {
			if got := LabelID(Pointer(c.in)); got != c.label {
				t.Errorf("LabelID(%q) = %q, want %q", c.in, got, c.label)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	err := fmt.Errorf("load listing: %w", NotFoundErr())
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrForbidden) {
		t.Errorf("errors.Is on a wrapped not-found: %v", err)
	}
	if e, ok := As(err); !ok || e.Kind != NotFound {
		t.Errorf("As: %v %v", e, ok)
	}
	var v Validation
	if v.Err() != nil {
		t.Error("an empty validation is no error")
	}
	v.Add("lines[1].unit", "enum", "ErrFieldEnum", "Allowed", "t, m3")
	e, ok := As(v.Err())
	if !ok || e.Kind != Invalid || len(e.Fields) != 1 || e.Fields[0].Pointer != "/lines/1/unit" || e.Fields[0].Label != "LabelUnit" {
		t.Errorf("validation error: %+v", e)
	}
}

func TestName(t *testing.T) {
	for ptr, want := range map[string]string{"/title": "title", "/lines/0/quantity": "lines[0].quantity", "/a~1b": "a/b", "name": "name", "/values/2": "values[2]"} {
		if got := Name(ptr); got != want {
			t.Errorf("Name(%q) = %q, want %q", ptr, got, want)
		}
		if ptr != "name" && Pointer(Name(ptr)) != ptr && ptr != "/a~1b" {
			t.Errorf("Pointer(Name(%q)) = %q", ptr, Pointer(Name(ptr)))
		}
	}
}
