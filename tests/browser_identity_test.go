package tests

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/plugins/identity/kratos/kratostest"
)

// TestBrowserIdentity runs tests/browser/identity.mjs: the self-service
// pages with Kratos (the fake, in recorded v1.3 shapes), the invitation
// flow, TOTP, step-up and an admin action, with axe on every page.
func TestBrowserIdentity(t *testing.T) {
	node := browserSetup(t)
	base := apitest.New(t, "sqlite")
	fake := kratostest.New("")
	t.Cleanup(fake.Close)
	a := base.Variant(func(c *app.Config) {
		c.Identity = "identity.kratos"
		c.Settings = map[string]string{"MASSEFLYT_KRATOS_URL": fake.URL}
	}, app.Options{})
	platform := apitest.Serve(t, a, "127.0.0.1")
	fake.UI = platform
	baerum, _ := a.Tenants.BySlug("baerum")
	const email = "ny.admin@baerum.example.no"
	if _, err := a.Invites.Grant(context.Background(), baerum.ID, email, auth.RoleTenantAdmin, "browser test", "nb"); err != nil {
		t.Fatal(err)
	}
	exp, _ := json.Marshal(map[string]string{"email": email, "tenant": baerum.Name, "totpCode": kratostest.TOTPCode, "verifyCode": kratostest.VerifyCode})
	cmd := runNode(t, node, "identity.mjs", map[string]string{"PLATFORM": platform, "EXPECT": string(exp), "SHOTS": os.Getenv("MASSEFLYT_SCREENSHOTS")})
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("identity browser test failed: %v", err)
	}
}
