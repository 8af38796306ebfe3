package apitest

// The fixture principals, by e-mail (log in with As: or Cookie()).
const (
	TenantAdmin = "admin@baerum-ressursbank.no"
	Supervisor  = "tilsyn@statsforvalteren-oslo.no"
	OrgAdmin    = "kari@fornebu-anlegg.no"    // admin of Fornebu Anlegg
	Member      = "ola@sandvika-bygg.no"      // member of Sandvika Bygg
	Transporter = "lars@lysaker-transport.no" // admin of Lysaker Massetransport
	Pending     = "nina@vestmarka-pukk.no"    // pending request only
	Platform    = "plattform@masseflyt.no"
	RogAdmin    = "admin@rogaland-masseforum.no"
)
