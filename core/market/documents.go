package market

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/blob"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
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

// Documents lists a listing's documents.
func (s *Service) Documents(c *fiber.Ctx, listingID string) ([]Document, error) {
	var out []Document
	err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error {
		return tx.Where("listing_id = ?", listingID).Order("created_at").Find(&out).Error
	})
	if out == nil {
		out = []Document{}
	}
	return out, err
}

// documentAccess: quality documents are for members of the tenant and the
// owner; a listing the caller cannot see at all is not found.
func documentAccess(c *fiber.Ctx, l *Listing) error {
	switch AccessTo(c, l) {
	case Full, Member:
		return nil
	case Hidden:
		return httpx.NotFound()
	}
	if request.Principal(c).Anonymous() {
		return httpx.Unauthorized()
	}
	return httpx.Forbidden()
}

// Upload validates and stores a document for a listing the caller may edit.
func (s *Service) Upload(c *fiber.Ctx, listingID, kind string, fh *multipart.FileHeader) (*Document, error) {
	l, err := s.editable(c, listingID)
	if err != nil {
		return nil, err
	}
	v := &httpx.Validation{}
	if !inSet(kind, DocumentKinds) {
		enumErr(v, "kind", DocumentKinds)
		return nil, v.Err()
	}
	if fh == nil {
		v.Add("file", "required", "ErrFieldRequired")
		return nil, v.Err()
	}
	if fh.Size > MaxDocument {
		return nil, httpx.NewError(413, "too_large", "ErrUploadTooLarge", "Max", "20 MB")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxDocument+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxDocument {
		return nil, httpx.NewError(413, "too_large", "ErrUploadTooLarge", "Max", "20 MB")
	}
	if len(data) == 0 {
		return nil, httpx.NewError(400, "empty_body", "ErrEmptyBody")
	}
	name := filepath.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
	if len([]rune(name)) > 200 || !utf8.ValidString(name) || strings.ContainsAny(name, "\x00\r\n\"") {
		v.Add("file", "name", "ErrFieldInvalid")
		return nil, v.Err()
	}
	ct, err := Sniff(name, data)
	switch {
	case errors.Is(err, errUploadType):
		return nil, httpx.NewError(415, "upload_type", "ErrDocumentType")
	case errors.Is(err, errUploadMismatch):
		return nil, httpx.NewError(415, "upload_mismatch", "ErrDocumentMismatch", "Name", name)
	}
	sum := sha256.Sum256(data)
	d := &Document{ID: store.NewID(), ListingID: l.ID, Kind: kind, Filename: name, ContentType: ct, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: request.Principal(c).UserID()}
	d.BlobKey = request.Tenant(c).ID + "/" + d.ID
	if err := s.Blobs.Put(request.Ctx(c), d.BlobKey, bytes.NewReader(data)); err != nil {
		return nil, err
	}
	if err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error { return tx.Create(d).Error }); err != nil {
		_ = s.Blobs.Delete(request.Ctx(c), d.BlobKey) // nothing half-saved
		return nil, err
	}
	return d, nil
}

func (s *Service) uploadDocument(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "update"); err != nil {
		return err
	}
	fh, _ := c.FormFile("file")
	d, err := s.Upload(c, c.Params("id"), c.FormValue("kind"), fh)
	if err != nil {
		return err
	}
	return c.Status(201).JSON(d)
}

func (s *Service) listDocuments(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "read"); err != nil {
		return err
	}
	l, err := s.Get(c, c.Params("id"))
	if err != nil {
		return err
	}
	if err := documentAccess(c, l); err != nil {
		return err
	}
	out, err := s.Documents(c, l.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": out})
}

func (s *Service) document(c *fiber.Ctx) (*Document, *Listing, error) {
	id := c.Params("id")
	if !store.ValidID(id) {
		return nil, nil, httpx.NotFound()
	}
	var d Document
	err := s.DB.Read(request.Ctx(c), func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&d).Error })
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, httpx.NotFound()
	}
	if err != nil {
		return nil, nil, err
	}
	l, err := s.Get(c, d.ListingID)
	if err != nil {
		return nil, nil, err
	}
	return &d, l, nil
}

func (s *Service) downloadDocument(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "read"); err != nil {
		return err
	}
	d, l, err := s.document(c)
	if err != nil {
		return err
	}
	if err := documentAccess(c, l); err != nil {
		return err
	}
	rc, err := s.Blobs.Get(request.Ctx(c), d.BlobKey)
	if errors.Is(err, blob.ErrNotFound) {
		return httpx.NotFound()
	}
	if err != nil {
		return err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != d.SHA256 {
		return httpx.NewError(500, "checksum", "ErrInternal")
	}
	c.Set(fiber.HeaderContentType, d.ContentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+strings.ReplaceAll(d.Filename, `"`, "")+`"`)
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Digest", "sha-256="+d.SHA256)
	c.Set(fiber.HeaderContentLength, strconv.Itoa(len(data)))
	return c.Send(data)
}

func (s *Service) deleteDocument(c *fiber.Ctx) error {
	if err := request.Authorize(c, "listings", "update"); err != nil {
		return err
	}
	d, l, err := s.document(c)
	if err != nil {
		return err
	}
	if _, err := s.editable(c, l.ID); err != nil {
		return err
	}
	if err := s.DB.Tx(request.Ctx(c), func(tx *gorm.DB) error { return tx.Where("id = ?", d.ID).Delete(&Document{}).Error }); err != nil {
		return err
	}
	_ = s.Blobs.Delete(request.Ctx(c), d.BlobKey)
	return c.SendStatus(204)
}
