// Package web is the server-rendered marketplace UI.
package web

import "github.com/masseflyt/masseflyt/core/app"

// Mount registers the UI routes.
func Mount(a *app.App) {}
