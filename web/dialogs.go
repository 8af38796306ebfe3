package web

import (
	"bytes"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/api"
	"github.com/masseflyt/masseflyt/core/dialog"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/fail"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/notify"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
)

// The dialog pages (K11): the list, "Ta kontakt" (a form that opens a
// dialog), the dialog with its messages, and the inbox of notifications.
// The routes' permissions are in routes.go; the dialogs' row rules are the
// domain's (core/dialog).

// DialogListData feeds the dialog list.
type DialogListData struct {
	Items      []dialog.Dialog
	NextCursor string
	Listing    string // the listing filtered on, if any
}

func (u *UI) dialogList(c *fiber.Ctx) error {
	f := dialog.Filter{}
	if l := c.Query("listing"); validID(l) {
		f.ListingID = l // the dialogs about one listing (from the owner's listing page)
	}
	p, err := u.A.Dialogs.List(request.Ctx(c), f, page.Request{Limit: dialog.DialogBounds.Default, Cursor: c.Query("cursor")})
	if err != nil {
		return err
	}
	return u.render(c, "dialogs", u.page(c, httpx.Loc(c).T("DialogsTitle"), &DialogListData{Items: p.Items, NextCursor: p.NextCursor, Listing: f.ListingID}))
}

// orgChoice is an organization the caller speaks for.
type orgChoice struct{ ID, Name string }

// DialogNewData feeds "Ta kontakt".
type DialogNewData struct {
	// Listing is the listing to talk about, at the caller's access level;
	// Choices the open listings of an organization when contact is made
	// from its page.
	Listing   any
	ListingID string
	Org       *directory.Organization
	Choices   []market.Listing
	Orgs      []orgChoice
	Match     string
}

// myOrgs are the organizations the caller represents (approved).
func (u *UI) myOrgs(c *fiber.Ctx) ([]orgChoice, error) {
	ms, err := u.A.Directory.Memberships(request.Ctx(c), directory.MembershipFilter{Mine: true, Status: directory.StatusApproved, Page: meRows})
	if err != nil {
		return nil, err
	}
	var out []orgChoice
	for _, m := range ms.Items {
		out = append(out, orgChoice{ID: m.OrganizationID, Name: m.OrgName})
	}
	return out, nil
}

// dialogNew shows the contact form: about a listing (?listing=, from a
// match also ?match=, the caller's own listing) or about one of an
// organization's open listings (?org=).
func (u *UI) dialogNew(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	l := httpx.Loc(c)
	d := &DialogNewData{Match: c.Query("match")}
	var err error
	if d.Orgs, err = u.myOrgs(c); err != nil {
		return err
	}
	if id := c.Query("listing"); id != "" {
		ls, err := u.A.Market.Get(ctx, id)
		if err != nil {
			return err
		}
		d.ListingID = ls.ID
		if d.Listing, err = u.A.Market.ViewFor(ctx, ls); err != nil {
			return err
		}
		// Contact already made: straight to the dialog.
		if len(d.Orgs) == 1 {
			have, err := u.A.Dialogs.List(ctx, dialog.Filter{ListingID: ls.ID}, page.Request{Limit: dialog.DialogBounds.Max})
			if err != nil {
				return err
			}
			for _, dl := range have.Items {
				if dl.CounterpartOrgID == d.Orgs[0].ID {
					return c.Redirect(dialogBase(c)+dialog.Link(dl.ID), fiber.StatusSeeOther)
				}
			}
		}
	} else if id := c.Query("org"); id != "" {
		if d.Org, err = u.A.Directory.GetOrg(ctx, id); err != nil {
			return err
		}
		rows, err := u.A.Market.List(ctx, market.Filter{OrganizationID: id}, page.Request{Limit: 100})
		if err != nil {
			return err
		}
		for _, ls := range rows.Items {
			if ls.Open() {
				d.Choices = append(d.Choices, ls)
			}
		}
	} else {
		return httpx.NotFound()
	}
	return u.render(c, "dialog_new", u.page(c, l.T("ContactTitle"), d))
}

