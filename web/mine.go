package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/dialog"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// MineData feeds "Mitt": one page per person with what is theirs to follow
// and to do in the region.
type MineData struct {
	Orgs     []orgChoice
	Listings []market.Listing
	Dialogs  []dialog.Dialog
	// Tasks waiting for the caller: membership requests and vehicles to
	// decide, dialogs with unread messages, unread notifications.
	Pending       []directory.Membership
	Vehicles      []directory.Vehicle
	UnreadDialogs int
	UnreadInbox   int64

	// AGREEMENTS: agreements in progress and those awaiting the caller's
	// signature. The agreements feature fills this (web/mine.go, mineData)
	// and shows it in the marked place of mine.html.
	Agreements any
}

// mineRows is how many listings and dialogs "Mitt" shows.
const mineRows = 50

func (u *UI) minePage(c *fiber.Ctx) error {
	d, err := u.mineData(c)
	if err != nil {
		return err
	}
	return u.render(c, "mine", u.page(c, httpx.Loc(c).T("NavMitt"), d))
}

func (u *UI) mineData(c *fiber.Ctx) (*MineData, error) {
	ctx := request.Ctx(c)
	p := request.Principal(c)
	d := &MineData{}
	var err error
	if d.Orgs, err = u.myOrgs(c); err != nil {
		return nil, err
	}
	for _, o := range d.Orgs {
		rows, err := u.A.Market.List(ctx, market.Filter{OrganizationID: o.ID}, page.Request{Limit: mineRows})
		if err != nil {
			return nil, err
		}
		d.Listings = append(d.Listings, rows.Items...)
	}
	dl, err := u.A.Dialogs.List(ctx, dialog.Filter{}, page.Request{Limit: mineRows})
	if err != nil {
		return nil, err
	}
	for _, x := range dl.Items {
		if x.Side == "" {
			continue // a supervisor's view of dialogs is not theirs to follow
		}
		d.Dialogs = append(d.Dialogs, x)
		if x.Unread > 0 {
			d.UnreadDialogs++
		}
	}
	for orgID, role := range p.Orgs {
		if role != directory.AdminRole {
			continue
		}
		ms, err := u.A.Directory.Memberships(ctx, directory.MembershipFilter{OrganizationID: orgID, Status: directory.StatusPending, Page: meRows})
		if err != nil {
			return nil, err
		}
		d.Pending = append(d.Pending, ms.Items...)
		if request.Can(c, "vehicles", "approve") {
			vs, err := u.A.Directory.Vehicles(ctx, orgID, page.Request{Limit: directory.VehiclePages.Max})
			if err != nil {
				return nil, err
			}
			for _, v := range vs.Items {
				if v.Status == "pending" {
					d.Vehicles = append(d.Vehicles, v)
				}
			}
		}
	}
	if d.UnreadInbox, err = u.A.Notify.Unread(ctx); err != nil {
		return nil, err
	}
	// Agreements in progress and awaiting the caller (web/agreements.go).
	if d.Agreements, err = u.mineAgreements(c); err != nil {
		return nil, err
	}
	return d, nil
}
