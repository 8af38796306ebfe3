// Package other holds a type whose name clashes with one of the generator's
// tests, to test how the clash is resolved.
package other

// Widget clashes with oas's test type Widget.
type Widget struct {
	Label string `json:"label"`
}
