// Package httpx holds the Fiber setup shared by the API and the UI:
// RFC 9457 problem+json errors, localisation, request IDs, logging, security
// headers and pagination.
package httpx

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/locales"
)

// FieldError names one invalid input field: by its name as sent (Field), as
// a JSON pointer into the request (Pointer), and in the user's words (Label).
type FieldError struct {
	Field   string `json:"field"`
	Pointer string `json:"pointer"`
	Label   string `json:"label"`
	Code    string `json:"code"`
	Message string `json:"message"`
	msgID   string
	data    []any
}

// Error is a client-facing error with a stable code and a localized message.
type Error struct {
	Status int
	Code   string // stable machine-readable code; the problem type is urn:masseflyt:problem:<code>
	MsgID  string // go-i18n message ID for the title/detail
	Data   []any  // template data as key, value pairs
	Fields []FieldError
	Err    error // wrapped cause, never shown to the client
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Err.Error()
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// Problem is the RFC 9457 body.
type Problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
}

// NewError builds an Error.
func NewError(status int, code, msgID string, data ...any) *Error {
	return &Error{Status: status, Code: code, MsgID: msgID, Data: data}
}

// Common errors.
func NotFound() *Error     { return NewError(404, "not_found", "ErrNotFound") }
func Forbidden() *Error    { return NewError(403, "forbidden", "ErrForbidden") }
func Unauthorized() *Error { return NewError(401, "unauthorized", "ErrUnauthorized") }
func Conflict(msgID string, data ...any) *Error {
	return NewError(409, "conflict", msgID, data...)
}

// Localize fills in the messages of an error's fields.
func (e *Error) Localize(l *locales.Localizer) Problem {
	p := Problem{
		Type:   "urn:masseflyt:problem:" + e.Code,
		Title:  l.T(e.MsgID, e.Data...),
		Status: e.Status,
	}
	for _, f := range e.Fields {
		p.Errors = append(p.Errors, localizeField(l, f))
	}
	if len(p.Errors) > 0 {
		msgs := make([]string, len(p.Errors))
		for i, f := range p.Errors {
			msgs[i] = f.Message
		}
		p.Detail = strings.Join(msgs, " ")
	}
	return p
}

// AsError converts any error to a client error; unknown errors become a 500
// with a generic message (the cause is logged, never sent).
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if de, ok := fail.As(err); ok {
		return fromDomain(de)
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case 404:
			return NotFound()
		case 405:
			return NewError(405, "method_not_allowed", "ErrMethodNotAllowed")
		case 413:
			return NewError(413, "too_large", "ErrBodyTooLarge")
		case 429:
			return NewError(429, "rate_limited", "ErrRateLimited")
		case 400:
			return NewError(400, "bad_request", "ErrBadRequest")
		}
		return NewError(fe.Code, "http_"+strings.ToLower(strings.ReplaceAll(http.StatusText(fe.Code), " ", "_")), "ErrInternal")
	}
	return &Error{Status: 500, Code: "internal", MsgID: "ErrInternal", Err: err}
}

// WantsHTML reports whether the request comes from the UI rather than the API.
func WantsHTML(c *fiber.Ctx) bool {
	p := c.Path()
	if strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz" {
		return false
	}
	// Widget data and bundles answer scripts; only the iframe page is HTML.
	if strings.HasPrefix(p, "/widgets/") && !strings.HasPrefix(p, "/widgets/v1/frame/") {
		return false
	}
	return true
}

// Errors renders an app's errors: problem+json for the API, an error page
// for the UI (HTML, set by the UI when it mounts); 5xx errors are logged
// through Log with their cause. Each app has its own.
type Errors struct {
	Log  *slog.Logger
	HTML func(c *fiber.Ctx, p Problem) error
}

// ErrorHandler returns Fiber's error handler for log, without an HTML renderer.
func ErrorHandler(log *slog.Logger) fiber.ErrorHandler { return (&Errors{Log: log}).Handle }

