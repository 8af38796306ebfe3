package oas

import (
	"reflect"
	"sort"
	"strings"
)

// field is one member of a struct as an encoder sends or a decoder reads it:
// a JSON property, a query parameter or a form field.
type field struct {
	name      string
	typ       reflect.Type
	doc       string // the `doc` struct tag
	omitempty bool
	omitzero  bool
	quoted    bool // the `string` option
	viaPtr    bool // promoted through an embedded pointer: absent when it is nil
	tagged    bool
	depth     int
	index     []int
}

// fields lists the fields of struct t under tag key (json, query, form) as
// encoding/json does: `-` skipped, untagged exported fields by their Go name,
// untagged embedded structs flattened, a shallower field hiding a deeper one
// of the same name and, at the same depth, a tagged one an untagged one (two
// left at once cancel out).
func fields(t reflect.Type, key string) []field {
	var all []field
	var walk func(t reflect.Type, depth int, viaPtr bool, index []int, seen map[reflect.Type]bool)
	walk = func(t reflect.Type, depth int, viaPtr bool, index []int, seen map[reflect.Type]bool) {
		if seen[t] {
			return
		}
		seen = copySeen(seen, t)
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			ft := sf.Type
			if sf.Anonymous {
				et := ft
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if !sf.IsExported() && et.Kind() != reflect.Struct {
					continue
				}
			} else if !sf.IsExported() {
				continue
			}
			tag := sf.Tag.Get(key)
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			idx := append(append([]int{}, index...), i)
			if name == "" && sf.Anonymous {
				et, ptr := ft, false
				if et.Kind() == reflect.Pointer {
					et, ptr = et.Elem(), true
				}
				if et.Kind() == reflect.Struct {
					walk(et, depth+1, viaPtr || ptr, idx, seen)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			f := field{name: name, typ: ft, doc: sf.Tag.Get("doc"), tagged: name != "", depth: depth, viaPtr: viaPtr, index: idx}
			if f.name == "" {
				f.name = sf.Name
			}
			for _, o := range strings.Split(opts, ",") {
				switch o {
				case "omitempty":
					f.omitempty = true
				case "omitzero":
					f.omitzero = true
				case "string":
					f.quoted = quotable(ft)
				}
			}
			all = append(all, f)
		}
	}
	walk(t, 0, false, nil, nil)
	byName := map[string][]field{}
	for _, f := range all {
		byName[f.name] = append(byName[f.name], f)
	}
	var out []field
	for _, fs := range byName {
		if f, ok := dominant(fs); ok {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return lessIndex(out[i].index, out[j].index) })
	return out
}

func copySeen(seen map[reflect.Type]bool, t reflect.Type) map[reflect.Type]bool {
	out := map[reflect.Type]bool{t: true}
	for k := range seen {
		out[k] = true
	}
	return out
}

// dominant picks the field encoding/json keeps among those of one name.
func dominant(fs []field) (field, bool) {
	min := fs[0].depth
	for _, f := range fs {
		if f.depth < min {
			min = f.depth
		}
	}
	var top, tagged []field
	for _, f := range fs {
		if f.depth == min {
			top = append(top, f)
			if f.tagged {
				tagged = append(tagged, f)
			}
		}
	}
	switch {
	case len(top) == 1:
		return top[0], true
	case len(tagged) == 1:
		return tagged[0], true
	}
	return field{}, false
}

func lessIndex(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// quotable reports whether the `string` option applies to t.
func quotable(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Float32, reflect.Float64,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

// omittable reports whether omitempty can leave a value of t out (structs
// are never empty to encoding/json).
func omittable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Struct:
		return false
	case reflect.Array:
		return t.Len() == 0
	}
	return true
}