// dialogCreate opens the dialog (or finds the one there is) and goes to it.
func (u *UI) dialogCreate(c *fiber.Ctx) error {
	in := dialog.OpenInput{ListingID: c.FormValue("listing_id"), OrganizationID: c.FormValue("organization_id"), MatchListingID: c.FormValue("match_listing_id"), Text: c.FormValue("text")}
	d, _, err := u.A.Dialogs.Open(request.Ctx(c), in)
	if err != nil {
		if fe, ok := fail.As(err); ok && (fe.Kind == fail.Invalid || fe.Kind == fail.Conflict) && in.ListingID != "" {
			c.Request().URI().QueryArgs().Set("listing", in.ListingID)
			c.Request().URI().QueryArgs().Set("match", in.MatchListingID)
			return u.dialogNewFailed(c, in, err)
		}
		return err
	}
	return c.Redirect(dialogBase(c)+dialog.Link(d.ID), fiber.StatusSeeOther)
}

func (u *UI) dialogNewFailed(c *fiber.Ctx, in dialog.OpenInput, ferr error) error {
	ctx := request.Ctx(c)
	d := &DialogNewData{Match: in.MatchListingID, ListingID: in.ListingID}
	var err error
	if d.Orgs, err = u.myOrgs(c); err != nil {
		return err
	}
	if ls, err := u.A.Market.Get(ctx, in.ListingID); err == nil {
		if d.Listing, err = u.A.Market.ViewFor(ctx, ls); err != nil {
			return err
		}
	}
	return u.formFailed(c, "dialog_new", u.page(c, httpx.Loc(c).T("ContactTitle"), d), ferr)
}

// DialogData feeds the dialog page.
type DialogData struct {
	D *dialog.Dialog
	// Listing is the listing as the caller sees it (with what the owner
	// disclosed, for the counterpart), or Public its public view.
	Listing  *market.Listing
	Public   *market.PublicView
	Messages []dialog.Message
	// Older is the number of the first message shown when there are older
	// ones (the link to them asks for those before it).
	Older   int
	History []dialog.Disclosure
	// Party: the caller takes part (reads and writes); Owner: on the
	// listing owner's side (may disclose).
	Party, Owner bool
	// API is the API's base, for attachment downloads.
	API string
	// Fragment: the thread alone, an htmx reply; it carries the page's
	// message count out of band, so the count stays true.
	Fragment bool
}

// DialogPage is how many messages the dialog page shows at once (the
// latest; a link leads to older ones).
const DialogPage = 200

