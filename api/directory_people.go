package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

func listContacts(s *directory.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		pr, err := httpx.PageRequest(c, directory.ContactPages)
		if err != nil {
			return err
		}
		p, err := s.Contacts(request.Ctx(c), id, pr)
		if err != nil {
			return err
		}
		return c.JSON(p)
	}
}

func listVehicles(s *directory.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		pr, err := httpx.PageRequest(c, directory.VehiclePages)
		if err != nil {
			return err
		}
		p, err := s.Vehicles(request.Ctx(c), id, pr)
		if err != nil {
			return err
		}
		return c.JSON(p)
	}
}

func decideVehicle(s *directory.Service, status string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		vh, err := s.DecideVehicle(request.Ctx(c), id, status)
		if err != nil {
			return err
		}
		return c.JSON(vh)
	}
}

func listOrgMemberships(s *directory.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		pr, err := httpx.PageRequest(c, directory.MembershipPages)
		if err != nil {
			return err
		}
		p, err := s.Memberships(request.Ctx(c), directory.MembershipFilter{OrganizationID: id, Status: c.Query("status"), Page: pr})
		if err != nil {
			return err
		}
		return c.JSON(p)
	}
}

// listMemberships lists the caller's own memberships, or with ?all=1 every
// membership in the tenant (tenant admins and supervisors).
func listMemberships(s *directory.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := request.Ctx(c)
		all := c.Query("all") == "1"
		if all {
			if err := access.Authorize(ctx, access.MembershipsRead.Object, access.MembershipsRead.Action); err != nil {
				return err
			}
		}
		pr, err := httpx.PageRequest(c, directory.MembershipPages)
		if err != nil {
			return err
		}
		p, err := s.Memberships(ctx, directory.MembershipFilter{All: all, Status: c.Query("status"), Page: pr})
		if err != nil {
			return err
		}
		return c.JSON(p)
	}
}

// endMembership ends an approved representation.
func endMembership(s *directory.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c)
		if err != nil {
			return err
		}
		m, err := s.EndMembership(request.Ctx(c), id)
		if err != nil {
			return err
		}
		return c.JSON(m)
	}
}

func decideMembership(s *directory.Service, status string) fiber.Handler {
	return optionalBody(200, func(ctx context.Context, id string, in *directory.DecisionInput) (*directory.Membership, error) {
		return s.DecideMembership(ctx, id, status, in.Role)
	})
}
