package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/api"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// A listing's quality data: lab samples (one by form, many by file) and
// documents. A refused form shows the listing page with its errors.

func (u *UI) listingSample(c *fiber.Ctx) error {
	in := &market.SampleInput{Name: c.FormValue("name"), Lab: c.FormValue("lab"), TakenOn: c.FormValue("taken_on")}
	v := &fail.Validation{}
	for _, p := range market.TA2553 {
		s := strings.TrimSpace(c.FormValue("v_" + p.Key))
		if s == "" {
			continue
		}
		x, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
		if err != nil {
			v.Add("v_"+p.Key, "type", "ErrFieldType", "Expected", "number")
			continue
		}
		in.Values = append(in.Values, market.SampleValue{Parameter: p.Key, Value: x, Unit: c.FormValue("unit")})
	}
	err := v.Err()
	if err == nil {
		_, err = u.A.Market.AddSample(request.Ctx(c), c.Params("id"), in)
	}
	if err != nil {
		if he := httpx.AsError(err); he.Status != 422 {
			return err
		}
		return u.listingShowWithError(c, err)
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/listings/"+c.Params("id")+"?notice=Saved#samples", fiber.StatusSeeOther)
}

func (u *UI) listingUpload(c *fiber.Ctx) error {
	f, err := api.FormUpload(c, "file")
	if err != nil {
		return err
	}
	if _, err := u.A.Market.UploadDocument(request.Ctx(c), c.Params("id"), c.FormValue("kind"), f); err != nil {
		if he := httpx.AsError(err); he.Status == 422 || he.Status == 413 || he.Status == 415 || he.Status == 400 {
			return u.listingShowWithError(c, err)
		}
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/listings/"+c.Params("id")+"?notice=Saved#documents", fiber.StatusSeeOther)
}

func (u *UI) listingImport(c *fiber.Ctx) error {
	f, err := api.FormUpload(c, "file")
	if err != nil {
		return err
	}
	if _, err := u.A.Market.ImportSamples(request.Ctx(c), c.Params("id"), f); err != nil {
		// A refused file (named by row and column, too large, not CSV or
		// XLSX) shows the listing page with the reasons.
		if he := httpx.AsError(err); he.Status == 422 || he.Status == 415 || he.Status == 413 {
			return u.listingShowWithError(c, err)
		}
		return err
	}
	return c.Redirect("/t/"+request.Tenant(c).Slug+"/listings/"+c.Params("id")+"?notice=Saved#samples", fiber.StatusSeeOther)
}
