// Package archtest holds the dependency rule's test: nothing under core/
// imports Fiber, fasthttp, or any package of this module outside core/
// (leaf packages such as locales excepted).
package archtest
