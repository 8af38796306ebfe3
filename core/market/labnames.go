package market

import (
	"strings"
	"unicode"
)

// The names Norwegian labs (Eurofins, ALS, and the app itself) give the
// TA-2553 parameters in their exports: Norwegian and English names, element
// symbols, sums as the labs write them. Lookups ignore case, spaces, the
// kind of brackets and dashes, a leading "sum"/"Σ" and a trailing "EPA".
var labSynonyms = map[string][]string{
	"as":      {"arsen", "arsenic", "as", "arsen (as)"},
	"pb":      {"bly", "lead", "pb", "bly (pb)"},
	"cd":      {"kadmium", "cadmium", "cd", "kadmium (cd)"},
	"cu":      {"kobber", "copper", "cu", "kobber (cu)"},
	"cr":      {"krom", "chromium", "cr", "krom (cr)", "krom (iii/total)", "krom total", "krom (total)", "total krom", "krom iii", "krom (iii)", "chromium (total)", "chromium total", "chromium iii", "cr (total)", "cr total", "krom (cr) total", "cr iii", "cr(iii)"},
	"cr6":     {"krom vi", "krom (vi)", "krom 6+", "krom(6+)", "cr6+", "cr 6+", "cr(vi)", "cr vi", "crvi", "cr6", "chromium vi", "chromium (vi)", "hexavalent chromium", "heksavalent krom", "seksverdig krom"},
	"hg":      {"kvikksølv", "kvikksolv", "mercury", "hg", "kvikksølv (hg)"},
	"ni":      {"nikkel", "nickel", "ni", "nikkel (ni)"},
	"zn":      {"sink", "zinc", "zn", "sink (zn)"},
	"pcb7":    {"pcb7", "pcb 7", "pcb-7", "pcb (7)", "7 pcb", "pcb7 (sum)", "sum 7 pcb", "sum pcb7", "sum pcb 7", "sum pcb(7)", "sum 7 pcb-er", "sum of 7 pcb", "sum of 7 pcbs", "sum 7 pcbs", "pcb, sum 7", "sum pcb (7 kongenere)", "σpcb7", "∑pcb7"},
	"pah16":   {"pah16", "pah 16", "pah-16", "pah(16)", "16 pah", "sum pah(16) epa", "sum pah (16) epa", "sum pah16", "sum pah 16", "sum pah-16", "sum 16 pah", "sum pah", "sum of 16 pah", "sum of 16 pahs", "pah (sum 16)", "pah, sum 16", "σpah16", "∑pah16", "pah16 epa", "sum pah16 epa"},
	"bap":     {"benzo(a)pyren", "benzo(a)pyrene", "benzo[a]pyren", "benzo[a]pyrene", "benso(a)pyren", "bap", "b(a)p"},
	"c8_c10":  {"alifater c8-c10", "alifater >c8-c10", "alifatiske c8-c10", "aliphatics c8-c10", "aliphatics >c8-c10", "c8-c10", ">c8-c10", "fraksjon c8-c10", "fraksjon >c8-c10"},
	"c10_c12": {"alifater >c10-c12", "alifater c10-c12", "alifatiske >c10-c12", "aliphatics >c10-c12", "aliphatics c10-c12", ">c10-c12", "c10-c12", "fraksjon >c10-c12", "fraksjon c10-c12"},
	"c12_c35": {"alifater >c12-c35", "alifater c12-c35", "alifatiske >c12-c35", "aliphatics >c12-c35", "aliphatics c12-c35", ">c12-c35", "c12-c35", "sum >c12-c35", "sum c12-c35", "fraksjon >c12-c35", "fraksjon c12-c35"},
	"benzene": {"benzen", "benzene", "bensen"},
}

