package storetest

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/masseflyt/masseflyt/core/blob"
)

// MemBlobs is a blob store in memory, for domain tests that store files.
type MemBlobs struct {
	mu sync.Mutex
	m  map[string][]byte
}

var _ blob.Store = (*MemBlobs)(nil)

// Put implements blob.Store.
func (b *MemBlobs) Put(_ context.Context, key string, r io.Reader) error {
	data, err := io.ReadAll(r)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string][]byte{}
	}
	b.m[key] = data
	return err
}

// Get implements blob.Store.
func (b *MemBlobs) Get(_ context.Context, key string) (io.ReadCloser, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.m[key]
	if !ok {
		return nil, blob.ErrNotFound
	}
	return io.NopCloser(bytes.NewReader(d)), nil
}

// Delete implements blob.Store.
func (b *MemBlobs) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}

// Len is how many blobs are stored.
func (b *MemBlobs) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.m)
}
