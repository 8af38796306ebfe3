package stripe

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masseflyt/masseflyt/billing"
	"github.com/masseflyt/masseflyt/internal/testenv"
)

// The API shapes against stripe-mock (which answers with fixed data and
// keeps no state): every call the provider makes is one stripe-mock
// accepts, and calls for a region carry its Stripe-Account header.

// StripeMock starts stripe-mock on free ports and returns its HTTP URL.
func StripeMock(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		home, _ := os.UserHomeDir()
		if _, e := os.Stat(filepath.Join(home, "go", "bin", "stripe-mock")); e == nil {
			bin, err = filepath.Join(home, "go", "bin", "stripe-mock"), nil
		}
	}
	if err != nil {
		testenv.Need(t, "stripe-mock is not installed (go install github.com/stripe/stripe-mock@v0.203.0)")
	}
	port := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
	hp, sp := port(), port()
	cmd := exec.Command(bin, "-http-port", strconv.Itoa(hp), "-https-port", strconv.Itoa(sp))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := "http://127.0.0.1:" + strconv.Itoa(hp)
	for i := 0; i < 100; i++ {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(hp), 100*time.Millisecond); err == nil {
			c.Close()
			return url
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("stripe-mock did not start")
	return ""
}

// recorder records each request's method, path and Stripe-Account header.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	line := req.Method + " " + req.URL.Path + " account=" + req.Header.Get("Stripe-Account")
	if req.Body != nil && req.Method == "POST" && strings.HasPrefix(req.URL.Path, "/v1/subscriptions") {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		if strings.Contains(string(body), "default_tax_rates") {
			line += " vat"
		}
	}
	r.mu.Lock()
	r.seen = append(r.seen, line)
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func TestStripeMockShapes(t *testing.T) {
	url := StripeMock(t)
	rec := &recorder{}
	p := &Provider{Key: "sk_test_123", URL: url, HTTPClient: &http.Client{Transport: rec, Timeout: 10 * time.Second}}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	platform := billing.Account{}
	region := billing.Account{ID: "acct_region", FeePercent: 5}

	acct, err := p.ConnectAccount(ctx, "Masseregion Bærum")
	if err != nil || !strings.HasPrefix(acct, "acct_") {
		t.Fatalf("account %q %v", acct, err)
	}
	if link, err := p.OnboardingLink(ctx, acct, "https://baerum.example/billing"); err != nil || link == "" {
		t.Fatalf("onboarding %q %v", link, err)
	}
	meter, err := p.EnsureMeter(ctx, region, billing.MeterEventName)
	if err != nil || meter == "" {
		t.Fatalf("meter %q %v", meter, err)
	}
	ids, err := p.SyncPlan(ctx, region, billing.PlanSpec{Key: "plan1", Name: "Standard", LicenceOre: 99000, Interval: "month", UnitOre: 15000, UnitMilli: 1000, MeterID: meter})
	if err != nil || ids.ProductID == "" || ids.LicencePriceID == "" || ids.UsagePriceID == "" {
		t.Fatalf("plan %+v %v", ids, err)
	}
	cus, err := p.SyncCustomer(ctx, region, billing.Customer{Key: "org1", Name: "Sandvika Bygg AS", OrgNumber: "914000000", Email: "faktura@sandvika.no", Reference: "P42"})
	if err != nil || !strings.HasPrefix(cus, "cus_") {
		t.Fatalf("customer %q %v", cus, err)
	}
	if _, err := p.SyncCustomer(ctx, region, billing.Customer{ID: cus, Key: "org1", Name: "Sandvika Bygg AS", Email: "ny@sandvika.no"}); err != nil {
		t.Fatalf("customer update: %v", err)
	}
	sub, err := p.Subscribe(ctx, region, billing.SubscriptionSpec{Key: "sub1", CustomerID: cus, LicencePriceID: ids.LicencePriceID, UsagePriceID: ids.UsagePriceID})
	if err != nil || !strings.HasPrefix(sub, "sub_") {
		t.Fatalf("subscription %q %v", sub, err)
	}
	if _, err := p.Subscribe(ctx, region, billing.SubscriptionSpec{ID: sub, Key: "sub1", CustomerID: cus, LicencePriceID: ids.LicencePriceID, UsagePriceID: ids.UsagePriceID}); err != nil {
		t.Fatalf("plan change: %v", err)
	}
	if err := p.Cancel(ctx, region, sub); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if err := p.ReportUsage(ctx, region, billing.MeterEvent{Identifier: "evt1:org1", CustomerID: cus, Value: 150000, Timestamp: time.Now()}); err != nil {
		t.Fatalf("meter event: %v", err)
	}
	if u, err := p.PortalURL(ctx, region, cus, "https://baerum.example/billing"); err != nil || u == "" {
		t.Fatalf("portal %q %v", u, err)
	}
	// The platform bills a region on its own account: no header.
	if _, err := p.SyncCustomer(ctx, platform, billing.Customer{Key: "region1", Name: "Masseregion Bærum", OrgNumber: "974000000"}); err != nil {
		t.Fatal(err)
	}

	want := []string{
		"POST /v1/accounts account=",
		"POST /v1/account_links account=",
		"POST /v1/billing/meters account=acct_region",
		"POST /v1/products account=acct_region",
		"POST /v1/prices account=acct_region",
		"POST /v1/customers account=acct_region",
		"GET /v1/tax_rates account=acct_region",
		"POST /v1/tax_rates account=acct_region",
		"POST /v1/subscriptions account=acct_region vat",
		"POST /v1/subscriptions/" + sub + " account=acct_region vat",
		"GET /v1/subscriptions/" + sub + " account=acct_region",
		"DELETE /v1/subscriptions/" + sub + " account=acct_region",
		"POST /v1/billing/meter_events account=acct_region",
		"POST /v1/billing_portal/sessions account=acct_region",
		"POST /v1/customers account=",
	}
	all := strings.Join(rec.seen, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("no request %q in:\n%s", w, all)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		p  *Provider
		ok bool
	}{{&Provider{Key: ""}, false}, {&Provider{Key: "pk_live_x"}, false}, {&Provider{Key: "sk_test_x", URL: "ftp://x"}, false}, {&Provider{Key: "sk_test_x"}, true}} {
		if err := c.p.Validate(); (err == nil) != c.ok {
			t.Errorf("%q %q: %v", c.p.Key, c.p.URL, err)
		}
	}
}
