package oas

import (
	"encoding"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"reflect"
	"sort"
	"strings"
	"time"
)

type m = map[string]any

// Union is a type documented as one of several: its schema is oneOf the
// schemas of the values OneOf returns (e.g. a listing in full or its public
// view). Its own fields, if any, are ignored; OneOf must have a value
// receiver.
type Union interface{ OneOf() []any }

// mode is how a type is used: a response, a request body, the patch form of
// a request body (nothing required), a multipart form.
type mode int

const (
	out mode = iota
	in
	patch
	form
)

type compKey struct {
	t reflect.Type
	m mode
}

// comp is a component schema; its name is chosen once every type is known
// (a clash between packages is resolved with the package name).
type comp struct {
	compKey
	schema m
	refs   []m
	name   string
}

// gen generates schemas from Go types.
type gen struct {
	notes *notes
	comps map[compKey]*comp
	order []*comp
	errs  []error
}

var (
	timeType      = reflect.TypeOf(time.Time{})
	rawType       = reflect.TypeOf(json.RawMessage{})
	fileType      = reflect.TypeOf(&multipart.FileHeader{})
	unionType     = reflect.TypeOf((*Union)(nil)).Elem()
	marshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textType      = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface))
}

// schema returns the schema of a value of type t (nil: any value). A
// pointer's nullability is the field's business (see object).
func (g *gen) schema(t reflect.Type, md mode) m {
	if t == nil {
		return m{}
	}
	switch {
	case md == form && (t == fileType || t == reflect.TypeOf([]byte(nil))):
		return m{"type": "string", "contentMediaType": "application/octet-stream"}
	case t.Kind() == reflect.Pointer:
		return g.schema(t.Elem(), md)
	case t == timeType:
		return m{"type": "string", "format": "date-time"}
	case t == rawType:
		return m{}
	case t.Kind() != reflect.Interface && t.Implements(unionType):
		return g.ref(t, out)
	case t.Kind() != reflect.Interface && implements(t, marshalerType):
		return m{} // its own encoding: no constraint
	case t.Kind() != reflect.Interface && implements(t, textType):
		return m{"type": "string"}
	}
	if md == patch {
		if t.Kind() == reflect.Struct && t.Name() != "" {
			return g.ref(t, patch)
		}
		md = in // only the top level is a patch
	}
	switch t.Kind() {
	case reflect.Interface:
		return m{}
	case reflect.Bool:
		return m{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return m{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return m{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return m{"type": "number"}
	case reflect.String:
		return m{"type": "string"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !implements(t.Elem(), marshalerType) && !implements(t.Elem(), textType) {
			return m{"type": "string", "contentEncoding": "base64"}
		}
		return m{"type": "array", "items": g.schema(t.Elem(), md)}
	case reflect.Array:
		return m{"type": "array", "items": g.schema(t.Elem(), md), "minItems": t.Len(), "maxItems": t.Len()}
	case reflect.Map:
		return m{"type": "object", "additionalProperties": g.schema(t.Elem(), md)}
	case reflect.Struct:
		if t.Name() == "" {
			return g.object(t, md)
		}
		return g.ref(t, md)
	}
	g.errs = append(g.errs, fmt.Errorf("type %s (%s) cannot be sent as JSON", t, t.Kind()))
	return m{}
}

// ref returns a reference to the component schema of a named type.
func (g *gen) ref(t reflect.Type, md mode) m {
	k := compKey{t, md}
	c := g.comps[k]
	if c == nil {
		c = &comp{compKey: k}
		g.comps[k] = c
		g.order = append(g.order, c)
		if t.Kind() != reflect.Interface && t.Implements(unionType) {
			c.schema = g.union(t)
		} else {
			c.schema = g.object(t, md)
		}
	}
	r := m{"$ref": ""}
	c.refs = append(c.refs, r)
	return r
}

func (g *gen) union(t reflect.Type) m {
	var one []any
	for _, v := range reflect.Zero(t).Interface().(Union).OneOf() {
		one = append(one, g.schema(reflect.TypeOf(v), out))
	}
	s := m{"oneOf": one}
	g.notes.reach(t, nil)
	if d := g.notes.of(t, "").Description; d != "" {
		s["description"] = d
	}
	return s
}

// tagKey is the struct tag naming a type's members in a mode.
func tagKey(md mode) string {
	if md == form {
		return "form"
	}
	return "json"
}

// object is a struct's closed object schema.
func (g *gen) object(t reflect.Type, md mode) m {
	fs := fields(t, tagKey(md))
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	g.notes.reach(t, names)
	props := m{}
	var required []string
	for _, f := range fs {
		nt := g.notes.of(t, f.name)
		if md == patch && nt.CreateOnly {
			continue
		}
		var s m
		if f.quoted {
			s = m{"type": "string"}
		} else {
			s = g.schema(f.typ, md)
		}
		if f.doc != "" {
			s["description"] = f.doc
		}
		nt.apply(s)
		switch md {
		case out:
			k := f.typ.Kind()
			always := !f.omitzero && !(f.omitempty && omittable(f.typ)) && !f.viaPtr
			switch {
			case always && (k == reflect.Interface || f.typ == rawType):
				// Any value, null included: the type list spells out what
				// {} means, which kin-openapi's validator needs for null.
				s["type"] = []any{"array", "boolean", "null", "number", "object", "string"}
			case always && (k == reflect.Pointer || (nt.Null && (k == reflect.Slice || k == reflect.Map))):
				s = orNull(s)
			}
			if always {
				required = append(required, f.name)
			}
		case in, form:
			if nt.Required {
				required = append(required, f.name)
			}
		}
		props[f.name] = s
	}
	s := m{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	tn := g.notes.of(t, "")
	desc, extra := tn.Description, tn.Extra
	if md == patch {
		extra = tn.PatchExtra
		if tn.PatchDescription != "" {
			desc = tn.PatchDescription
		}
	}
	if desc != "" {
		s["description"] = desc
	}
	for k, v := range extra {
		s[k] = v
	}
	return s
}

// name chooses every component's name: the Go type's name (a generic
// instance named by its arguments, page.Page[Organization] as
// OrganizationPage), an input with the suffix Input, a patch form Patch, a
// form Upload; a name two packages would take is prefixed with each one's
// package name.
func (g *gen) name() map[string]any {
	cand := map[string][]*comp{}
	for _, c := range g.order {
		n := candidate(c)
		cand[n] = append(cand[n], c)
	}
	out := map[string]any{}
	for n, cs := range cand {
		sort.Slice(cs, func(i, j int) bool {
			if cs[i].t.PkgPath() != cs[j].t.PkgPath() {
				return cs[i].t.PkgPath() < cs[j].t.PkgPath()
			}
			return cs[i].t.String() < cs[j].t.String()
		})
		for i, c := range cs {
			c.name = n
			if len(cs) > 1 {
				c.name = capital(pkgName(c.t)) + n
				if i > 0 && pkgName(cs[i-1].t) == pkgName(c.t) {
					c.name = fmt.Sprintf("%s%d", c.name, i+1)
				}
			}
		}
	}
	for _, c := range g.order {
		if _, dup := out[c.name]; dup {
			g.errs = append(g.errs, fmt.Errorf("two schemas are named %s", c.name))
		}
		out[c.name] = c.schema
		for _, r := range c.refs {
			r["$ref"] = "#/components/schemas/" + c.name
		}
	}
	return out
}

func candidate(c *comp) string {
	n := typeWord(c.t.Name())
	switch c.m {
	case in:
		if !strings.HasSuffix(n, "Input") {
			n += "Input"
		}
	case patch:
		n = strings.TrimSuffix(n, "Input") + "Patch"
	case form:
		if !strings.HasSuffix(n, "Upload") {
			n += "Upload"
		}
	}
	return n
}

// typeWord names a type from its reflect name: pkg/path.Name → Name,
// Page[pkg.Organization] → OrganizationPage, []T → TList, *T → T.
func typeWord(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "*"):
		return typeWord(s[1:])
	case strings.HasPrefix(s, "[]"):
		return typeWord(s[2:]) + "List"
	case strings.HasPrefix(s, "map["):
		if end := closing(s, 3); end > 0 {
			return typeWord(s[end+1:]) + "Map"
		}
	case s == "interface {}" || s == "any":
		return "Any"
	case strings.HasPrefix(s, "struct {"):
		return "Struct"
	}
	base, args := s, ""
	if i := strings.IndexByte(s, '['); i > 0 && strings.HasSuffix(s, "]") {
		base, args = s[:i], s[i+1:len(s)-1]
	}
	base = base[strings.LastIndexAny(base, "./")+1:]
	prefix := ""
	for _, a := range splitArgs(args) {
		prefix += typeWord(a)
	}
	return prefix + capital(base)
}

// closing returns the index of the bracket closing the one at open.
func closing(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitArgs splits type arguments at the commas outside brackets.
func splitArgs(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '{', '(':
			depth++
		case ']', '}', ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
