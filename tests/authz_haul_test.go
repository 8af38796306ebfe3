package tests

import (
	"net/url"

	"github.com/masseflyt/masseflyt/core/haul"
	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// The tracked loads' rows of the authorization matrix (issue 13). The
// targets are loads under a sealed agreement between Fornebu Anlegg
// (supplier: Kari, the org admin) and Sandvika Bygg (receiver: Ola, the
// member), driven by Lysaker Transport (Lars, the transporter) on a real
// transport order: one awaiting release, one on the road, one received
// with a photo; and a receipt check template.

func init() {
	matrixParts = append(matrixParts, matrixPart{api: haulAPIRows, ui: haulUIRows, targets: haulTargets})
}

// haulLoads makes the loads of the matrix and the isolation suite.
func haulLoads(e *apitest.Env) (w *haultest.World, order string, awaiting, released, received *haul.Load) {
	w = haultest.New(e)
	order = w.TransportOrder(w.Agreement)
	w.S.Orders = e.App.Transport.HaulOrders()
	o := haul.Order{ID: order}
	awaiting = w.Depart(o, 17)
	released = w.OnTheRoad(o, 16)
	png := []byte(png1x1)
	l := w.OnTheRoad(o, 15)
	r, err := w.S.Receive(w.Ola, l.ID, haul.ReceiptInput{Code: l.Code, WeightTonnes: 15, Result: haul.ResultAccepted,
		Photos: []haul.PhotoInput{{Filename: "mottak.png", Data: png}}})
	w.Must(err)
	received = r
	e.Settle()
	return
}

func haulTargets(e *apitest.Env, tg map[string]string) {
	w, order, awaiting, released, received := haulLoads(e)
	tg["hagreement"] = w.Agreement.ID
	tg["horder"] = order
	tg["hvehicle"] = w.Vehicle
	tg["hload"] = awaiting.ID
	tg["hrelease"] = awaiting.ReleaseCode
	tg["hreleased"] = released.ID
	tg["hcode"] = released.Code
	tg["hreceived"] = received.ID
	tg["hphoto"] = received.Photos[0].ID
	t, err := w.S.SaveTemplate(w.Admin, haul.TemplateInput{Fraction: "sprengstein", Steps: []haul.Step{{Key: "colour", Text: "Grå stein"}}})
	w.Must(err)
	tg["htemplate"] = t.ID
}

func haulAPIRows() []expectation {
	T := "/api/v1/tenants/baerum"
	//                                                                      A U M T O S TA SA
	return []expectation{
		{"GET", T + "/loads", nil, "ddoooooo"},
		// The driver departs (Lars drives for Lysaker); nobody else.
		{"POST", T + "/loads", map[string]any{"order_id": "{horder}", "vehicle_id": "{hvehicle}", "est_tonnes": 17}, "dddodddd"},
		// The sender's representative (Kari, Fornebu) releases.
		{"POST", T + "/loads/release", map[string]any{"code": "{hrelease}"}, "ddddoddd"},
		{"GET", T + "/loads/{hload}", nil, "ddoooooo"},
		{"GET", T + "/loads/{hreleased}/guide", nil, "ddoooooo"},
		// The receiver's member (Ola, Sandvika) receives.
		{"POST", T + "/loads/{hreleased}/receipt", map[string]any{"code": "{hcode}", "weight_tonnes": 16, "result": "accepted"}, "ddoddddd"},
		// No listing of Sandvika on the agreement: past the rules, refused.
		{"POST", T + "/loads/{hreceived}/sample", map[string]any{"name": "P1", "values": []map[string]any{{"parameter": "As", "value": 4, "unit": "mg/kg"}}}, "ddcddddd"},
		{"GET", T + "/load-photos/{hphoto}", nil, "ddoooooo"},
		{"GET", T + "/driver", nil, "dddodddo"},
		{"POST", T + "/release-codes", map[string]any{"order_id": "{horder}"}, "ddddoddd"},
		// The agreement's parties (and who reads everything) see its tally;
		// an admin of a party chooses automatic completion.
		{"GET", T + "/agreements/{hagreement}/load-tally", nil, "ddonoooo"},
		{"PUT", T + "/agreements/{hagreement}/auto-complete", map[string]any{"auto_complete": true}, "dddnoddd"},
		{"GET", T + "/receipt-templates", nil, "ddddddoo"},
		{"PUT", T + "/receipt-templates", map[string]any{"fraction": "grus", "steps": []map[string]any{{"key": "a", "text": "A"}}}, "ddddddoo"},
		{"DELETE", T + "/receipt-templates/{htemplate}", nil, "ddddddoo"},
	}
}

func haulUIRows() []expectation {
	T := "/t/baerum"
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	//                                                                 A U M T O S TA SA
	return []expectation{
		{"GET", T + "/loads", nil, "ddoooooo"},
		{"GET", T + "/loads/{hload}", nil, "ddoooooo"},
		{"GET", T + "/load-photos/{hphoto}", nil, "ddoooooo"},
		{"GET", T + "/driver", nil, "dddodddo"},
		{"POST", T + "/driver/depart", form("order_id", "{horder}", "vehicle_id", "{hvehicle}", "est_tonnes", "17,5"), "dddodddd"},
		{"GET", T + "/gate", nil, "ddoooddo"},
		{"POST", T + "/gate/release", form("release_code", "{hrelease}"), "ddddoddd"},
		{"POST", T + "/loads/{hreleased}/receipt", form("code", "{hcode}", "weight_tonnes", "16", "result", "accepted"), "ddoddddd"},
		// The sender's representative (Kari) issues a release code in advance.
		{"POST", T + "/gate/codes", form("order_id", "{horder}"), "ddddoddd"},
		// The receiver's member registers the sample (no listing of Sandvika
		// on the agreement: past the rules, refused as in the API).
		{"POST", T + "/loads/{hreceived}/sample", form("name", "P1", "parameter_0", "As", "value_0", "4", "unit_0", "mg/kg"), "ddcddddd"},
		// The tenant admin edits the receipt check templates.
		{"GET", T + "/admin/receipt-templates", nil, "ddddddoo"},
		{"POST", T + "/admin/receipt-templates", form("fraction", "grus", "steps", "farge: Grå stein"), "ddddddoo"},
		{"POST", T + "/admin/receipt-templates/{htemplate}/delete", nil, "ddddddoo"},
	}
}
