package kratos

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/plugins/identity/kratos/kratostest"
)

// Flows are read in the recorded Kratos shapes, with the browser's CSRF
// cookie; a foreign cookie, an expired flow and an unknown one are typed
// errors.
func TestFlowShapes(t *testing.T) {
	f := kratostest.New("http://ui.test")
	defer f.Close()
	k := New(f.URL)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start := func(kind string) string {
		resp, err := c.Get(k.StartURL(kind, url.Values{"return_to": {"http://ui.test/t/baerum/"}}))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != 303 || loc.Path != "/"+kind {
			t.Fatalf("start %s: %d %s", kind, resp.StatusCode, loc)
		}
		return loc.Query().Get("flow")
	}
	u, _ := url.Parse(f.URL)
	cookie := func() string {
		var parts []string
		for _, ck := range jar.Cookies(u) {
			parts = append(parts, ck.Name+"="+ck.Value)
		}
		return strings.Join(parts, "; ")
	}
	for _, kind := range []string{"login", "registration", "recovery", "verification"} {
		id := start(kind)
		fl, err := k.Flow(context.Background(), kind, id, "lang=nb; "+cookie())
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if fl.ID != id || fl.ReturnTo != "http://ui.test/t/baerum/" || !strings.HasPrefix(fl.UI.Action, f.URL+"/self-service/"+kind+"?flow=") {
			t.Fatalf("%s flow: %+v", kind, fl)
		}
		csrf := false
		for _, n := range fl.UI.Nodes {
			csrf = csrf || n.Attributes.Name == "csrf_token" && n.Attributes.Value != "" && n.Group == "default"
		}
		if !csrf {
			t.Fatalf("%s: no CSRF token node", kind)
		}
	}
	id := start("login")
	var fe *auth.FlowError
	if _, err := k.Flow(context.Background(), "login", id, "csrf_token_fake=someone-else"); !errors.As(err, &fe) || fe.ErrorID != "security_csrf_violation" {
		t.Fatalf("foreign CSRF cookie: %v", err)
	}
	if _, err := k.Flow(context.Background(), "login", "00000000-0000-4000-a000-000000000000", cookie()); !errors.As(err, &fe) || fe.Status != 404 {
		t.Fatalf("unknown flow: %v", err)
	}
	f.Expire()
	if _, err := k.Flow(context.Background(), "login", id, cookie()); !errors.As(err, &fe) || fe.ErrorID != "self_service_flow_expired" {
		t.Fatalf("expired flow: %v", err)
	}
	if _, err := k.Flow(context.Background(), "nonsense", id, cookie()); !errors.As(err, &fe) {
		t.Fatalf("unknown kind: %v", err)
	}
}
