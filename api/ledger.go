package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/access"
	"github.com/masseflyt/masseflyt/core/ledger"
	"github.com/masseflyt/masseflyt/core/page"
	"github.com/masseflyt/masseflyt/httpx"
	"github.com/masseflyt/masseflyt/request"
	"github.com/masseflyt/masseflyt/route"
)

// ledgerAPI serves the load ledger's proofs (K9 point 3): an agreement's
// chain verified, and the region's signed daily roots as open data.
type ledgerAPI struct{ a *app.App }

// LedgerRoot is a published daily root with what a reader needs to check
// its signature: the tenant ID and the public key it names. The signature
// is Ed25519 over "masseflyt-ledger-root/v1\n<tenant_id>\n<day>\n<size>\n<root>".
type LedgerRoot struct {
	TenantID  string    `json:"tenant_id"`
	Day       string    `json:"day" doc:"The UTC day whose new entries the tree holds"`
	Size      int64     `json:"size" doc:"Leaves (entries) in the tree"`
	Root      string    `json:"root" doc:"RFC 6962 Merkle tree hash, hex"`
	KeyID     string    `json:"key_id"`
	PublicKey string    `json:"public_key" doc:"The Ed25519 public key of key_id, base64"`
	Signature string    `json:"signature" doc:"Ed25519 signature, base64"`
	CreatedAt time.Time `json:"created_at"`
}

// ledgerRoutes are the ledger's routes under /api/v1/tenants/:tenant.
func ledgerRoutes(a *app.App) []route.Route {
	h := &ledgerAPI{a: a}
	return []route.Route{
		{Method: "GET", Path: "/agreements/:id/ledger/verify", Perm: access.AgreementsRead, Handler: h.verify,
			Doc: &route.Doc{ID: "verifyAgreementLedger", Summary: "The agreement's load ledger verified: every entry with its hash, signature check and inclusion proof against its day's signed root, and the first entry that breaks the chain (seq, id, kind, reason), if any. Parties, supervisors and tenant admins", Tag: "Agreements",
				Out: ledger.Report{}}},
		{Method: "GET", Path: "/ledger/roots", Perm: access.Anyone, Handler: h.roots,
			Doc: &route.Doc{ID: "listLedgerRoots", Summary: "Open data: the region's signed daily Merkle roots of the load ledger, newest day first (cursor pagination); CORS open", Tag: "Open data",
				Page: ledger.RootBounds, Out: page.Page[LedgerRoot]{}, Errors: []int{422}}},
	}
}

func (h *ledgerAPI) verify(c *fiber.Ctx) error {
	ctx := request.Ctx(c)
	// The agreement's own read rule: 404 for whoever may not see it.
	if _, err := h.a.Agreements.Get(ctx, c.Params("id")); err != nil {
		return err
	}
	rep, err := h.a.Ledger.Verify(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(rep)
}

func (h *ledgerAPI) roots(c *fiber.Ctx) error {
	pr, err := httpx.PageRequest(c, ledger.RootBounds)
	if err != nil {
		return err
	}
	ctx := request.Ctx(c)
	p, err := h.a.Ledger.Roots(ctx, pr)
	if err != nil {
		return err
	}
	keys, err := ledger.PublicKeys(ctx, h.a.DB)
	if err != nil {
		return err
	}
	pub := map[string]string{}
	for _, k := range keys {
		pub[k.KeyID] = k.PublicKey
	}
	out := page.Page[LedgerRoot]{Items: make([]LedgerRoot, len(p.Items)), NextCursor: p.NextCursor}
	for i, r := range p.Items {
		out.Items[i] = LedgerRoot{TenantID: r.TenantID, Day: r.Day, Size: r.Size, Root: r.Root, KeyID: r.KeyID, PublicKey: pub[r.KeyID], Signature: r.Signature, CreatedAt: r.CreatedAt}
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*") // open data; no credentials
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return c.JSON(out)
}
