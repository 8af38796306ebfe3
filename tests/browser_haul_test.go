package tests

import (
	"os"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// haulPages are the tracked loads' pages for the axe run: the list, a load
// (received, with a photo and its climate account), the driver app and the
// gate app with a load's receipt check open; the sender's gate (issuing a
// release code), the receipt check templates and an agreement's tally.
func haulPages(e *apitest.Env, T string) []browserPage {
	w, _, awaiting, released, received := haulLoads(e) // tests/authz_haul_test.go
	// A load whose sampling rule says "sample it": its page has the form.
	ag, _ := w.Sealed(400, 10, 1)
	sampled := w.Received(haul.Order{ID: w.TransportOrder(ag)}, 17)
	return []browserPage{
		{Path: T + "/loads/" + sampled.ID, As: apitest.Member},
		{Path: T + "/gate", As: apitest.OrgAdmin},                         // the sender: issuing a release code
		{Path: T + "/admin/receipt-templates", As: apitest.TenantAdmin},   // the receipt check templates
		{Path: T + "/agreements/" + w.Agreement.ID, As: apitest.OrgAdmin}, // the agreement's tally of loads
		{Path: T + "/loads/" + released.ID, As: apitest.Transporter},      // the load's code as a QR code
		{Path: T + "/loads", As: apitest.Supervisor},
		{Path: T + "/loads/" + received.ID, As: apitest.Member},
		{Path: T + "/loads/" + awaiting.ID, As: apitest.Transporter},
		{Path: T + "/driver", As: apitest.Transporter},
		{Path: T + "/gate", As: apitest.Member},
		{Path: T + "/gate?load=" + released.ID, As: apitest.Member},
	}
}

// TestBrowserDriver: the driver app goes offline and back without
// duplicates (tests/browser/driver.mjs): two departures queued offline,
// one answer lost on the way back and the step sent again with its key;
// the server holds two loads, each made once. The sender releases one at
// its gate and the receiver receives it in one tap with the load's code.
func TestBrowserDriver(t *testing.T) {
	node := browserSetup(t)
	e := apitest.New(t, "sqlite")
	w := haultest.New(e)
	w.TransportOrder(w.Agreement)
	w.S.Orders = e.App.Transport.HaulOrders()
	platform := apitest.Serve(t, e.App, "127.0.0.1")
	ck := func(email string) string {
		name, value, _ := strings.Cut(apitest.Cookie(email), "=")
		return name + "=" + value
	}
	cmd := runNode(t, node, "driver.mjs", map[string]string{"PLATFORM": platform, "COOKIE_D": ck(transporter), "COOKIE_G": ck(member), "COOKIE_R": ck(orgAdmin), "SHOTS": os.Getenv("MASSEFLYT_SCREENSHOTS")})
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("the driver flow failed: %v", err)
	}
	if n := e.Count("baerum", "loads", ""); n != 2 {
		t.Fatalf("%d loads after the flow, want 2", n)
	}
	if n := e.Count("baerum", "load_requests", ""); n != 4 {
		t.Fatalf("%d idempotency keys stored, want 4 (two departures, a release, a receipt)", n)
	}
	if n := e.Count("baerum", "loads", "status = ? AND weight_tonnes = 17.4", haul.StatusReceived); n != 1 {
		t.Fatalf("%d loads received at 17.4 t, want 1", n)
	}
	if n := e.Count("baerum", "load_photos", "step = ? AND size = ?", haul.StepDeparted, 70); n != 1 {
		t.Fatalf("%d departure photos of 70 bytes (queued as a Blob), want 1", n)
	}
	if n := e.Count("baerum", "ledger_entries", "kind = ?", "load."+haul.StepDeparted); n != 2 {
		t.Fatalf("%d departures chained, want 2", n)
	}
}
