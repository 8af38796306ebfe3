package directory

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// NormalizeOrgNumber strips white space (any kind, anywhere: spaces, tabs,
// no-break and thin spaces) and dots ("974 760 673" → "974760673"). It is
// idempotent: what it returns holds neither, so a second pass changes
// nothing (invalid UTF-8 becomes U+FFFD on the first pass and stays).
func NormalizeOrgNumber(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, dropInOrgNumber) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if dropInOrgNumber(r) {
			return -1
		}
		return r
	}, s)
}

func dropInOrgNumber(r rune) bool {
	return r == '.' || unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) || r == '\u200b' || r == '\u2060' || r == '\ufeff'
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

var legalForms = map[string]bool{"AS": true, "ASA": true, "KF": true, "FKF": true, "SA": true, "ANS": true, "DA": true, "ENK": true, "IKS": true, "BA": true, "NUF": true, "KS": true, "SF": true, "HF": true}

var smallWords = map[string]bool{"og": true, "i": true, "på": true, "av": true, "for": true, "til": true, "med": true}

// DisplayName turns the register's upper-case names into ordinary
// capitalisation, keeping legal forms upper-case: "FORNEBU ANLEGG AS" →
// "Fornebu Anlegg AS". Names already in mixed case are left alone.
func DisplayName(name string) string {
	if name != strings.ToUpper(name) {
		return name
	}
	words := strings.Fields(name)
	for i, w := range words {
		if legalForms[w] {
			continue
		}
		if i > 0 && smallWords[strings.ToLower(w)] {
			words[i] = strings.ToLower(w)
			continue
		}
		r := []rune(strings.ToLower(w))
		for j := range r {
			if j == 0 || r[j-1] == '-' || r[j-1] == '/' || r[j-1] == '(' {
				r[j] = []rune(strings.ToUpper(string(r[j])))[0]
			}
		}
		words[i] = string(r)
	}
	return strings.Join(words, " ")
}
