package market

import (
	"errors"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/masseflyt/masseflyt/core/fail"
)

// CheckUpload is the one check of an uploaded file, for documents and for
// every other feature that takes files (dialog attachments): it was sent
// (f nil: field is required), it is neither empty nor larger than
// MaxDocument, its name is sane, and its bytes are what its name says
// (Sniff). It returns the cleaned file name and the type read from the
// bytes.
func CheckUpload(field string, f *Upload) (name, contentType string, err error) {
	v := &fail.Validation{}
	if f == nil {
		v.Add(field, "required", "ErrFieldRequired")
		return "", "", v.Err()
	}
	data := f.Data
	if len(data) > MaxDocument {
		return "", "", errTooLarge()
	}
	if len(data) == 0 {
		return "", "", fail.New(fail.BadRequest, "empty_body", "ErrEmptyBody")
	}
	name = filepath.Base(strings.ReplaceAll(f.Filename, "\\", "/"))
	if len([]rune(name)) > 200 || !utf8.ValidString(name) || strings.ContainsAny(name, "\x00\r\n\"") {
		v.Add(field, "name", "ErrFieldInvalid")
		return "", "", v.Err()
	}
	ct, err := Sniff(name, data)
	switch {
	case errors.Is(err, errUploadType):
		return "", "", fail.New(fail.UnsupportedType, "upload_type", "ErrDocumentType")
	case errors.Is(err, errUploadMismatch):
		return "", "", fail.New(fail.UnsupportedType, "upload_mismatch", "ErrDocumentMismatch", "Name", name)
	}
	return name, ct, nil
}
