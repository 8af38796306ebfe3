// Package fail holds the domain's errors: not found, forbidden, conflict,
// invalid input with field paths, and the rest. They carry a stable code and
// a go-i18n message ID; the HTTP layer maps their kind to a status and
// renders them as problem+json or as an HTML page, in one table.
package fail

import (
	"errors"
	"strconv"
	"strings"
)

// Kind classifies an error for the adapters (the API maps it to a status).
type Kind int

const (
	Internal Kind = iota
	Invalid
	Unauthorized
	Forbidden
	NotFound
	Gone
	Conflict
	TooLarge
	UnsupportedType
	RateLimited
	Unavailable
	BadRequest
)

// Field names one invalid input field by its JSON pointer ("/title",
// "/lines/0/quantity"). Label is the message ID of the field's name in the
// user's words; MsgID and Data are the message.
type Field struct {
	Pointer string
	Code    string
	Label   string
	MsgID   string
	Data    []any
}

// Error is a domain error with a stable code and a localizable message.
type Error struct {
	Kind   Kind
	Code   string // stable machine-readable code (urn:masseflyt:problem:<code>)
	MsgID  string
	Data   []any
	Fields []Field
	Err    error // the cause, logged, never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Err.Error()
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches errors of the same kind and code, so errors.Is(err,
// fail.ErrNotFound) holds for any not-found error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Code == e.Code
}

// New builds an error.
func New(kind Kind, code, msgID string, data ...any) *Error {
	return &Error{Kind: kind, Code: code, MsgID: msgID, Data: data}
}

// Sentinels for errors.Is.
var (
	ErrNotFound     = New(NotFound, "not_found", "ErrNotFound")
	ErrForbidden    = New(Forbidden, "forbidden", "ErrForbidden")
	ErrUnauthorized = New(Unauthorized, "unauthorized", "ErrUnauthorized")
)

// NotFoundErr, ForbiddenErr and UnauthorizedErr return fresh copies of the
// sentinels (callers may wrap a cause into them).
func NotFoundErr() *Error     { return New(NotFound, "not_found", "ErrNotFound") }
func ForbiddenErr() *Error    { return New(Forbidden, "forbidden", "ErrForbidden") }
func UnauthorizedErr() *Error { return New(Unauthorized, "unauthorized", "ErrUnauthorized") }

// ConflictErr is a conflict with the current state, explained by msgID.
func ConflictErr(msgID string, data ...any) *Error {
	return New(Conflict, "conflict", msgID, data...)
}

// As returns err as a domain error, if it is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Validation collects invalid fields; Err returns nil when none failed.
type Validation struct{ fields []Field }

// Add records that the field at path failed. path is a JSON field name or
// a path with dots and indices ("lines[0].quantity", "lines.0.quantity");
// it is stored as a JSON pointer. The label is derived from the last
// name in the path: message ID "Label" + CamelCase(name) (e.g. LabelTitle).
func (v *Validation) Add(path, code, msgID string, data ...any) {
	ptr := Pointer(path)
	v.fields = append(v.fields, Field{Pointer: ptr, Code: code, Label: LabelID(ptr), MsgID: msgID, Data: data})
}

// OK reports whether no field failed.
func (v *Validation) OK() bool { return len(v.fields) == 0 }

// Fields returns the failed fields.
func (v *Validation) Fields() []Field { return v.fields }

// Err returns the validation error or nil.
func (v *Validation) Err() error {
	if v.OK() {
		return nil
	}
	return &Error{Kind: Invalid, Code: "validation", MsgID: "ErrValidation", Fields: v.fields}
}

// Pointer turns "lines[0].quantity" or "lines.0.quantity" into
// "/lines/0/quantity"; a pointer is returned as it is.
func Pointer(path string) string {
	if strings.HasPrefix(path, "/") || path == "" {
		return path
	}
	r := strings.NewReplacer("[", ".", "]", "")
	parts := strings.Split(r.Replace(path), ".")
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		b.WriteString("/")
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// LabelID is the message ID of the label of the last named segment of a
// JSON pointer: "/lines/0/quantity" → "LabelQuantity".
func LabelID(pointer string) string {
	parts := strings.Split(pointer, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		if p == "" || strings.Trim(p, "0123456789") == "" {
			continue
		}
		var b strings.Builder
		b.WriteString("Label")
		for _, w := range strings.FieldsFunc(p, func(r rune) bool { return r == '_' || r == '-' || r == '~' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
		return b.String()
	}
	return "LabelField"
}

// Name turns a JSON pointer back into the field's name as sent, items as
// name[i]: "/lines/0/quantity" → "lines[0].quantity".
func Name(pointer string) string {
	if !strings.HasPrefix(pointer, "/") {
		return pointer
	}
	var b strings.Builder
	for i, p := range strings.Split(pointer[1:], "/") {
		p = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
		if _, err := strconv.Atoi(p); err == nil && i > 0 {
			b.WriteString("[" + p + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}
