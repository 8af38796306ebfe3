package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// TestAgreementPageShowsItsLoads: a sealed agreement's page shows its
// tally of loads (driven, received, tonnes of the agreed, percent), the
// quantity alarm reached and links to its loads and its ledger check; a
// party's list of the agreement's loads shows them.
func TestAgreementPageShowsItsLoads(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		ag, o := w.Sealed(40, 10, 50)
		w.Received(o, 17)
		w.Received(o, 17)
		w.OnTheRoad(o, 10)
		page := string(e.Do(apitest.Request{Path: "/t/baerum/agreements/" + ag.ID, As: apitest.OrgAdmin}).Body)
		for _, want := range []string{
			"3 lass kjørt, 2 mottatt: 34 av 40 avtalte tonn (85 %).",
			"Mengdevarsel: 80 %",
			`href="/t/baerum/loads?agreement=` + ag.ID + `"`,
			`href="/api/v1/tenants/baerum/agreements/` + ag.ID + `/ledger/verify"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("agreement page lacks %q", want)
			}
		}
		list := string(e.Do(apitest.Request{Path: "/t/baerum/loads?agreement=" + ag.ID, As: apitest.OrgAdmin}).Body)
		if n := strings.Count(list, ag.Number+"-"); n < 3 {
			t.Errorf("the agreement's loads: %d rows", n)
		}
		// The first agreement of the world has no loads: no alarm.
		other := string(e.Do(apitest.Request{Path: "/t/baerum/agreements/" + w.Agreement.ID, As: apitest.OrgAdmin}).Body)
		if !strings.Contains(other, "0 lass kjørt") || strings.Contains(other, "Mengdevarsel") {
			t.Errorf("an agreement without loads: tally or alarm wrong")
		}
	})
}

// TestGateIssuesCodesAndShowsQR: the sender's representative issues a
// release code in advance on the gate page and sees it with its QR code;
// the driver departs with it and the load leaves released; the driver's
// app and the load's page show the load's code as a QR code too. A code
// for an order of another sender is refused in the form, nothing issued.
func TestGateIssuesCodesAndShowsQR(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		order := w.TransportOrder(w.Agreement)
		w.S.Orders = e.App.Transport.HaulOrders()
		gate := string(e.Do(apitest.Request{Path: "/t/baerum/gate", As: apitest.OrgAdmin}).Body)
		if !strings.Contains(gate, `value="`+order+`"`) || !strings.Contains(gate, `action="/t/baerum/gate/codes"`) {
			t.Fatalf("the sender's gate page offers no order to issue a code for")
		}
		r := e.PostForm("/t/baerum/gate/codes", apitest.OrgAdmin, url.Values{"order_id": {order}})
		page := string(r.Body)
		code := regexp.MustCompile(`haul-issued.*?<span class="haul-show">([2-9A-Z]{6})</span>`).FindStringSubmatch(page)
		if r.Status != 200 || code == nil || !strings.Contains(page, `<svg class="haul-qr"`) || !strings.Contains(page, "QR-kode for "+code[1]) {
			t.Fatalf("issued code: %d, code %v, QR %v", r.Status, code, strings.Contains(page, "haul-qr"))
		}
		l, err := w.S.Depart(w.Lars, haul.DepartInput{OrderID: order, VehicleID: w.Vehicle, EstTonnes: 17, ReleaseCode: code[1]})
		if err != nil || l.Status != haul.StatusReleased {
			t.Fatalf("departure with the issued code: %v %+v", err, l)
		}
		for _, p := range []string{"/t/baerum/driver", "/t/baerum/loads/" + l.ID} {
			if b := string(e.Do(apitest.Request{Path: p, As: apitest.Transporter}).Body); !strings.Contains(b, `aria-label="QR-kode for `+l.Code+`"`) {
				t.Errorf("%s: no QR code of the load's code", p)
			}
		}
		// Ola (the receiver) sends nothing: no order offered, a post refused.
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/gate", As: apitest.Member}).Body); strings.Contains(b, `action="/t/baerum/gate/codes"`) {
			t.Errorf("the receiver is offered to issue release codes")
		}
		before := e.Count("baerum", "release_codes", "")
		if r := e.PostForm("/t/baerum/gate/codes", apitest.Member, url.Values{"order_id": {order}}); r.Status != 403 || !strings.Contains(string(r.Body), "ds-alert") {
			t.Errorf("the receiver issuing a code: %d", r.Status)
		}
		if e.Count("baerum", "release_codes", "") != before {
			t.Errorf("a refused code was stored")
		}
	})
}

// TestLoadSampleForm: when the sampling rule says so, the receiver's load
// page offers the sample form; without a listing of the receiver on the
// agreement the sample is refused in the form and nothing is written.
func TestLoadSampleForm(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		_, o := w.Sealed(400, 10, 1) // every load is sampled
		l := w.Received(o, 17)
		page := string(e.Do(apitest.Request{Path: "/t/baerum/loads/" + l.ID, As: apitest.Member}).Body)
		if !strings.Contains(page, `action="/t/baerum/loads/`+l.ID+`/sample"`) {
			t.Fatalf("the receiver's load page offers no sample form")
		}
		if b := string(e.Do(apitest.Request{Path: "/t/baerum/loads/" + l.ID, As: apitest.OrgAdmin}).Body); strings.Contains(b, "/sample\"") {
			t.Errorf("the sender is offered the sample form")
		}
		r := e.PostForm("/t/baerum/loads/"+l.ID+"/sample", apitest.Member, url.Values{"name": {"P1"}, "taken_on": {apitest.Day(0)}, "parameter_0": {"As"}, "value_0": {"4"}, "unit_0": {"mg/kg"}})
		if r.Status != 409 || !strings.Contains(string(r.Body), `value="P1"`) {
			t.Errorf("a sample without a listing: %d", r.Status)
		}
		if n := e.Count("baerum", "loads", "id = ? AND sample_id <> ''", l.ID); n != 0 {
			t.Errorf("a refused sample was recorded")
		}
	})
}

// TestReceiptTemplatesPage: the tenant admin saves a template for a
// fraction as lines of text (keys made from them or given as "key:
// text"), the gate's check then has those steps; a bad line is refused in
// the form with nothing saved; the template is deleted again.
func TestReceiptTemplatesPage(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := haultest.New(e)
		page := string(e.Do(apitest.Request{Path: "/t/baerum/admin/receipt-templates", As: apitest.TenantAdmin}).Body)
		if !strings.Contains(page, "fraction_colour: Fraksjon og farge er som dokumentert") {
			t.Fatalf("the new template's form does not start from the default steps")
		}
		r := e.PostForm("/t/baerum/admin/receipt-templates", apitest.TenantAdmin, url.Values{"fraction": {"BAD"}, "steps": {"Grå stein"}})
		if r.Status != 422 || e.Count("baerum", "receipt_templates", "") != 0 {
			t.Fatalf("an unknown fraction: %d, %d templates", r.Status, e.Count("baerum", "receipt_templates", ""))
		}
		r = e.PostForm("/t/baerum/admin/receipt-templates", apitest.TenantAdmin, url.Values{"fraction": {"sprengstein"}, "steps": {"Grå, ren stein uten jord\r\nlukt: Ingen lukt\r\n\r\n"}})
		if r.Status != 303 {
			t.Fatalf("saving a template: %d", r.Status)
		}
		l := w.OnTheRoad(w.Order, 17)
		g, err := w.S.Guide(w.Ola, l.ID)
		if err != nil || len(g.Steps) != 2 || g.Steps[0].Key != "gra_ren_stein_uten_jord" || g.Steps[1].Key != "lukt" || g.Steps[1].Text != "Ingen lukt" {
			t.Fatalf("the gate's check: %v %+v", err, g)
		}
		page = string(e.Do(apitest.Request{Path: "/t/baerum/admin/receipt-templates", As: apitest.TenantAdmin}).Body)
		id := regexp.MustCompile(`/admin/receipt-templates/([0-9a-f-]{36})/delete`).FindStringSubmatch(page)
		if id == nil || !strings.Contains(page, "Grå, ren stein uten jord") {
			t.Fatalf("the template is not listed")
		}
		if r := e.PostForm("/t/baerum/admin/receipt-templates/"+id[1]+"/delete", apitest.TenantAdmin, url.Values{}); r.Status != 303 || e.Count("baerum", "receipt_templates", "") != 0 {
			t.Fatalf("deleting the template: %d", r.Status)
		}
	})
}
