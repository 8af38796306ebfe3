package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
)

// MaxJSONBody is the largest JSON request body the API accepts.
const MaxJSONBody = 256 << 10

// DecodeJSON strictly decodes the request body into v: the content type must
// be JSON, unknown fields and trailing data are rejected, and a type mismatch
// names the field.
func DecodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/merge-patch+json") {
		return NewError(415, "unsupported_media_type", "ErrContentTypeJSON")
	}
	body := c.Body()
	if len(body) > MaxJSONBody {
		return NewError(413, "too_large", "ErrBodyTooLarge")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return NewError(400, "empty_body", "ErrEmptyBody")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			v := &fail.Validation{}
			v.Add(te.Field, "type", "ErrFieldType", "Expected", kindOf(te.Type))
			return v.Err()
		case errors.As(err, &se):
			return NewError(400, "malformed_json", "ErrMalformedJSON", "Offset", se.Offset)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			v := &fail.Validation{}
			v.Add(f, "unknown", "ErrFieldUnknown")
			return v.Err()
		default:
			return NewError(400, "malformed_json", "ErrMalformedJSON", "Offset", 0)
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return NewError(400, "malformed_json", "ErrMalformedJSON", "Offset", dec.InputOffset())
	}
	return nil
}

// Page is a cursor-paginated list response.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Limit parses ?limit= (default def, 1..max).
func Limit(c *fiber.Ctx, def, max int) (int, error) {
	s := c.Query("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		v := &fail.Validation{}
		v.Add("limit", "range", "ErrFieldRange", "Min", 1, "Max", max)
		return 0, v.Err()
	}
	return n, nil
}

// kindOf names the JSON kind a Go type decodes from, for ErrFieldType.
func kindOf(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "bool"
	case reflect.Slice, reflect.Array:
		return "list"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return "value"
}

// PageRequest reads ?limit= and ?cursor= within a list's bounds.
func PageRequest(c *fiber.Ctx, b page.Bounds) (page.Request, error) {
	return b.Parse(c.Query("limit"), c.Query("cursor"))
}
