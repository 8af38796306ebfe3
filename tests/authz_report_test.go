package tests

import (
	"github.com/masseflyt/masseflyt/internal/apitest"
)

// The supervision package's rows of the authorization matrix (issue 14,
// K12). The project is the E18 site of Fornebu Anlegg (org admin Kari),
// on whose agreement Sandvika Bygg (member Ola) receives; Lysaker
// Transport (the transporter) is no party. Supervisors and tenant admins
// read every project and organization of the region; another region's
// project is not found. Without dates a report covers this year so far;
// bad periods are core/report's and api/reports_test.go's tests.

func init() {
	matrixParts = append(matrixParts, matrixPart{api: reportAPIRows, ui: reportUIRows, targets: reportTargets})
}

func reportTargets(e *apitest.Env, tg map[string]string) {
	tg["rproject"] = e.FirstID("baerum", "sites", "name = ?", "E18 Vestkorridoren, Ramstadsletta–Nesbru")
	tg["rfornebu"] = e.OrgID("baerum", "fornebu-anlegg")
	tg["rother"] = e.FirstID("trondelag", "sites", "kind = ?", "project")
}

func reportAPIRows() []expectation {
	T := "/api/v1/tenants/baerum/reports"
	//                                                                 A U M T O S TA SA
	return []expectation{
		{"GET", T + "/projects/{rproject}", nil, "ddodoooo"},
		{"GET", T + "/projects/{rproject}/loads", nil, "ddodoooo"},
		{"GET", T + "/projects/{rproject}/package", nil, "ddodoooo"},
		{"GET", T + "/projects/{rother}", nil, "ddnnnnnn"},
		{"GET", T + "/organizations/{rfornebu}", nil, "dddd" + "oooo"},
		{"GET", T + "/organizations/{rfornebu}/loads", nil, "ddddoooo"},
		{"GET", T + "/organizations/{rfornebu}/package", nil, "ddddoooo"},
	}
}

func reportUIRows() []expectation {
	T := "/t/baerum"
	//                                                             A U M T O S TA SA
	return []expectation{
		{"GET", T + "/reports", nil, "ddoooooo"},
		{"GET", T + "/sites/{rproject}/report-package", nil, "ddodoooo"},
		{"GET", T + "/organizations/{rfornebu}/report-package", nil, "ddddoooo"},
	}
}
