package apidoc

// The building blocks of the hand-written document. Objects are closed
// (additionalProperties: false): a response may carry only the fields the
// document names, and the API rejects unknown request fields, so the field
// names here are exactly those on the wire. The harness
// (internal/apitest) validates every API response of the test suite
// against the document.

type m = map[string]any

func str(desc string) m { return m{"type": "string", "description": desc} }
func num(desc string) m { return m{"type": "number", "description": desc} }
func integer(desc string) m {
	return m{"type": "integer", "description": desc}
}
func boolean(desc string) m { return m{"type": "boolean", "description": desc} }
func enum(desc string, vals []string) m {
	return m{"type": "string", "enum": vals, "description": desc}
}
func arr(items m) m     { return m{"type": "array", "items": items} }
func ref(name string) m { return m{"$ref": "#/components/schemas/" + name} }
func dt(desc string) m  { return m{"type": "string", "format": "date-time", "description": desc} }

// orNull lets a value be null (JSON Schema 2020-12 type arrays).
func orNull(s m) m {
	out := m{}
	for k, v := range s {
		out[k] = v
	}
	out["type"] = []string{s["type"].(string), "null"}
	return out
}

// date is an input date: a day, a month or a year.
func date(desc string) m {
	return m{"type": "string", "description": desc + " (YYYY-MM-DD, YYYY-MM or YYYY)", "pattern": `^\d{4}(-\d{2}(-\d{2})?)?$`}
}

// obj is a closed object with its required properties.
func obj(props m, required ...string) m {
	o := m{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

// with returns a copy of an object schema with more keywords.
func with(o m, kv ...any) m {
	out := m{}
	for k, v := range o {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// without returns a copy of an object schema without some properties and
// with no required list (the patch form of a create input).
func without(o m, names ...string) m {
	props := m{}
	for k, v := range o["properties"].(m) {
		props[k] = v
	}
	for _, n := range names {
		delete(props, n)
	}
	return obj(props)
}

// merge joins property maps (later ones win).
func merge(ps ...m) m {
	out := m{}
	for _, p := range ps {
		for k, v := range p {
			out[k] = v
		}
	}
	return out
}

// list is {"items": [...]}: a whole list, not paginated.
func list(item, desc string) m {
	return with(obj(m{"items": arr(ref(item))}, "items"), "description", desc)
}

// Error responses, shared by the operations (components/responses).
var errorResponses = map[int][2]string{
	400: {"BadRequest", "The body is empty or not well-formed"},
	401: {"Unauthorized", "Not logged in, or the token or session is not valid"},
	403: {"Forbidden", "The caller's roles, token scopes or organizations do not allow it"},
	404: {"NotFound", "No such region or resource (or hidden from the caller)"},
	409: {"Conflict", "The resource's state does not allow it, or it exists already"},
	410: {"Gone", "Deleted from the register"},
	413: {"ContentTooLarge", "The body is too large"},
	415: {"UnsupportedMediaType", "The body's type is not accepted"},
	422: {"UnprocessableContent", "A field or parameter is not valid; errors names each, with a localized message"},
	429: {"TooManyRequests", "Rate limit reached"},
	500: {"InternalError", "Internal error; the cause is logged, never sent"},
	503: {"ServiceUnavailable", "A service the request depends on (identity provider, business register) is unavailable"},
}

func responseComponents() m {
	out := m{"NotModified": m{"description": "Not modified: If-None-Match matched the ETag"}}
	for _, r := range errorResponses {
		out[r[0]] = m{"description": r[1], "content": m{"application/problem+json": m{"schema": ref("Problem")}}}
	}
	return out
}

func responseRef(name string) m { return m{"$ref": "#/components/responses/" + name} }
