// Package blob is the interface of file storage plugins (storage.localfs by
// default). Keys are chosen by the platform; stores never see user file names.
package blob

import (
	"context"
	"errors"
	"io"
)

// ErrNotFound reports a missing blob.
var ErrNotFound = errors.New("blob: not found")

// Store keeps uploaded files.
type Store interface {
	Put(ctx context.Context, key string, r io.Reader) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}