func (u *UI) dialogShow(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	dl, err := u.A.Dialogs.Get(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	d, err := u.dialogData(c, dl)
	if err != nil {
		return err
	}
	return u.render(c, "dialog", u.page(c, dl.ListingTitle, d))
}

// dialogData reads what the dialog page shows and, for a party, marks the
// dialog read.
func (u *UI) dialogData(c *fiber.Ctx, dl *dialog.Dialog) (*DialogData, error) {
	ctx := request.Ctx(c)
	d := &DialogData{D: dl, Party: dl.Side != "", Owner: dl.Side == dialog.SideOwner, API: "/api/v1/tenants/" + request.Tenant(c).Slug}
	if ls, err := u.A.Market.Get(ctx, dl.ListingID); err == nil && d.Party {
		v, err := u.A.Market.ViewFor(ctx, ls)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case *market.Listing:
			d.Listing = x
		case market.PublicView:
			d.Public = &x
		}
	}
	if !d.Party {
		return d, nil
	}
	before, _ := strconv.Atoi(c.Query("before"))
	var err error
	if d.Messages, err = u.A.Dialogs.Recent(ctx, dl.ID, DialogPage, before); err != nil {
		return nil, err
	}
	if len(d.Messages) > 0 && d.Messages[0].Seq > 1 {
		d.Older = d.Messages[0].Seq
	}
	if d.History, err = u.A.Dialogs.History(ctx, dl.ID); err != nil {
		return nil, err
	}
	if dl.Unread > 0 {
		if err := u.A.Dialogs.MarkRead(ctx, dl.ID); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// dialogPost writes a message (with files); htmx gets the thread back,
// a plain form goes back to the dialog.
func (u *UI) dialogPost(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	files, err := api.FormUploads(c, "file")
	if err != nil {
		return err
	}
	_, err = u.A.Dialogs.Post(ctx, c.Params("id"), dialog.PostInput{Text: c.FormValue("text")}, files)
	if err != nil {
		fe, ok := fail.As(err)
		if !ok || fe.Kind == fail.NotFound || fe.Kind == fail.Forbidden || fe.Kind == fail.Unauthorized {
			return err
		}
		dl, gerr := u.A.Dialogs.Get(ctx, c.Params("id"))
		if gerr != nil {
			return gerr
		}
		d, derr := u.dialogData(c, dl)
		if derr != nil {
			return derr
		}
		p := u.page(c, dl.ListingTitle, d)
		if c.Get("HX-Request") != "" {
			// htmx swaps only a 2xx answer: the thread comes back with the
			// form's errors in it.
			keepForm(c, p)
			if ferr := formErrors(p, err); ferr != nil {
				return ferr
			}
			d.Fragment = true
			return u.fragment(c, "dialog", "thread", p)
		}
		return u.formFailed(c, "dialog", p, err)
	}
	if c.Get("HX-Request") != "" {
		dl, err := u.A.Dialogs.Get(ctx, c.Params("id"))
		if err != nil {
			return err
		}
		d, err := u.dialogData(c, dl)
		if err != nil {
			return err
		}
		d.Fragment = true
		return u.fragment(c, "dialog", "thread", u.page(c, dl.ListingTitle, d))
	}
	return c.Redirect(dialogBase(c)+dialog.Link(c.Params("id"))+"#new", fiber.StatusSeeOther)
}

// fragment renders one named template of a page (an htmx swap).
func (u *UI) fragment(c *fiber.Ctx, pageName, block string, p *Page) error {
	pagesOnce.Do(loadPages)
	if pagesErr != nil {
		return pagesErr
	}
	set, ok := pagesByLang[p.L.Lang]
	if !ok {
		set = pages
	}
	var buf bytes.Buffer
	if err := set[pageName].ExecuteTemplate(&buf, block, p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// dialogDisclose reveals or takes back the listing's exact values.
func (u *UI) dialogDisclose(c *fiber.Ctx) error {
	on := c.FormValue("disclosed") == "1"
	if _, err := u.A.Dialogs.SetDisclosure(request.Ctx(c), c.Params("id"), on); err != nil {
		return err
	}
	return c.Redirect(dialogBase(c)+dialog.Link(c.Params("id"))+"?notice=Saved#disclosure", fiber.StatusSeeOther)
}

// InboxData feeds the inbox: notifications of every kind, and the match
// notifications of core/matching.
type InboxData struct {
	Items      []notify.Entry
	NextCursor string
	Matches    any
}

func (u *UI) inboxPage(c *fiber.Ctx) error {
	p, err := u.A.Notify.Inbox(request.Ctx(c), page.Request{Limit: notify.InboxBounds.Default, Cursor: c.Query("cursor")})
	if err != nil {
		return err
	}
	d := &InboxData{Items: p.Items, NextCursor: p.NextCursor}
	if d.Matches, err = u.notifications(c); err != nil {
		return err
	}
	return u.render(c, "inbox", u.page(c, httpx.Loc(c).T("InboxTitle"), d))
}

// inboxRead marks a notification read and follows its link.
func (u *UI) inboxRead(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	if err := u.A.Notify.MarkRead(ctx, c.Params("id")); err != nil {
		return err
	}
	to := "/inbox"
	if l := c.FormValue("link"); l != "" {
		to = httpx.SafePath(l)
	}
	return c.Redirect(dialogBase(c)+to, fiber.StatusSeeOther)
}

// mailPreferences saves the caller's mail preference and language.
func (u *UI) mailPreferences(c *fiber.Ctx) error {
	if _, err := u.A.Notify.SetPreferences(request.Ctx(c), notify.Preferences{Mail: c.FormValue("mail"), Locale: c.FormValue("locale")}); err != nil {
		if fe, ok := fail.As(err); ok && fe.Kind == fail.Invalid {
			return u.renderMe(c, "", err)
		}
		return err
	}
	return saved(c, "/me")
}

// dialogBase is the request tenant's UI prefix.
func dialogBase(c *fiber.Ctx) string { return "/t/" + request.Tenant(c).Slug }
