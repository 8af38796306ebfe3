// Demo organizations: fictional companies at plausible addresses, with
// MOD11-valid organization numbers served by bizreg.fake (demo-units.json).
package demo

// Orgs are the demo organizations. Their register entries are served by bizreg.fake.
var Orgs = []Org{
	{Key: "sandvika-bygg", Tenant: "baerum", OrgNumber: "928155676", Kinds: []string{"builder"}, Services: []string{}, Lat: 59.8911, Lon: 10.5243, Description: "Byggherre for næringsbygg og boliger i Sandvika."},
	{Key: "fornebu-anlegg", Tenant: "baerum", OrgNumber: "928157040", Kinds: []string{"contractor"}, Services: []string{}, Lat: 59.8983, Lon: 10.6237, Description: "Anleggsentreprenør for samferdsel og grunnarbeid i Vestkorridoren."},
	{Key: "vestmarka-pukk", Tenant: "baerum", OrgNumber: "928158411", Kinds: []string{"quarry"}, Services: []string{}, Lat: 59.9265, Lon: 10.4301, Description: "Pukkverk med mottak av rene steinmasser for knusing."},
	{Key: "baerum-deponi", Tenant: "baerum", OrgNumber: "928159787", Kinds: []string{"landfill", "recycling_plant"}, Services: []string{}, Lat: 59.8723, Lon: 10.4612, Description: "Mottak og deponi for rene og lett forurensede masser, gjenvinning av betong og asfalt."},
	{Key: "asker-mellomlager", Tenant: "baerum", OrgNumber: "928161153", Kinds: []string{"intermediate_storage"}, Services: []string{}, Lat: 59.786, Lon: 10.448, Description: "Midlertidig mellomlager for steinmasser og jord, inntil tre år."},
	{Key: "lysaker-transport", Tenant: "baerum", OrgNumber: "928162524", Kinds: []string{"transporter"}, Services: []string{"tipper", "semi_tipper", "road_train"}, Lat: 59.9128, Lon: 10.6368, Description: "Massetransport med 4-akslede tippbiler og semitrailere i Oslo og Akershus."},
	{Key: "oslofjord-terminal", Tenant: "baerum", OrgNumber: "928165264", Kinds: []string{"port"}, Services: []string{"barge"}, Lat: 59.8989, Lon: 10.7552, Description: "Kaianlegg for utskiping av overskuddsmasser med lekter."},
	{Key: "norsk-jordlab", Tenant: "baerum", OrgNumber: "928166635", Kinds: []string{"lab"}, Services: []string{}, Lat: 59.9434, Lon: 10.7175, Description: "Akkreditert laboratorium for miljøanalyser av jord og stein."},
	{Key: "skui-miljopark", Tenant: "baerum", OrgNumber: "928169375", Kinds: []string{"environmental_park", "intermediate_storage"}, Services: []string{}, Lat: 59.931, Lon: 10.481, Description: "Miljøpark med sortering, knusing og mellomlagring."},
	{Key: "oslo-bybygg", Tenant: "baerum", OrgNumber: "928170748", Kinds: []string{"builder"}, Services: []string{}, Lat: 59.914, Lon: 10.743, Description: "Kommunalt foretak som bygger skoler og barnehager."},
	{Key: "nidaros", Tenant: "trondelag", OrgNumber: "928172112", Kinds: []string{"contractor"}, Services: []string{}, Lat: 63.3986, Lon: 10.3982, Description: "Entreprenør for vei, bane og tunnel i Trøndelag."},
	{Key: "heggstad-pukk", Tenant: "trondelag", OrgNumber: "928173488", Kinds: []string{"quarry"}, Services: []string{}, Lat: 63.3468, Lon: 10.3361, Description: "Pukkverk som tar imot rene sprengsteinsmasser."},
	{Key: "stovset", Tenant: "trondelag", OrgNumber: "928174859", Kinds: []string{"landfill"}, Services: []string{}, Lat: 63.3289, Lon: 10.2797, Description: "Massemottak for rene masser, klasse 1 og 2."},
	{Key: "stjordal-transport", Tenant: "trondelag", OrgNumber: "928176223", Kinds: []string{"transporter"}, Services: []string{"tipper", "road_train", "hooklift"}, Lat: 63.4705, Lon: 10.9189, Description: "Tipptransport og krokbil i Trøndelag."},
	{Key: "sluppen", Tenant: "trondelag", OrgNumber: "928177599", Kinds: []string{"builder"}, Services: []string{}, Lat: 63.3975, Lon: 10.401, Description: "Utvikler boliger og næring på Sluppen."},
	{Key: "melhus-mellomlager", Tenant: "trondelag", OrgNumber: "928180336", Kinds: []string{"intermediate_storage"}, Services: []string{}, Lat: 63.285, Lon: 10.278, Description: "Mellomlager for steinmasser i påvente av nye prosjekter."},
	{Key: "orkanger-havn", Tenant: "trondelag", OrgNumber: "928181707", Kinds: []string{"port"}, Services: []string{"barge"}, Lat: 63.31, Lon: 9.849, Description: "Havn med kai for masser til sjøs."},
	{Key: "geolab", Tenant: "trondelag", OrgNumber: "928183076", Kinds: []string{"lab"}, Services: []string{}, Lat: 63.415, Lon: 10.406, Description: "Geoteknisk og miljøteknisk laboratorium."},
	{Key: "forus", Tenant: "rogaland", OrgNumber: "928184447", Kinds: []string{"builder"}, Services: []string{}, Lat: 58.8935, Lon: 5.727, Description: "Byggherre for næringsbygg på Forus."},
	{Key: "jaeren-anlegg", Tenant: "rogaland", OrgNumber: "928185818", Kinds: []string{"contractor"}, Services: []string{}, Lat: 58.864, Lon: 5.739, Description: "Grunnarbeid og samferdselsanlegg på Nord-Jæren."},
	{Key: "risavika", Tenant: "rogaland", OrgNumber: "928187187", Kinds: []string{"port", "intermediate_storage"}, Services: []string{"barge"}, Lat: 58.923, Lon: 5.59, Description: "Havneterminal med mellomlagring og utskiping av masser."},
	{Key: "sandnes-steinbrudd", Tenant: "rogaland", OrgNumber: "928188558", Kinds: []string{"quarry"}, Services: []string{}, Lat: 58.928, Lon: 5.853, Description: "Steinbrudd og knuseverk."},
	{Key: "sola-gjenvinning", Tenant: "rogaland", OrgNumber: "928189929", Kinds: []string{"recycling_plant"}, Services: []string{}, Lat: 58.883, Lon: 5.634, Description: "Gjenvinning av asfalt og betong."},
	{Key: "randaberg-deponi", Tenant: "rogaland", OrgNumber: "928192660", Kinds: []string{"landfill"}, Services: []string{}, Lat: 59.001, Lon: 5.626, Description: "Deponi for rene masser og lett forurenset jord."},
	{Key: "rogaland-tipp", Tenant: "rogaland", OrgNumber: "928194035", Kinds: []string{"transporter"}, Services: []string{"tipper", "semi_tipper", "dumper"}, Lat: 58.87, Lon: 5.745, Description: "Tipptransport for anleggsbransjen i Rogaland."},
	{Key: "stavanger-miljopark", Tenant: "rogaland", OrgNumber: "928195406", Kinds: []string{"environmental_park"}, Services: []string{}, Lat: 58.947, Lon: 5.743, Description: "Miljøpark for sortering og gjenbruk av masser."},
}

// Special register numbers for tests: BankruptOrg is bankrupt, DeletedOrg is deleted (410), UnregisteredOrg passes MOD11 but is unknown.
const (
	BankruptOrg     = "928196771"
	DeletedOrg      = "928198146"
	UnregisteredOrg = "928199517"
)
