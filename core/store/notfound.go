package store

import (
	"errors"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/fail"
)

// NotFoundOr turns a missing row into the domain's not found and passes
// other errors on.
func NotFoundOr(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fail.NotFoundErr()
	}
	return err
}
