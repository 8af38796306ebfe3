// Package sheet holds what every CSV and spreadsheet export shares.
package sheet

// Text guards a text cell against CSV injection: a cell that a spreadsheet
// would read as a formula (= + - @, or a tab or carriage return first) gets
// a leading apostrophe. Numbers an export writes itself need not pass here;
// names and free text typed by members must.
func Text(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
