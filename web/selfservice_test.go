package web

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/app"
	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/locales"
)

// selfServiceStub is an identity provider with flows at kratos.test.
type selfServiceStub struct{}

func (selfServiceStub) Authenticate(context.Context, auth.Credentials) (*auth.Session, error) {
	return nil, nil
}
func (selfServiceStub) LoginURL(r string) string  { return "/login?return_to=" + url.QueryEscape(r) }
func (selfServiceStub) LogoutURL(r string) string { return "/auth/logout" }
func (selfServiceStub) Flow(context.Context, string, string, string) (*auth.Flow, error) {
	return nil, nil
}
func (selfServiceStub) StartURL(string, url.Values) string { return "" }
func (selfServiceStub) FlowErrorDetail(context.Context, string) (*auth.FlowError, error) {
	return nil, nil
}
func (selfServiceStub) Origin() string { return "https://kratos.test" }

func recorded(t *testing.T, name string) *auth.Flow {
	t.Helper()
	b, err := os.ReadFile("../plugins/identity/kratos/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var f auth.Flow
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// The flows render generically from their nodes: one form per group with
// the CSRF token, Kratos' messages translated by ID where we know them
// and kept as Kratos wrote them otherwise, only Kratos' own scripts and
// only image data or https sources.
func TestFlowNodes(t *testing.T) {
	u := &UI{A: &app.App{Identity: selfServiceStub{}}}
	l := locales.New(locales.MustBundle(), "nb")

	f := recorded(t, "flow_registration.json")
	f.UI.Messages = []auth.FlowMessage{{ID: 4000007, Text: "An account with the same identifier exists already.", Type: "error"}, {ID: 9999999, Text: "Something Kratos says in English", Type: "info"}}
	v := &flowView{Kind: "registration"}
	u.buildFlow(l, v, f, nil)
	var groups []string
	for _, fm := range v.Forms {
		groups = append(groups, fm.Group)
		if fm.Nodes[0].Kind != "hidden" || fm.Nodes[0].Name != "csrf_token" {
			t.Errorf("%s form does not start with the CSRF token: %+v", fm.Group, fm.Nodes[0])
		}
	}
	if strings.Join(groups, ",") != "password,oidc" {
		t.Errorf("groups %v", groups)
	}
	if v.Heading != "Opprett konto" || len(v.Messages) != 2 || !strings.HasPrefix(v.Messages[0].Text, "Det finnes allerede en konto") || v.Messages[1].Text != "Something Kratos says in English" {
		t.Errorf("view %+v", v)
	}
	oidc := v.Forms[1].Nodes[1]
	if oidc.Kind != "submit" || oidc.Value != "idporten" || oidc.Label != "Opprett konto med ID-porten" {
		t.Errorf("OIDC node %+v", oidc)
	}
	email := v.Forms[0].Nodes[1]
	if email.Name != "traits.email" || email.Autocomplete != "email" || !email.Required || email.ID != "f-password-traits-email" {
		t.Errorf("e-mail node %+v", email)
	}

	f = recorded(t, "flow_settings.json")
	for i := range f.UI.Nodes {
		a := &f.UI.Nodes[i].Attributes
		switch {
		case a.ID == "totp_qr":
			a.Src = "javascript:alert(1)"
		case a.NodeType == "script":
			a.Src = "https://evil.test/webauthn.js"
		}
	}
	v = &flowView{Kind: "settings"}
	u.buildFlow(l, v, f, nil)
	if len(v.Scripts) != 0 {
		t.Errorf("a script from another origin kept: %+v", v.Scripts)
	}
	for _, fm := range v.Forms {
		for _, n := range fm.Nodes {
			if n.Kind == "img" && n.Src != "" {
				t.Errorf("image source kept: %q", n.Src)
			}
			if n.Trigger != "" && (fm.Group != "webauthn" || n.Trigger != "oryWebAuthnRegistration") {
				t.Errorf("trigger %q in %s", n.Trigger, fm.Group)
			}
		}
	}
	if g := v.Forms[0].Group; g != "profile" {
		t.Errorf("first settings group %s", g)
	}
}
