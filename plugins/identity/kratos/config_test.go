package kratos_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/oasdiff/yaml"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/plugins/identity/kratos/kratostest"
)

// kratosConfig is the part of docs/kratos/kratos.yml the platform relies on.
type kratosConfig struct {
	Selfservice struct {
		AllowedReturnURLs []string `json:"allowed_return_urls"`
		Methods           map[string]struct {
			Enabled bool `json:"enabled"`
			Config  struct {
				Providers []struct {
					ID, Provider string
					Issuer       string `json:"issuer_url"`
				} `json:"providers"`
			} `json:"config"`
		} `json:"methods"`
		Flows map[string]struct {
			UIURL string `json:"ui_url"`
		} `json:"flows"`
	} `json:"selfservice"`
	Session struct {
		Cookie struct {
			Domain string `json:"domain"`
		} `json:"cookie"`
		Whoami struct {
			RequiredAAL string `json:"required_aal"`
		} `json:"whoami"`
	} `json:"session"`
	Identity struct {
		Schemas []struct {
			ID, URL string
		} `json:"schemas"`
	} `json:"identity"`
}

// The documented Kratos configuration parses, enables what the pages
// render (password, TOTP, WebAuthn, recovery codes, an ID-porten OIDC
// provider), shares its cookie with the regions' subdomains, and sends the
// browser to the platform's own pages: every UI URL is a route that starts
// the flow at Kratos.
func TestDocumentedKratosConfig(t *testing.T) {
	raw, err := os.ReadFile("../../../docs/kratos/kratos.yml")
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatalf("kratos.yml: %v", err)
	}
	var cfg kratosConfig
	if err := json.Unmarshal(js, &cfg); err != nil {
		t.Fatalf("kratos.yml: %v", err)
	}
	for _, m := range []string{"password", "totp", "webauthn", "lookup_secret", "oidc", "code", "profile"} {
		if !cfg.Selfservice.Methods[m].Enabled {
			t.Errorf("method %s not enabled", m)
		}
	}
	if p := cfg.Selfservice.Methods["oidc"].Config.Providers; len(p) == 0 || p[0].ID != "idporten" || p[0].Issuer != "https://idporten.no" {
		t.Errorf("ID-porten provider: %+v", p)
	}
	if cfg.Session.Cookie.Domain != "masseflyt.no" || !slices.Contains(cfg.Selfservice.AllowedReturnURLs, "https://*.masseflyt.no") {
		t.Errorf("cookie domain %q, return URLs %v", cfg.Session.Cookie.Domain, cfg.Selfservice.AllowedReturnURLs)
	}
	if cfg.Session.Whoami.RequiredAAL != "aal1" {
		t.Errorf("whoami required_aal %q", cfg.Session.Whoami.RequiredAAL)
	}
	if len(cfg.Identity.Schemas) != 1 || !strings.HasSuffix(cfg.Identity.Schemas[0].URL, "/identity.schema.json") {
		t.Errorf("identity schemas %+v", cfg.Identity.Schemas)
	}

	// The identity schema: e-mail is the verifiable identifier.
	var schema struct {
		Properties struct {
			Traits struct {
				Properties map[string]struct {
					Format string `json:"format"`
					Kratos struct {
						Credentials struct {
							Password struct {
								Identifier bool `json:"identifier"`
							} `json:"password"`
						} `json:"credentials"`
						Verification struct {
							Via string `json:"via"`
						} `json:"verification"`
					} `json:"ory.sh/kratos"`
				} `json:"properties"`
			} `json:"traits"`
		} `json:"properties"`
	}
	sb, err := os.ReadFile("../../../docs/kratos/identity.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(sb, &schema); err != nil {
		t.Fatalf("identity.schema.json: %v", err)
	}
	email := schema.Properties.Traits.Properties["email"]
	if email.Format != "email" || !email.Kratos.Credentials.Password.Identifier || email.Kratos.Verification.Via != "email" {
		t.Errorf("email trait: %+v", email)
	}

	// Every UI URL is one of the platform's self-service pages.
	fake := kratostest.New("")
	defer fake.Close()
	base := apitest.New(t, "sqlite")
	a := base.Variant(func(c *app.Config) {
		c.Identity = "identity.kratos"
		c.Settings = map[string]string{"MASSEFLYT_KRATOS_URL": fake.URL}
	}, app.Options{})
	site := apitest.Serve(t, a, "127.0.0.1")
	fake.UI = site
	kinds := append(append([]string(nil), auth.FlowKinds...), "error")
	for _, k := range kinds {
		u, err := url.Parse(cfg.Selfservice.Flows[k].UIURL)
		if err != nil || u.Host != "masseflyt.no" || u.Path != "/"+k {
			t.Errorf("flow %s ui_url %q, want https://masseflyt.no/%s", k, cfg.Selfservice.Flows[k].UIURL, k)
			continue
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(site + u.Path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		switch {
		case k == "error" && resp.StatusCode != 404: // no error ID: an unknown error, not a missing page
			t.Errorf("%s: %d", u.Path, resp.StatusCode)
		case k != "error" && (resp.StatusCode != 303 || !strings.HasPrefix(loc, fake.URL+"/self-service/"+k+"/browser")):
			t.Errorf("%s: %d %s, want a redirect starting the %s flow at Kratos", u.Path, resp.StatusCode, loc, k)
		}
	}
}