// labIgnored are parameters a lab export carries beside the TA-2553 ones
// (dry matter, the single PAH and PCB compounds behind the sums, other
// hydrocarbon fractions, BTEX but benzene, TOC): recognised and skipped, so
// a real export imports; any other name is refused and named.
var labIgnored = []string{
	"tørrstoff", "torrstoff", "tørrstoff (dm)", "tørrstoff (e)", "tørrstoff (ts)", "ts", "dm", "dry matter", "dry solids", "vanninnhold", "water content", "glødetap", "loss on ignition", "toc", "total organic carbon", "totalt organisk karbon", "ph",
	"naftalen", "naphthalene", "acenaftylen", "acenaphthylene", "acenaften", "acenaphthene", "fluoren", "fluorene", "fenantren", "phenanthrene", "antracen", "anthracene", "fluoranten", "fluoranthene", "pyren", "pyrene",
	"benzo(a)antracen", "benzo(a)anthracene", "krysen", "chrysene", "krysen+trifenylen", "benzo(b)fluoranten", "benzo(b)fluoranthene", "benzo(k)fluoranten", "benzo(k)fluoranthene", "benzo(b+j)fluoranten", "benzo(b,j,k)fluoranten",
	"indeno(1,2,3-cd)pyren", "indeno(1,2,3-cd)pyrene", "dibenzo(a,h)antracen", "dibenzo(a,h)anthracene", "dibenz(a,h)antracen", "benzo(ghi)perylen", "benzo(g,h,i)perylen", "benzo(ghi)perylene", "benzo(g,h,i)perylene",
	"pcb 28", "pcb 52", "pcb 101", "pcb 118", "pcb 138", "pcb 153", "pcb 180",
	"toluen", "toluene", "etylbenzen", "ethylbenzene", "xylener", "xylenes", "m,p-xylen", "o-xylen", "sum xylener", "sum btex", "btex",
	"alifater c5-c6", "alifater >c6-c8", ">c5-c6", ">c6-c8", "c5-c6", "c6-c8", "alifater >c35-c40", ">c35-c40", "c35-c40", "sum >c12-c35 (olje)", "thc", "sum thc", "sum thc (>c5-c35)", "sum c10-c40", "c10-c40",
}

var (
	labParamIndex = func() map[string]string {
		m := map[string]string{}
		for _, p := range TA2553 {
			m[labNorm(p.Key)] = p.Key
			m[labNorm(p.Name)] = p.Key
			for _, n := range labSynonyms[p.Key] {
				m[labNorm(n)] = p.Key
			}
		}
		return m
	}()
	labIgnoredIndex = func() map[string]bool {
		m := map[string]bool{}
		for _, n := range labIgnored {
			if _, ok := labParamIndex[labNorm(n)]; !ok {
				m[labNorm(n)] = true
			}
		}
		return m
	}()
)

// labNorm folds a parameter name for lookup: lower case, no spaces, one
// kind of dash and bracket, "Σ"/"∑"/"sum" at the front and "epa"/"(sum)"
// at the end dropped.
func labNorm(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '\u00a0' || r == '_':
		case r == '–' || r == '—' || r == '‐' || r == '−':
			b.WriteRune('-')
		case r == '[' || r == '{':
			b.WriteRune('(')
		case r == ']' || r == '}':
			b.WriteRune(')')
		default:
			b.WriteRune(r)
		}
	}
	s = b.String()
	for _, pre := range []string{"σ", "∑", "sum", "sumof", ","} {
		s = strings.TrimPrefix(s, pre)
	}
	for _, suf := range []string{"(sum)", ",sum", "epa", "*"} {
		s = strings.TrimSuffix(s, suf)
	}
	return s
}

// LabParameter maps a parameter name as a lab export or the app writes it
// ("Arsen (As)", "Bly (Pb)", "Sum PAH(16) EPA", "PCB7", "Sum 7 PCB", "As",
// "arsenic") to its TA-2553 key. ignored reports a name that is known but
// not classified (dry matter, single PAH compounds, …).
func LabParameter(name string) (key string, ignored, ok bool) {
	n := labNorm(name)
	if n == "" {
		return "", false, false
	}
	if k, ok := labParamIndex[n]; ok {
		return k, false, true
	}
	if labIgnoredIndex[n] {
		return "", true, true
	}
	// "Navn (Sym)": the name or the symbol alone.
	if i := strings.LastIndexByte(n, '('); i > 0 && strings.HasSuffix(n, ")") {
		for _, part := range []string{n[:i], n[i+1 : len(n)-1]} {
			if k, ok := labParamIndex[part]; ok {
				return k, false, true
			}
		}
		if labIgnoredIndex[n[:i]] {
			return "", true, true
		}
	}
	return "", false, false
}

// LabUnits are the units accepted (any case; "TS", "tørrstoff", "dry
// matter" after them optional).
var LabUnits = []string{"mg/kg", "µg/kg", "g/kg", "ppm"}

// normUnit folds a unit: lower case, no spaces or brackets, the dry-matter
// suffix dropped ("mg/kg TS", "µg/kg tørrstoff", "mg/kg t.s.", "mg/kg DM").
func normUnit(unit string) string {
	u := strings.ToLower(strings.TrimSpace(unit))
	u = strings.NewReplacer(" ", "", "\u00a0", "", "(", "", ")", "", "μ", "µ").Replace(u)
	for _, suf := range []string{"tørrstoff", "torrstoff", "tørrvekt", "drymatter", "dryweight", "drysolids", "t.s.", "ts.", "ts", "tv", "dm", "dw", "d.w.", "."} {
		if strings.HasSuffix(u, suf) && len(u) > len(suf) {
			u = strings.TrimSuffix(u, suf)
			break
		}
	}
	return strings.TrimSuffix(u, ".")
}
