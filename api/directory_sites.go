package api

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// siteFilter reads SiteQuery and the page.
func siteFilter(c *fiber.Ctx) (directory.SiteFilter, error) {
	pr, err := httpx.PageRequest(c, directory.SitePages)
	if err != nil {
		return directory.SiteFilter{}, err
	}
	return directory.SiteFilter{Kind: c.Query("kind"), Phase: c.Query("phase"), FacilityType: c.Query("facility_type"),
		Municipality: c.Query("municipality"), Q: c.Query("q"), Page: pr}, nil
}

func listSites(s *directory.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, err := siteFilter(c)
		if err != nil {
			return err
		}
		p, err := s.ListSites(request.Ctx(c), f)
		if err != nil {
			return err
		}
		return c.JSON(p)
	}
}

func listOrgSites(s *directory.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		f, err := siteFilter(c)
		if err != nil {
			return err
		}
		f.OrganizationID = id
		p, err := s.ListSites(request.Ctx(c), f)
		if err != nil {
			return err
		}
		return c.JSON(p)
	}
}

func getSite(s *directory.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		st, err := s.GetSite(request.Ctx(c), id)
		if err != nil {
			return err
		}
		return c.JSON(st)
	}
}

// mapGeoJSON answers the sites as a GeoJSON feature collection, at most
// directory.MaxMapFeatures of them (documented; the map has no pages).
func mapGeoJSON(s *directory.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		// limit is not a map parameter, but an out-of-range one has always
		// been refused here; the cursor is not read.
		if _, err := directory.SitePages.Parse(c.Query("limit"), ""); err != nil {
			return err
		}
		f := directory.SiteFilter{Kind: c.Query("kind"), Phase: c.Query("phase"), FacilityType: c.Query("facility_type"),
			Municipality: c.Query("municipality"), Q: c.Query("q")}
		fc, err := s.MapFeatures(request.Ctx(c), f)
		if err != nil {
			return err
		}
		b, err := json.Marshal(fc)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "application/geo+json")
		return c.Send(b)
	}
}
