package api_test

import (
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// TestLoadsAPI: a load from departure to receipt over HTTP on a real
// transport order, the resend with the same Idempotency-Key answered with
// the first answer, and refusals as problem+json in Norwegian with JSON
// pointers and nothing written. The harness checks every answer against
// the OpenAPI document.
func TestLoadsAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		T := "/api/v1/tenants/baerum"
		w := haultest.New(e)
		order := w.TransportOrder(w.Agreement)
		w.S.Orders = e.App.Transport.HaulOrders()
		same := map[string]string{"Sec-Fetch-Site": "same-origin", "Idempotency-Key": "phone-1:1"}
		body := map[string]any{"order_id": order, "vehicle_id": w.Vehicle, "est_tonnes": 17.5, "device_at": apitest.Now().Format("2006-01-02T15:04:05Z07:00")}
		type load struct {
			ID          string `json:"id"`
			Code        string `json:"code"`
			ReleaseCode string `json:"release_code"`
		}
		var first, again load
		r := e.Do(apitest.Request{Method: "POST", Path: T + "/loads", As: apitest.Transporter, Body: body, Header: same})
		if r.Status != 201 {
			t.Fatalf("depart: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &first)
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/loads", As: apitest.Transporter, Body: body, Header: same})
		r.JSON(t, &again)
		if r.Status != 201 || again.ID != first.ID || e.Count("baerum", "loads", "") != 1 {
			t.Fatalf("resend: %d %s (%d loads)", r.Status, r.Body, e.Count("baerum", "loads", ""))
		}
		// Refused, in Norwegian, with the field, nothing written.
		bad := map[string]any{"order_id": order, "vehicle_id": w.PendingVehicle, "est_tonnes": -2}
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/loads", As: apitest.Transporter, Body: bad, Header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/est_tonnes"`) || !strings.Contains(string(r.Body), "kan ikke være negativ") {
			t.Fatalf("negative estimate: %d %s", r.Status, r.Body)
		}
		delete(bad, "est_tonnes")
		bad["est_tonnes"] = 12
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/loads", As: apitest.Transporter, Body: bad, Header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/vehicle_id"`) || !strings.Contains(string(r.Body), "ikke godkjent") || e.Count("baerum", "loads", "") != 1 {
			t.Fatalf("unapproved vehicle: %d %s", r.Status, r.Body)
		}
		// Release by the sender, then the receipt by the receiver.
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/loads/release", As: apitest.OrgAdmin, Body: map[string]any{"code": strings.ToLower(first.ReleaseCode)}, Header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
		if r.Status != 200 {
			t.Fatalf("release: %d %s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/loads/" + first.ID + "/receipt", As: apitest.Member, Body: map[string]any{"code": first.Code, "weight_tonnes": 1e6, "result": "accepted"}, Header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), `"pointer":"/weight_tonnes"`) {
			t.Fatalf("absurd weight: %d %s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/loads/" + first.ID + "/receipt", As: apitest.Member, Body: map[string]any{"code": first.Code, "weight_tonnes": 17.42, "result": "accepted"}, Header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
		if r.Status != 200 || !strings.Contains(string(r.Body), `"status":"received"`) || strings.Contains(string(r.Body), first.Code) {
			t.Fatalf("receipt: %d %s", r.Status, r.Body)
		}
		r = e.Do(apitest.Request{Method: "POST", Path: T + "/loads/" + first.ID + "/receipt", As: apitest.Member, Body: map[string]any{"code": first.Code, "weight_tonnes": 17.42, "result": "accepted"}, Header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
		if r.Status != 409 {
			t.Fatalf("second receipt: %d %s", r.Status, r.Body)
		}
		for _, p := range []string{"/loads/" + first.ID, "/loads/" + first.ID + "/guide", "/loads?agreement_id=" + w.Agreement.ID, "/agreements/" + w.Agreement.ID + "/load-tally"} {
			if r := e.Do(apitest.Request{Path: T + p, As: apitest.Supervisor}); r.Status != 200 {
				t.Fatalf("%s: %d %s", p, r.Status, r.Body)
			}
		}
	})
}
