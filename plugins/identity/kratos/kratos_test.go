package kratos

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/masseflyt/masseflyt/core/auth"
)

// fakeKratos serves the recorded ToSession responses in testdata/.
func fakeKratos(t *testing.T) *httptest.Server {
	t.Helper()
	aal2, err := os.ReadFile("testdata/session_aal2.json")
	if err != nil {
		t.Fatal(err)
	}
	aal1, err := os.ReadFile("testdata/session_aal1.json")
	if err != nil {
		t.Fatal(err)
	}
	unauth, err := os.ReadFile("testdata/whoami_401.json")
	if err != nil {
		t.Fatal(err)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/sessions/whoami" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Header.Get("X-Session-Token") == "ory_st_admin" || r.Header.Get("Cookie") == "ory_kratos_session=admin":
			_, _ = w.Write(aal2)
		case r.Header.Get("Cookie") == "ory_kratos_session=member":
			_, _ = w.Write(aal1)
		case r.Header.Get("Cookie") == "ory_kratos_session=boom":
			w.WriteHeader(500)
		default:
			w.WriteHeader(401)
			_, _ = w.Write(unauth)
		}
	}))
}

func TestKratosAuthenticate(t *testing.T) {
	srv := fakeKratos(t)
	defer srv.Close()
	k := New(srv.URL)
	ctx := context.Background()

	s, err := k.Authenticate(ctx, auth.Credentials{CookieHeader: "ory_kratos_session=admin"})
	if err != nil || s == nil {
		t.Fatalf("cookie session: %v %v", s, err)
	}
	if s.AAL != auth.AAL2 || s.Email != "kari.nordmann@example.no" || s.Name != "Kari Nordmann" || s.Subject != "9f425a8d-7efc-4768-8f23-7647a74fdf13" {
		t.Fatalf("unexpected session %+v", s)
	}
	s, err = k.Authenticate(ctx, auth.Credentials{SessionToken: "ory_st_admin"})
	if err != nil || s == nil || s.AAL != auth.AAL2 {
		t.Fatalf("token session: %v %v", s, err)
	}
	s, err = k.Authenticate(ctx, auth.Credentials{CookieHeader: "ory_kratos_session=member"})
	if err != nil || s == nil || s.AAL != "aal1" || s.Name != "Ola Nordmann" {
		t.Fatalf("aal1 session: %+v %v", s, err)
	}
	s, err = k.Authenticate(ctx, auth.Credentials{CookieHeader: "ory_kratos_session=stranger"})
	if err != nil || s != nil {
		t.Fatalf("401 must be anonymous, got %v %v", s, err)
	}
	s, err = k.Authenticate(ctx, auth.Credentials{CookieHeader: "lang=nb"})
	if err != nil || s != nil {
		t.Fatalf("no kratos cookie must not ask kratos: %v %v", s, err)
	}
	if _, err := k.Authenticate(ctx, auth.Credentials{CookieHeader: "ory_kratos_session=boom"}); err == nil {
		t.Fatal("a 500 from Kratos must be an error, not anonymous")
	}
}

func TestKratosUnreachable(t *testing.T) {
	k := New("http://127.0.0.1:1")
	if _, err := k.Authenticate(context.Background(), auth.Credentials{SessionToken: "x"}); err == nil {
		t.Fatal("unreachable Kratos must be an error")
	}
}
