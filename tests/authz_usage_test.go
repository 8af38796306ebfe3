package tests

// The usage rows of the authorization matrix (K14): the region's usage per
// organization and project is its tenant admins' (and the platform's);
// nobody else reads it (bad periods and other regions: api/usage_test.go).

func init() {
	matrixParts = append(matrixParts, matrixPart{api: usageAPIRows, ui: usageUIRows})
}

func usageAPIRows() []expectation {
	T := "/api/v1/tenants/baerum"
	//                                                                                     A U M T O S TA SA
	return []expectation{
		{"GET", T + "/usage", nil, "ddddddoo"},
		{"GET", T + "/usage.csv", nil, "ddddddoo"},
		{"GET", T + "/usage.xlsx", nil, "ddddddoo"},
	}
}

func usageUIRows() []expectation {
	T := "/t/baerum"
	//                                                                                     A U M T O S TA SA
	return []expectation{
		{"GET", T + "/admin/usage", nil, "ddddddoo"},
		{"GET", T + "/admin/usage.csv", nil, "ddddddoo"},
		{"GET", T + "/admin/usage.xlsx", nil, "ddddddoo"},
	}
}