// Handle is a Fiber error handler.
func (h *Errors) Handle(c *fiber.Ctx, err error) error {
	log := h.Log
	e := AsError(err)
	loc := Loc(c)
	p := e.Localize(loc)
	p.Instance = c.Path()
	if e.Status == fiber.StatusServiceUnavailable {
		// Busy (a lock wait ran out) or a dependency down: worth retrying.
		c.Set(fiber.HeaderRetryAfter, "1")
	}
	if e.Status >= 500 {
		log.Error("request failed", "request_id", RequestID(c), "method", c.Method(), "path", c.Path(), "status", e.Status, "err", err)
	}
	if WantsHTML(c) && h.HTML != nil {
		c.Status(e.Status)
		return h.HTML(c, p)
	}
	c.Status(e.Status)
	c.Set(fiber.HeaderContentType, "application/problem+json; charset=utf-8")
	c.Set(fiber.HeaderContentLanguage, loc.Lang)
	return c.JSON(p, "application/problem+json; charset=utf-8")
}

// statusOf is the one table from domain error kinds to HTTP statuses.
var statusOf = map[fail.Kind]int{
	fail.Internal:        500,
	fail.Invalid:         422,
	fail.BadRequest:      400,
	fail.Unauthorized:    401,
	fail.Forbidden:       403,
	fail.NotFound:        404,
	fail.Gone:            410,
	fail.Conflict:        409,
	fail.TooLarge:        413,
	fail.UnsupportedType: 415,
	fail.RateLimited:     429,
	fail.Unavailable:     503,
}

// fromDomain maps a domain error to a client error.
func fromDomain(de *fail.Error) *Error {
	st, ok := statusOf[de.Kind]
	if !ok {
		st = 500
	}
	e := &Error{Status: st, Code: de.Code, MsgID: de.MsgID, Data: de.Data, Err: de.Err}
	for _, f := range de.Fields {
		e.Fields = append(e.Fields, FieldError{Field: fail.Name(f.Pointer), Code: f.Code, msgID: f.MsgID, data: f.Data})
	}
	return e
}

// localizeField fills in a field error's pointer, label and message. The
// label is the message LabelX for the field's last named segment (see
// fail.LabelID); a field without one gets its name in words, never the raw
// snake_case. Templates get the label as Field and the name as sent as Name;
// numbers are written the language's way (0,1 in Norwegian) and a JSON type
// (Expected) as a word.
func localizeField(l *locales.Localizer, f FieldError) FieldError {
	f.Pointer = fail.Pointer(f.Field)
	if id := fail.LabelID(f.Pointer); id != "LabelField" && l.Has(id) {
		f.Label = l.T(id)
	} else {
		f.Label = humanize(f.Pointer)
	}
	data := make([]any, 0, len(f.data)+4)
	for i := 0; i+1 < len(f.data); i += 2 {
		k, val := f.data[i], f.data[i+1]
		if k == "Expected" {
			val = l.T("Expected" + jsonKind(fmt.Sprint(val)))
		} else {
			val = localNumber(l.Lang, val)
		}
		data = append(data, k, val)
	}
	data = append(data, "Field", f.Label, "Name", f.Field)
	f.Message = l.T(f.msgID, data...)
	return f
}

// humanize writes a pointer's last named segment in words:
// "/lines/0/grain_max_mm" → "Grain max mm"; a UI form's "v_" prefix (one
// input per analysis parameter) is dropped.
func humanize(pointer string) string {
	parts := strings.Split(pointer, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		p := strings.NewReplacer("~1", "/", "~0", "~").Replace(parts[i])
		if p == "" || strings.Trim(p, "0123456789") == "" {
			continue
		}
		p = strings.TrimPrefix(p, "v_")
		p = strings.TrimSpace(strings.NewReplacer("_", " ", "-", " ").Replace(p))
		if p == "" {
			break
		}
		r, n := utf8.DecodeRuneInString(p)
		return string(unicode.ToUpper(r)) + p[n:]
	}
	return pointer
}

// jsonKind names the JSON kind of a Go type name from a decode error
// ("float64" → Number), for the message Expected<Kind>.
func jsonKind(goType string) string {
	switch {
	case goType == "number" || strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint") || strings.HasPrefix(goType, "float"):
		return "Number"
	case goType == "string" || goType == "text":
		return "Text"
	case goType == "bool":
		return "Bool"
	case goType == "list":
		return "List"
	case strings.HasPrefix(goType, "[]"):
		return "List"
	case strings.HasPrefix(goType, "map[") || strings.Contains(goType, ".") || goType == "object":
		return "Object"
	}
	return "Value"
}

// localNumber writes a fractional number with a decimal comma in Norwegian.
func localNumber(lang string, v any) any {
	var x float64
	switch n := v.(type) {
	case float64:
		x = n
	case float32:
		x = float64(n)
	default:
		return v
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
