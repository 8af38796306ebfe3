package brreg

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/core/directory"
)

func TestClientAgainstRecordedResponses(t *testing.T) {
	body, err := os.ReadFile("testdata/974760673.json")
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Header.Get("Accept") != Accept {
			t.Errorf("Accept = %q", r.Header.Get("Accept"))
		}
		switch r.URL.Path {
		case "/enheter/974760673":
			w.Header().Set("Content-Type", Accept)
			_, _ = w.Write(body)
		case "/enheter/915501680", "/underenheter/915501680":
			w.WriteHeader(404)
		case "/enheter/988077917":
			w.WriteHeader(410)
		default:
			w.WriteHeader(503)
		}
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, HTTP: &http.Client{Timeout: 2 * time.Second}}
	ctx := context.Background()

	u, err := c.Lookup(ctx, "974760673")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "REGISTERENHETEN I BRØNNØYSUND" || u.City != "Brønnøysund" || u.Address != "Havnegata 48" ||
		u.MunicipalityNo != "1813" || u.OrgFormCode != "ORGL" || u.NaceCode != "84.110" || u.Status() != "active" {
		t.Fatalf("parsed %+v", u)
	}
	if _, err := c.Lookup(ctx, "915501680"); !errors.Is(err, directory.ErrRegistryNotFound) {
		t.Fatalf("404 → %v", err)
	}
	if _, err := c.Lookup(ctx, "988077917"); !errors.Is(err, directory.ErrRegistryGone) {
		t.Fatalf("410 → %v", err)
	}
	calls = 0
	if _, err := c.Lookup(ctx, "123456785"); !errors.Is(err, directory.ErrRegistryUnavailable) {
		t.Fatalf("503 → %v", err)
	}
	if calls != 2 {
		t.Fatalf("503 should be retried once, got %d calls", calls)
	}
}
