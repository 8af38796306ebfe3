package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/core/account"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/matching"
	"github.com/masseflyt/masseflyt/core/notify"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// MeData feeds the personal page.
type MeData struct {
	Notifications []matching.Notification
	Memberships   []directory.Membership
	Pending       []directory.Membership
	Tokens        []auth.Token
	NewSecret     string
	// Mail is the e-mail preference and language (core/notify).
	Mail      notify.Preferences
	MailModes []string
}

func (u *UI) mePage(c *fiber.Ctx) error {
	return u.renderMe(c, "", nil)
}

// meRows is how many memberships (own, and pending decisions) the page shows.
var meRows = page.Request{Limit: directory.MembershipPages.Max}

func (u *UI) renderMe(c *fiber.Ctx, secret string, formErr error) error {
	p := request.Principal(c)
	ctx := request.Ctx(c)
	dir := u.A.Directory
	d := MeData{NewSecret: secret}
	mine, err := dir.Memberships(ctx, directory.MembershipFilter{Mine: true, Page: meRows})
	if err != nil {
		return err
	}
	d.Memberships = mine.Items
	if request.IsAdmin(c) {
		pending, err := dir.Memberships(ctx, directory.MembershipFilter{All: true, Status: directory.StatusPending, Page: meRows})
		if err != nil {
			return err
		}
		d.Pending = pending.Items
	} else {
		for orgID, role := range p.Orgs {
			if role != directory.AdminRole {
				continue
			}
			ms, err := dir.Memberships(ctx, directory.MembershipFilter{OrganizationID: orgID, Status: directory.StatusPending, Page: meRows})
			if err != nil {
				return err
			}
			d.Pending = append(d.Pending, ms.Items...)
		}
	}
	if p.Token == nil { // a token never manages tokens (account.Service)
		tokens, err := u.A.Account.Tokens(ctx)
		if err != nil {
			return err
		}
		d.Tokens = tokens.Items
	}
	if d.Notifications, err = u.notifications(c); err != nil {
		return err
	}
	if d.Mail, err = u.A.Notify.Preferences(ctx); err != nil {
		return err
	}
	d.MailModes = notify.MailModes
	pg := u.page(c, httpx.Loc(c).T("NavMe"), d)
	if formErr != nil {
		keepForm(c, pg)
		if ferr := formErrors(pg, formErr); ferr != nil {
			return ferr
		}
		c.Status(httpx.AsError(formErr).Status)
	}
	return u.render(c, "me", pg)
}

func (u *UI) tokenCreate(c *fiber.Ctx) error {
	days, _ := strconv.Atoi(c.FormValue("expires_in_days"))
	created, err := u.A.Account.Issue(request.Ctx(c), account.TokenInput{Name: c.FormValue("name"), Scopes: multi(c, "scopes"), ExpiresInDays: days})
	if err != nil {
		if fe, ok := fail.As(err); ok && fe.Kind == fail.Invalid {
			return u.renderMe(c, "", err)
		}
		return err
	}
	return u.renderMe(c, created.Secret, nil)
}

func (u *UI) tokenRevoke(c *fiber.Ctx) error {
	if err := u.A.Account.Revoke(request.Ctx(c), c.Params("id")); err != nil {
		return err
	}
	return saved(c, "/me")
}
