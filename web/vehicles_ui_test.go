package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/masseflyt/masseflyt/internal/apitest"
)

// TestVehicleEditAndDelete: the company's people edit and remove a vehicle
// in the UI; another company's admin cannot; the form preselects no Euro
// class; registration numbers are checked in Norwegian formats, with a
// localized message.
func TestVehicleEditAndDelete(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		T := "/t/baerum"
		lysaker := e.OrgID("baerum", "lysaker-transport")
		r := e.Do(apitest.Request{Path: T + "/organizations/" + lysaker + "/vehicles/new", As: apitest.Transporter})
		body := string(r.Body)
		if r.Status != 200 {
			t.Fatalf("new vehicle form: %d", r.Status)
		}
		i := strings.Index(body, `id="euro_class"`)
		sel := body[i : i+strings.Index(body[i:], "</select>")]
		if strings.Count(sel, "selected") != 1 || !strings.Contains(sel, `<option value="" selected>`) {
			t.Fatalf("the Euro class is preselected: %s", sel)
		}
		// No Euro class: refused, not defaulted.
		r = e.PostForm(T+"/organizations/"+lysaker+"/vehicles/new", apitest.Transporter, url.Values{"registration": {"MX 12345"}, "body_type": {"tipper_4axle"}, "fuel": {"diesel"}, "payload_tonnes": {"18"}})
		if r.Status != 422 {
			t.Fatalf("vehicle without Euro class: %d", r.Status)
		}
		// A foreign plate without its country mark, with the message in Norwegian.
		r = e.PostForm(T+"/organizations/"+lysaker+"/vehicles/new", apitest.Transporter, url.Values{"registration": {"MÜ-AB 1234"}, "body_type": {"tipper_4axle"}, "euro_class": {"euro6"}, "fuel": {"diesel"}, "payload_tonnes": {"18"}})
		if r.Status != 422 || !strings.Contains(string(r.Body), "to bokstaver og fem sifre") {
			t.Fatalf("foreign plate: %d", r.Status)
		}
		approved := e.FirstID("baerum", "vehicles", "registration = 'EB12345'")
		if r := e.Do(apitest.Request{Path: T + "/vehicles/" + approved + "/edit", As: apitest.OrgAdmin}); r.Status != 403 {
			t.Fatalf("another company's admin edits: %d", r.Status)
		}
		r = e.Do(apitest.Request{Path: T + "/vehicles/" + approved + "/edit", As: apitest.Transporter})
		if r.Status != 200 || !strings.Contains(string(r.Body), `value="EB 12345"`) || !strings.Contains(string(r.Body), "/vehicles/"+approved+"/delete") {
			t.Fatalf("edit form: %d", r.Status)
		}
		r = e.PostForm(T+"/vehicles/"+approved+"/edit", apitest.Transporter, url.Values{"registration": {"eb-12345"}, "make": {"Volvo"}, "model": {"FMX"}, "body_type": {"tipper_4axle"}, "euro_class": {"euro6"}, "fuel": {"hvo"}, "payload_tonnes": {"17,5"}})
		if r.Status != 303 {
			t.Fatalf("edit: %d %.300s", r.Status, r.Body)
		}
		if e.Count("baerum", "vehicles", "id = ? AND model = 'FMX' AND payload_tonnes = 17.5 AND registration = 'EB12345'", approved) != 1 {
			t.Fatal("the vehicle is not updated")
		}
		if r := e.PostForm(T+"/vehicles/"+approved+"/delete", apitest.OrgAdmin, url.Values{}); r.Status != 403 {
			t.Fatalf("another company's admin deletes: %d", r.Status)
		}
		r = e.PostForm(T+"/vehicles/"+approved+"/delete", apitest.Transporter, url.Values{})
		if r.Status != 303 || !strings.HasSuffix(r.Header.Get("Location"), "/organizations/"+lysaker+"?notice=Deleted") {
			t.Fatalf("delete: %d %s", r.Status, r.Header.Get("Location"))
		}
		if e.Count("baerum", "vehicles", "id = ?", approved) != 0 {
			t.Fatal("the vehicle is still there")
		}
	})
}

// TestPagesWriteNumbersPerLanguage: a page writes a payload of 17.5 t as
// "17,5 t" in Bokmål and Nynorsk and "17.5 t" in English.
func TestPagesWriteNumbersPerLanguage(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		lysaker := e.OrgID("baerum", "lysaker-transport")
		for lang, want := range map[string]string{"nb": "17,5&nbsp;t", "nn": "17,5&nbsp;t", "en": "17.5&nbsp;t"} {
			r := e.Do(apitest.Request{Path: "/t/baerum/organizations/" + lysaker + "?lang=" + lang, As: apitest.Transporter})
			body := string(r.Body)
			if r.Status != 200 || !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Fatalf("%s: %d, not in the language", lang, r.Status)
			}
			if !strings.Contains(body, want) && !strings.Contains(body, strings.ReplaceAll(want, "&nbsp;", "\u00a0")) {
				t.Errorf("%s: no %q on the page", lang, want)
			}
			if !strings.Contains(body, "EB 12345") {
				t.Errorf("%s: registration not written as EB 12345", lang)
			}
		}
	})
}
