package web

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"

	"github.com/masseflyt/masseflyt/tenants"
)

// metaByPage names the meta description of the portal's pages (issue 16:
// search engines and link previews show it); other pages get MetaPage
// (MetaPlatform outside a region), built from their title.
var metaByPage = map[string]string{
	"landing":    "MetaLanding",
	"home":       "MetaHome",
	"listings":   "MetaListings",
	"listing":    "MetaListing",
	"map":        "MetaMap",
	"statistics": "MetaStatistics",
	"live":       "MetaLive",
}

// describe sets the page's meta description for template name unless its
// handler chose one.
func describe(name string, p *Page) {
	if p.Description != "" {
		return
	}
	id, ok := metaByPage[name]
	switch {
	case p.Tenant == nil && name == "landing":
	case p.Tenant == nil:
		id = "MetaPlatform"
	case !ok:
		id = "MetaPage"
	}
	region := ""
	if p.Tenant != nil {
		region = p.Tenant.Name
	}
	p.Description = p.L.T(id, "Region", region, "Title", p.Title)
}

// themeVersions caches each region's stylesheet hash by its colours.
var themeVersions sync.Map // primary+accent → hash

// ThemeVersion is the hash of the region's stylesheet, the version in its
// URL: the stylesheet is cached for a year and a new one (new colours, or
// a release that derives it differently) has a new URL.
func ThemeVersion(t *tenants.Tenant) string {
	key := t.ColorPrimary + "|" + t.ColorAccent
	if v, ok := themeVersions.Load(key); ok {
		return v.(string)
	}
	sum := sha256.Sum256([]byte(DeriveTheme(t.ColorPrimary, t.ColorAccent).CSS()))
	v := hex.EncodeToString(sum[:8])
	themeVersions.Store(key, v)
	return v
}
