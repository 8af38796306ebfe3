package api

import (
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

func (h *marketAPI) samples(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, market.SampleBounds)
	if err != nil {
		return err
	}
	p, err := h.m.Samples(request.Ctx(c), c.Params("id"), pr)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *marketAPI) addSample(c *fiber.Ctx) error {
	var in market.SampleInput
	if err := httpx.DecodeJSON(c, &in); err != nil {
		return err
	}
	sm, err := h.m.AddSample(request.Ctx(c), c.Params("id"), &in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(sm)
}

func (h *marketAPI) importSamples(c *fiber.Ctx) error {
	f, err := FormUpload(c, "file")
	if err != nil {
		return err
	}
	out, err := h.m.ImportSamples(request.Ctx(c), c.Params("id"), f)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(sampleList{Items: out})
}

func (h *marketAPI) documents(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, market.SampleBounds)
	if err != nil {
		return err
	}
	p, err := h.m.Documents(request.Ctx(c), c.Params("id"), pr)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *marketAPI) uploadDocument(c *fiber.Ctx) error {
	f, err := FormUpload(c, "file")
	if err != nil {
		return err
	}
	d, err := h.m.UploadDocument(request.Ctx(c), c.Params("id"), c.FormValue("kind"), f)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(d)
}

func (h *marketAPI) downloadDocument(c *fiber.Ctx) error {
	d, data, err := h.m.OpenDocument(request.Ctx(c), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, d.ContentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+strings.ReplaceAll(d.Filename, `"`, "")+`"`)
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("Digest", "sha-256="+d.SHA256)
	c.Set(fiber.HeaderContentLength, strconv.Itoa(len(data)))
	return c.Send(data)
}

func (h *marketAPI) deleteDocument(c *fiber.Ctx) error {
	if err := h.m.DeleteDocument(request.Ctx(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// FormUpload reads the multipart file field as a market upload: nil when
// none was sent; at most one byte more than market.MaxDocument is read, so
// the market can refuse a larger file.
func FormUpload(c *fiber.Ctx, field string) (*market.Upload, error) {
	fh, err := c.FormFile(field)
	if err != nil || fh == nil {
		return nil, nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, market.MaxDocument+1))
	if err != nil {
		return nil, err
	}
	return &market.Upload{Filename: fh.Filename, ContentType: fh.Header.Get(fiber.HeaderContentType), Data: data}, nil
}
