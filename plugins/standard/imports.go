// Package standard registers the standard plugin set. Import it for its side effects.
package standard

import (
	_ "github.com/masseflyt/masseflyt/plugins/billing/local"
	_ "github.com/masseflyt/masseflyt/plugins/billing/stripe"
	_ "github.com/masseflyt/masseflyt/plugins/bizreg/brreg"
	_ "github.com/masseflyt/masseflyt/plugins/bizreg/fake"
	_ "github.com/masseflyt/masseflyt/plugins/esign/simple"
	_ "github.com/masseflyt/masseflyt/plugins/geocoder/fake"
	_ "github.com/masseflyt/masseflyt/plugins/geocoder/kartverket"
	_ "github.com/masseflyt/masseflyt/plugins/identity/dev"
	_ "github.com/masseflyt/masseflyt/plugins/identity/kratos"
	_ "github.com/masseflyt/masseflyt/plugins/mail/logmail"
	_ "github.com/masseflyt/masseflyt/plugins/mail/smtp"
	_ "github.com/masseflyt/masseflyt/plugins/routing/haversine"
	_ "github.com/masseflyt/masseflyt/plugins/routing/osrm"
	_ "github.com/masseflyt/masseflyt/plugins/storage/localfs"
)
