package app

import "github.com/masseflyt/masseflyt/core/climate"

// provisionClimate wires the climate accounts: subscribed after core/haul's
// subscriber, which writes each load's own account first.
func (a *App) provisionClimate() {
	a.Climate = &climate.Service{DB: a.DB}
	a.Climate.Subscribe(a.Events)
}
