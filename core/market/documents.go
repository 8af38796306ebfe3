package market

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/blob"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/core/store"
)

// Document kinds.
var DocumentKinds = []string{"analysis_report", "environmental_report", "self_declaration", "photo", "other"}

// MaxDocument is the largest upload accepted.
const MaxDocument = 20 << 20

// Document is a file attached to a listing (a tenant table).
type Document struct {
	store.TenantRow
	ID          string    `gorm:"primaryKey" json:"id"`
	ListingID   string    `json:"listing_id"`
	Kind        string    `json:"kind"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `gorm:"column:sha256" json:"sha256"`
	BlobKey     string    `json:"-"`
	UploadedBy  string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}

func (Document) TableName() string { return "documents" }

// allowed maps a file extension to the content types its bytes may have.
var allowed = map[string][]string{
	".pdf": {"application/pdf"}, ".png": {"image/png"}, ".jpg": {"image/jpeg"}, ".jpeg": {"image/jpeg"},
	".webp": {"image/webp"}, ".xlsx": {xlsxType}, ".csv": {"text/csv"},
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Sniff decides what a file is from its bytes and checks its name agrees:
// a PDF named .png, or an executable named .pdf, is refused.
func Sniff(name string, data []byte) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	want, ok := allowed[ext]
	if !ok {
		return "", errUploadType
	}
	ct := http.DetectContentType(data)
	switch {
	case ct == "application/zip" || ct == "application/x-zip-compressed":
		ct = ""
		if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
			for _, f := range zr.File {
				if f.Name == "xl/workbook.xml" {
					ct = xlsxType
					break
				}
			}
		}
	case strings.HasPrefix(ct, "text/plain"):
		if utf8.Valid(data) && bytes.ContainsAny(data, ",;\t") {
			ct = "text/csv"
		}
	}
	for _, w := range want {
		if ct == w {
			return ct, nil
		}
	}
	return "", errUploadMismatch
}

var (
	errUploadType     = errors.New("upload: type not allowed")
	errUploadMismatch = errors.New("upload: content does not match the name")
)

// Upload is a file as sent: its name, the type the sender declared (the
// market trusts only the bytes) and its content.
type Upload struct {
	Filename    string
	ContentType string
	Data        []byte
}

func errTooLarge() error {
	return fail.New(fail.TooLarge, "too_large", "ErrUploadTooLarge", "Max", "20 MB")
}

// Documents returns a page of a listing's documents, oldest first: for
// members of the tenant and the owner.
func (s *Service) Documents(ctx context.Context, listingID string, r page.Request) (page.Page[Document], error) {
	l, err := s.Find(ctx, listingID)
	if err != nil {
		return page.Page[Document]{}, err
	}
	if err := documentAccess(ctx, l); err != nil {
		return page.Page[Document]{}, err
	}
	var out []Document
	err = s.DB.Read(ctx, func(tx *gorm.DB) error {
		q, err := afterCreated(tx.Where("listing_id = ?", l.ID), r.Cursor)
		if err != nil {
			return err
		}
		return q.Order("created_at, id").Limit(r.Limit + 1).Find(&out).Error
	})
	if err != nil {
		return page.Page[Document]{}, err
	}
	return page.Cut(out, r.Limit, func(d Document) page.Key { return createdKey(d.CreatedAt, d.ID) }), nil
}

// UploadDocument validates and stores a document of kind for a listing the
// actor may change (f nil: no file was sent). The type is read from the
// bytes and must agree with the file name.
func (s *Service) UploadDocument(ctx context.Context, listingID, kind string, f *Upload) (*Document, error) {
	l, err := s.Editable(ctx, listingID)
	if err != nil {
		return nil, err
	}
	v := &fail.Validation{}
	if !inSet(kind, DocumentKinds) {
		enumErr(v, "kind", DocumentKinds)
		return nil, v.Err()
	}
	name, ct, err := CheckUpload("file", f)
	if err != nil {
		return nil, err
	}
	data := f.Data
	a := access.From(ctx)
	sum := sha256.Sum256(data)
	d := &Document{ID: store.NewID(), ListingID: l.ID, Kind: kind, Filename: name, ContentType: ct, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: a.UserID()}
	d.BlobKey = a.TenantID + "/" + d.ID
	if err := s.Blobs.Put(ctx, d.BlobKey, bytes.NewReader(data)); err != nil {
		return nil, err
	}
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(d).Error }); err != nil {
		_ = s.Blobs.Delete(ctx, d.BlobKey) // nothing half-saved
		return nil, err
	}
	return d, nil
}

// document reads a document and its listing.
func (s *Service) document(ctx context.Context, id string) (*Document, *Listing, error) {
	if !store.ValidID(id) {
		return nil, nil, fail.NotFoundErr()
	}
	var d Document
	err := s.DB.Read(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&d).Error })
	if err != nil {
		return nil, nil, store.NotFoundOr(err)
	}
	l, err := s.Find(ctx, d.ListingID)
	if err != nil {
		return nil, nil, err
	}
	return &d, l, nil
}

// OpenDocument returns a document and its content, checked against the
// checksum taken at upload, for members of the tenant and the owner.
func (s *Service) OpenDocument(ctx context.Context, id string) (*Document, []byte, error) {
	d, l, err := s.document(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := documentAccess(ctx, l); err != nil {
		return nil, nil, err
	}
	data, err := blob.ReadVerified(ctx, s.Blobs, d.BlobKey, d.SHA256)
	if err != nil {
		return nil, nil, err
	}
	return d, data, nil
}

// DeleteDocument removes a document of a listing the actor may change.
func (s *Service) DeleteDocument(ctx context.Context, id string) error {
	d, l, err := s.document(ctx, id)
	if err != nil {
		return err
	}
	if err := canEdit(ctx, l); err != nil {
		return err
	}
	if err := s.DB.Tx(ctx, func(tx *gorm.DB) error { return tx.Where("id = ?", d.ID).Delete(&Document{}).Error }); err != nil {
		return err
	}
	_ = s.Blobs.Delete(ctx, d.BlobKey)
	return nil
}
