package stats

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// Routes registers the open statistics API on the tenant router.
func (s *Service) Routes(r fiber.Router) {
	r.Get("/stats", s.get)
}

// Localized returns the statistics with fraction names in the caller's language.
func (s *Service) Localized(c *fiber.Ctx) (*Stats, error) {
	t := request.Tenant(c)
	st, err := s.For(request.Ctx(c), t.ID, t.Slug)
	if err != nil {
		return nil, err
	}
	out := *st
	out.Fractions = make([]Fraction, len(st.Fractions))
	loc := httpx.Loc(c)
	for i, f := range st.Fractions {
		f.Name = loc.T("Fraction_" + f.Code)
		out.Fractions[i] = f
	}
	return &out, nil
}

func (s *Service) get(c *fiber.Ctx) error {
	if err := request.Authorize(c, "statistics", "read"); err != nil {
		return err
	}
	st, err := s.Localized(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*") // open data; no credentials
	c.Set(fiber.HeaderCacheControl, "public, max-age=15")
	return c.JSON(st)
}
