package oas

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Note annotates a type ("Type") or one of its fields ("Type.field", the
// field by its JSON, query or form name) with what reflection cannot see.
// Type is the Go type's name; "pkg.Type" selects one of two types of the
// same name. A note naming a type the table does not reach, or a field the
// type does not have, fails Build: notes cannot drift from the code.
//
// On a field, Enum, Pattern, Format, the bounds and lengths constrain its
// value, or the elements of a list or map; Description, MinItems, MaxItems
// and Extra apply to the field itself. Required makes the field required
// in input schemas (response schemas require what is always sent); Null
// lets a list or map be null in responses (pointers may be null unless
// omitted when empty); CreateOnly leaves the field out of the patch form.
//
// On a type, Description describes its schemas; Extra adds keywords to them
// (anyOf, if/then, dependentRequired…) except to the patch form, which gets
// PatchDescription and PatchExtra instead.
type Note struct {
	Description string
	Enum        []string
	Pattern     string
	Format      string
	// Minimum, Maximum, ExclusiveMinimum, MinLength, MaxLength, MinItems and
	// MaxItems are numbers; nil leaves them out.
	Minimum, Maximum, ExclusiveMinimum any
	MinLength, MaxLength               any
	MinItems, MaxItems                 any
	Required, Null, CreateOnly         bool
	Extra                              map[string]any

	PatchDescription string
	PatchExtra       map[string]any
}

// notes looks notes up and records what the table reaches, for the drift
// check.
type notes struct {
	table map[string]Note
	// known are the keys the reached types allow, short and qualified.
	known map[string]bool
	// pkgs are the packages of the reached types of each short name.
	pkgs map[string]map[string]bool
}

func newNotes(table map[string]Note) *notes {
	return &notes{table: table, known: map[string]bool{}, pkgs: map[string]map[string]bool{}}
}

func pkgName(t reflect.Type) string {
	p := t.PkgPath()
	return p[strings.LastIndex(p, "/")+1:]
}

// typeNames are the names a note may call t by, most specific first: its
// Go name and, for an instance of a generic type, its schema name
// (OrganizationPage) and the generic type's name (Page: every instance).
func typeNames(t reflect.Type) []string {
	if i := strings.IndexByte(t.Name(), '['); i > 0 {
		return []string{t.Name(), typeWord(t.Name()), t.Name()[:i]}
	}
	return []string{t.Name()}
}

// reach records a struct type and its member names.
func (n *notes) reach(t reflect.Type, names []string) {
	if t.Name() == "" {
		return
	}
	for _, short := range typeNames(t) {
		if n.pkgs[short] == nil {
			n.pkgs[short] = map[string]bool{}
		}
		n.pkgs[short][t.PkgPath()] = true
		for _, k := range []string{short, pkgName(t) + "." + short} {
			n.known[k] = true
			for _, f := range names {
				n.known[k+"."+f] = true
			}
		}
	}
}

// of returns the note on t (field "" for the type itself).
func (n *notes) of(t reflect.Type, field string) Note {
	if t == nil || t.Name() == "" {
		return Note{}
	}
	suffix := ""
	if field != "" {
		suffix = "." + field
	}
	for _, short := range typeNames(t) {
		if nt, ok := n.table[pkgName(t)+"."+short+suffix]; ok {
			return nt
		}
		if nt, ok := n.table[short+suffix]; ok {
			return nt
		}
	}
	return Note{}
}

// check returns the notes that name nothing the table reaches, or an
// ambiguous type.
func (n *notes) check() []error {
	var errs []error
	for k := range n.table {
		typ, _, _ := strings.Cut(k, ".")
		switch {
		case !n.known[k]:
			errs = append(errs, fmt.Errorf("note %q names a type or field the API table does not reach", k))
		case len(n.pkgs[typ]) > 1:
			errs = append(errs, fmt.Errorf("note %q is ambiguous: %d packages have a type %s; qualify it as pkg.%s", k, len(n.pkgs[typ]), typ, typ))
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errs
}

// apply adds a field note's keywords to its schema.
func (nt Note) apply(s m) {
	if nt.Description != "" {
		s["description"] = nt.Description
	}
	l := leaf(s)
	if nt.Enum != nil {
		vals := make([]any, len(nt.Enum))
		for i, v := range nt.Enum {
			vals[i] = v
		}
		l["enum"] = vals
	}
	set(l, "pattern", nt.Pattern)
	set(l, "format", nt.Format)
	set(l, "minimum", nt.Minimum)
	set(l, "maximum", nt.Maximum)
	set(l, "exclusiveMinimum", nt.ExclusiveMinimum)
	set(l, "minLength", nt.MinLength)
	set(l, "maxLength", nt.MaxLength)
	set(s, "minItems", nt.MinItems)
	set(s, "maxItems", nt.MaxItems)
	for k, v := range nt.Extra {
		s[k] = v
	}
}

func set(s m, k string, v any) {
	if v != nil && v != "" {
		s[k] = v
	}
}

// leaf is the schema of the values of a list or map (recursively), or s.
func leaf(s m) m {
	switch {
	case hasType(s, "array"):
		if it, ok := s["items"].(m); ok {
			return leaf(it)
		}
	case hasType(s, "object"):
		if ap, ok := s["additionalProperties"].(m); ok {
			return leaf(ap)
		}
	}
	return s
}

func hasType(s m, typ string) bool {
	switch t := s["type"].(type) {
	case string:
		return t == typ
	case []any:
		for _, x := range t {
			if x == typ {
				return true
			}
		}
	}
	return false
}

// orNull lets a schema's value be null (JSON Schema 2020-12).
func orNull(s m) m {
	if len(s) == 0 {
		return s // any value, null included
	}
	t, ok := s["type"].(string)
	if !ok {
		out := m{"anyOf": []any{s, m{"type": "null"}}}
		if desc, ok := s["description"]; ok {
			delete(s, "description")
			out["description"] = desc
		}
		return out
	}
	s["type"] = []any{t, "null"}
	if e, ok := s["enum"].([]any); ok {
		s["enum"] = append(e, nil)
	}
	return s
}
