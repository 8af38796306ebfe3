package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"

	"github.com/masseflyt/masseflyt/core/fail"
)

// ReadVerified reads the blob key from st and checks it against the
// SHA-256 (hex) its row recorded: a missing file is not found, a file that
// changed since it was stored is an internal error, never served.
func ReadVerified(ctx context.Context, st Store, key, sum string) ([]byte, error) {
	rc, err := st.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, fail.NotFoundErr()
	}
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, err
	}
	if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != sum {
		return nil, fail.New(fail.Internal, "checksum", "ErrInternal")
	}
	return data, nil
}
