package tests

// Production identity's rows of the authorization matrix (issue 11). The
// self-service pages are open to anyone; with the demo identity (the
// matrix's) /login sends everyone to the dev picker ("d": a redirect to
// /auth/dev) and the other pages do not exist (Kratos serves their flows).
// The region's admin tokens are listed for its admins.

func init() {
	matrixParts = append(matrixParts, matrixPart{api: identityAPIRows, ui: identityUIRows})
}

func identityAPIRows() []expectation {
	T := "/api/v1/tenants/baerum"
	return []expectation{
		{"GET", T + "/admin/tokens", nil, "ddddddoo"},
	}
}

func identityUIRows() []expectation {
	var out []expectation
	for _, base := range []string{"", "/t/baerum"} {
		out = append(out,
			expectation{"GET", base + "/login", nil, "dddddddd"},
			expectation{"GET", base + "/registration", nil, "nnnnnnnn"},
			expectation{"GET", base + "/settings", nil, "nnnnnnnn"},
			expectation{"POST", base + "/settings/sessions", nil, "nnnnnnnn"},
			expectation{"GET", base + "/recovery", nil, "nnnnnnnn"},
			expectation{"GET", base + "/verification", nil, "nnnnnnnn"},
			expectation{"GET", base + "/error", nil, "nnnnnnnn"},
		)
	}
	return out
}
