package directory

import "strings"

// NormalizeOrgNumber strips spaces and dots ("974 760 673" → "974760673").
func NormalizeOrgNumber(s string) string {
	return strings.NewReplacer(" ", "", ".", "", "\u00a0", "").Replace(strings.TrimSpace(s))
}

// OrgNumberProblem returns "" for a valid Norwegian organization number, or
// "format" (not nine digits) or "checksum" (MOD11 check digit mismatch).
// Weights 3,2,7,6,5,4,3,2 on digits 1–8; r = 11 − (sum mod 11); 11 → 0; 10 → invalid.
func OrgNumberProblem(s string) string {
	if len(s) != 9 {
		return "format"
	}
	weights := [8]int{3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i := 0; i < 9; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "format"
		}
		if i < 8 {
			sum += int(s[i]-'0') * weights[i]
		}
	}
	r := 11 - sum%11
	if r == 11 {
		r = 0
	}
	if r == 10 || r != int(s[8]-'0') {
		return "checksum"
	}
	return ""
}

// ValidOrgNumber reports whether s is a valid organization number.
func ValidOrgNumber(s string) bool { return OrgNumberProblem(s) == "" }
