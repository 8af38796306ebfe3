package app

import (
	"fmt"
	"net/url"
	"sort"
	"sync"

	"github.com/masseflyt/masseflyt/route"
)

// Module is a plugin instance.
type Module any

// ModuleInfo describes a plugin: its ID ("capability.name") and constructor.
type ModuleInfo struct {
	ID  string
	New func() Module
}

// Provisioner is implemented by modules that need configuration or services.
type Provisioner interface{ Provision(a *App) error }

// Validator is implemented by modules that check their configuration.
type Validator interface{ Validate() error }

// RouteRegistrar is implemented by modules that serve routes of their own
// (a login page, a logout redirect), declared like every other route.
type RouteRegistrar interface{ Routes() []route.Route }

// CleanerUpper is implemented by modules holding resources.
type CleanerUpper interface{ Cleanup() error }

var (
	modulesMu sync.RWMutex
	modules   = map[string]ModuleInfo{}
)

// RegisterModule registers a plugin; call it from init(). Registering an ID
// twice is a programming error.
func RegisterModule(mi ModuleInfo) {
	modulesMu.Lock()
	defer modulesMu.Unlock()
	if mi.ID == "" || mi.New == nil {
		panic("module needs an ID and a constructor")
	}
	if _, dup := modules[mi.ID]; dup {
		panic("module already registered: " + mi.ID)
	}
	modules[mi.ID] = mi
}

// Modules lists registered module IDs.
func Modules() []string {
	modulesMu.RLock()
	defer modulesMu.RUnlock()
	out := make([]string, 0, len(modules))
	for id := range modules {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// LoadModule instantiates, provisions and validates module id.
func (a *App) LoadModule(id string) (Module, error) {
	modulesMu.RLock()
	mi, ok := modules[id]
	modulesMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown module %q (registered: %v)", id, Modules())
	}
	m := mi.New()
	if p, ok := m.(Provisioner); ok {
		if err := p.Provision(a); err != nil {
			return nil, fmt.Errorf("provision %s: %w", id, err)
		}
	}
	if v, ok := m.(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("validate %s: %w", id, err)
		}
	}
	if rr, ok := m.(RouteRegistrar); ok {
		a.moduleRoutes = append(a.moduleRoutes, rr)
	}
	if cu, ok := m.(CleanerUpper); ok {
		a.cleanups = append(a.cleanups, cu.Cleanup)
	}
	return m, nil
}

func loadAs[T any](a *App, id string) (T, error) {
	var zero T
	m, err := a.LoadModule(id)
	if err != nil {
		return zero, err
	}
	t, ok := m.(T)
	if !ok {
		return zero, fmt.Errorf("module %s does not implement %T", id, &zero)
	}
	return t, nil
}

// CheckURL validates a plugin's URL setting: absolute, http or https, with
// a host.
func CheckURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s=%q must be an http(s) URL such as https://example.no/api", name, raw)
	}
	return nil
}
