package tests

// The load ledger's rows of the authorization matrix (K9 point 3): an
// agreement's ledger verified reads as the agreement does (its parties,
// the region's supervisors and admins; 404 for other members); the signed
// daily roots are open data.

func init() {
	matrixParts = append(matrixParts, matrixPart{api: ledgerAPIRows})
}

func ledgerAPIRows() []expectation {
	T := "/api/v1/tenants/baerum"
	//                                                                      A U M T O S TA SA
	return []expectation{
		{"GET", T + "/agreements/{agreement}/ledger/verify", nil, "ddonoooo"},
		{"GET", T + "/ledger/roots", nil, "oooooooo"},
	}
}
