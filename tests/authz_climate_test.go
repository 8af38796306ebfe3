package tests

import (
	"net/url"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/internal/apitest"
	"github.com/masseflyt/masseflyt/internal/haultest"
)

// The climate accounts' rows of the authorization matrix (issue 14). The
// targets are the accounts of a received load under a sealed agreement
// between Fornebu Anlegg (supplier: Kari, the org admin) and Sandvika Bygg
// (receiver: Ola, the member), driven by Lysaker Transport (Lars): the
// agreement, Sandvika's project, Fornebu, the pickup site's municipality
// and the region. Members read their organizations', projects' and
// agreements' accounts; supervisors and tenant admins all of them;
// recomputing with a set that is not newer is refused past the rules.

func init() {
	matrixParts = append(matrixParts, matrixPart{api: climateAPIRows, ui: climateUIRows, targets: climateTargets})
}

func climateTargets(e *apitest.Env, tg map[string]string) {
	w := haultest.New(e)
	w.Received(w.Order, 15)
	e.Settle()
	tg["cagreement"] = w.Agreement.ID
	tg["cproject"] = w.SandvikaSite
	tg["corg"] = w.Fornebu
	var muni string
	w.Must(e.App.DB.Read(e.Ctx("baerum"), func(tx *gorm.DB) error {
		return tx.Table("sites").Where("id = ?", w.FornebuSite).Pluck("municipality_no", &muni).Error
	}))
	tg["cmuni"] = muni
}

func climateAPIRows() []expectation {
	T := "/api/v1/tenants/baerum/climate"
	old := map[string]any{"factor_set": "defra-2025"} // not newer than the recorded set
	//                                                             A U M T O S TA SA
	return []expectation{
		{"GET", T + "/agreements/{cagreement}", nil, "ddonoooo"},
		{"GET", T + "/projects/{cproject}", nil, "ddonnooo"},
		{"GET", T + "/organizations/{corg}", nil, "ddddoooo"},
		{"GET", T + "/municipalities/{cmuni}", nil, "dddddooo"},
		{"GET", T + "/region", nil, "dddddooo"},
		{"POST", T + "/agreements/{cagreement}/recompute", old, "dddnbdbb"},
		{"POST", T + "/projects/{cproject}/recompute", old, "dddnndbb"},
		{"POST", T + "/organizations/{corg}/recompute", old, "ddddbdbb"},
		{"POST", T + "/municipalities/{cmuni}/recompute", old, "ddddddbb"},
		{"POST", T + "/region/recompute", old, "ddddddbb"},
	}
}

func climateUIRows() []expectation {
	T := "/t/baerum/climate"
	old := url.Values{"factor_set": {"defra-2025"}}
	//                                                             A U M T O S TA SA
	return []expectation{
		{"GET", T, nil, "ddoooooo"},
		{"GET", T + "/method", nil, "oooooooo"},
		{"GET", T + "/agreements/{cagreement}", nil, "ddonoooo"},
		{"GET", T + "/projects/{cproject}", nil, "ddonnooo"},
		{"GET", T + "/organizations/{corg}", nil, "ddddoooo"},
		{"GET", T + "/municipalities/{cmuni}", nil, "dddddooo"},
		{"GET", T + "/region", nil, "dddddooo"},
		// A set that is not newer: refused past the rules, back to the page (303).
		{"POST", T + "/agreements/{cagreement}/recompute", old, "dddnodoo"},
		{"POST", T + "/projects/{cproject}/recompute", old, "dddnndoo"},
		{"POST", T + "/organizations/{corg}/recompute", old, "ddddodoo"},
		{"POST", T + "/municipalities/{cmuni}/recompute", old, "ddddddoo"},
		{"POST", T + "/region/recompute", old, "ddddddoo"},
	}
}
