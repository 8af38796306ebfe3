// Package failclosed holds one test: a binary that links only the store and
// one model, no migrations and no registration, still scopes that model to
// the context's tenant and refuses it without one.
package failclosed
