package store

import "github.com/google/uuid"

// NewID returns a new time-ordered UUIDv7 string, the key of every row.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// ValidID reports whether s is a well-formed ID; malformed IDs are answered
// with 404 before they reach the database.
func ValidID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
