package api

import (
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/dialog"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// dialogAPI holds the REST handlers of dialogs about masses (K11, B6).
type dialogAPI struct{ d *dialog.Service }

// dialogsQuery documents the dialog list's filter.
type dialogsQuery struct {
	ListingID string `query:"listing_id" doc:"Only the dialogs about this listing"`
}

// attachmentUpload is a message with files (multipart/form-data).
type attachmentUpload struct {
	File []byte `form:"file" doc:"A file (PDF, PNG, JPEG, WebP, XLSX or CSV; its bytes must be what its name says); repeat the field for up to 5, together at most MASSEFLYT_MAX_UPLOAD (20 MB)"`
	Text string `form:"text" doc:"The message's text (optional with files)"`
}

// disclosureList is the record of a dialog's disclosures.
type disclosureList struct {
	Items []dialog.Disclosure `json:"items"`
}

func dialogRoutes(a *app.App) []route.Route {
	h := &dialogAPI{d: a.Dialogs}
	files := []string{pdfType, "image/png", "image/jpeg", "image/webp", xlsxType, "text/csv"}
	return []route.Route{
		{Method: "GET", Path: "/dialogs", Perm: access.DialogsRead, Handler: h.list,
			Doc: &route.Doc{ID: "listDialogs", Summary: "Your organizations' dialogs about listings, unread first, then latest first; for supervisors and tenant admins every dialog's existence (parties, listing, dates, counts), never its content", Tag: "Dialogs",
				Query: dialogsQuery{}, Page: dialog.DialogBounds, Out: page.Page[dialog.Dialog]{}}},
		{Method: "POST", Path: "/dialogs", Perm: access.DialogsWrite, Handler: h.open,
			Doc: &route.Doc{ID: "openDialog", Summary: "Contact a listing's owner: open a dialog between your organization and theirs about the listing (or get the one you have), optionally with a first message", Tag: "Dialogs",
				In: dialog.OpenInput{}, Out: dialog.Dialog{}, Errors: []int{409}, Example: map[string]any{"listing_id": "0190d4f2-8c1e-7a6b-9c3d-2e4f5a6b7c8d", "text": "Hei! Er massene fortsatt tilgjengelige i mars?"}}},
		{Method: "GET", Path: "/dialogs/:id", Perm: access.DialogsRead, Handler: h.get,
			Doc: &route.Doc{ID: "getDialog", Summary: "One dialog: its parties, listing, disclosure and counts (with your unread count when you take part)", Tag: "Dialogs", Out: dialog.Dialog{}}},
		{Method: "GET", Path: "/dialogs/:id/messages", Perm: access.DialogsRead, Handler: h.messages,
			Doc: &route.Doc{ID: "listDialogMessages", Summary: "A dialog's messages, oldest first, with attachments and who of the other side has seen each (the two organizations' members only)", Tag: "Dialogs",
				Page: dialog.MessageBounds, Out: page.Page[dialog.Message]{}}},
		{Method: "POST", Path: "/dialogs/:id/messages", Perm: access.DialogsWrite, Handler: h.post,
			Doc: &route.Doc{ID: "postDialogMessage", Summary: "Write in a dialog (members of its two organizations)", Tag: "Dialogs", In: dialog.PostInput{}, Out: dialog.Message{}, Status: 201,
				Example: map[string]any{"text": "Vi kan hente fra uke 12."}}},
		{Method: "POST", Path: "/dialogs/:id/attachments", Perm: access.DialogsWrite, Handler: h.upload,
			Doc: &route.Doc{ID: "postDialogAttachments", Summary: "Write in a dialog with files attached (checked as documents are: type from the bytes, at most 20 MB each)", Tag: "Dialogs",
				Upload: attachmentUpload{}, Out: dialog.Message{}, Status: 201, Errors: []int{413, 415}}},
		{Method: "GET", Path: "/attachments/:id", Perm: access.DialogsRead, Handler: h.download,
			Doc: &route.Doc{ID: "downloadDialogAttachment", Summary: "Download a dialog's attachment (members of its two organizations)", Tag: "Dialogs", Files: files}},
		{Method: "POST", Path: "/dialogs/:id/read", Perm: access.DialogsRead, Handler: h.read,
			Doc: &route.Doc{ID: "readDialog", Summary: "Mark a dialog's messages read", Tag: "Dialogs", Status: 204}},
		{Method: "GET", Path: "/dialogs/:id/disclosure", Perm: access.DialogsRead, Handler: h.history,
			Doc: &route.Doc{ID: "listDisclosures", Summary: "The record of the owner's disclosures in a dialog (who revealed or took back, when), oldest first", Tag: "Dialogs", Out: disclosureList{}}},
		{Method: "POST", Path: "/dialogs/:id/disclosure", Perm: access.DialogsWrite, Handler: h.disclose(true),
			Doc: &route.Doc{ID: "grantDisclosure", Summary: "Reveal the listing's exact point, quantity and price to the dialog's counterpart (the owner's side, B6)", Tag: "Dialogs", Out: dialog.Dialog{}}},
		{Method: "DELETE", Path: "/dialogs/:id/disclosure", Perm: access.DialogsWrite, Handler: h.disclose(false),
			Doc: &route.Doc{ID: "revokeDisclosure", Summary: "Take the disclosure back: from now on the counterpart sees the listing as before", Tag: "Dialogs", Out: dialog.Dialog{}}},
	}
}

func (h *dialogAPI) list(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, dialog.DialogBounds)
	if err != nil {
		return err
	}
	p, err := h.d.List(request.Ctx(c), dialog.Filter{ListingID: c.Query("listing_id")}, pr)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *dialogAPI) open(c *fiber.Ctx) error {
	var in dialog.OpenInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	d, _, err := h.d.Open(request.Ctx(c), in)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (h *dialogAPI) get(c *fiber.Ctx) error {
	d, err := h.d.Get(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (h *dialogAPI) messages(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, dialog.MessageBounds)
	if err != nil {
		return err
	}
	p, err := h.d.Messages(request.Ctx(c), c.Params("id"), pr)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *dialogAPI) post(c *fiber.Ctx) error {
	var in dialog.PostInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	m, err := h.d.Post(request.Ctx(c), c.Params("id"), in, nil)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

func (h *dialogAPI) upload(c *fiber.Ctx) error {
	files, err := FormUploads(c, "file")
	if err != nil {
		return err
	}
	m, err := h.d.Post(request.Ctx(c), c.Params("id"), dialog.PostInput{Text: c.FormValue("text")}, files)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

// FormUploads reads every file of a multipart field (at most one byte more
// than market.MaxDocument of each, so the domain can refuse a larger one).
func FormUploads(c *fiber.Ctx, field string) ([]*market.Upload, error) {
	form, err := c.MultipartForm()
	if err != nil || form == nil {
		return nil, nil
	}
	var out []*market.Upload
	for i, fh := range form.File[field] {
		if i > dialog.MaxAttachments { // enough to refuse too many
			break
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(f, market.MaxDocument+1))
		_ = f.Close()
		if err != nil {
			return nil, err
		}
		if fh.Filename == "" && len(data) == 0 { // a form's empty file input
			continue
		}
		out = append(out, &market.Upload{Filename: fh.Filename, ContentType: fh.Header.Get(fiber.HeaderContentType), Data: data})
	}
	return out, nil
}

func (h *dialogAPI) download(c *fiber.Ctx) error {
	at, data, err := h.d.Attachment(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	SendFile(c, at.ContentType, at.Filename, at.SHA256, data)
	return c.Send(data)
}

// SendFile sets the headers of a stored file sent for download: its type,
// an attachment disposition, a sandbox, no caching, its checksum.
func SendFile(c *fiber.Ctx, contentType, filename, sha string, data []byte) {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+strings.ReplaceAll(filename, `"`, "")+`"`)
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Digest", "sha-256="+sha)
	c.Set(fiber.HeaderContentLength, strconv.Itoa(len(data)))
}

func (h *dialogAPI) read(c *fiber.Ctx) error {
	if err := h.d.MarkRead(request.Ctx(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *dialogAPI) history(c *fiber.Ctx) error {
	out, err := h.d.History(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	if out == nil {
		out = []dialog.Disclosure{}
	}
	return c.JSON(disclosureList{Items: out})
}

func (h *dialogAPI) disclose(on bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		d, err := h.d.SetDisclosure(request.Ctx(c), c.Params("id"), on)
		if err != nil {
			return err
		}
		return c.JSON(d)
	}
}
