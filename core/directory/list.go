package directory

import (
	"database/sql/driver"
	"fmt"
	"strings"
)

// Value stores the list as comma-separated text.
func (l List) Value() (driver.Value, error) { return strings.Join(l, ","), nil }

// Scan reads comma-separated text.
func (l *List) Scan(v any) error {
	var s string
	switch x := v.(type) {
	case nil:
		*l = nil
		return nil
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return fmt.Errorf("list: cannot scan %T", v)
	}
	if s == "" {
		*l = List{}
		return nil
	}
	*l = strings.Split(s, ",")
	return nil
}
