package demo

import "github.com/masseflyt/masseflyt/internal/seed"

// Orgs are the demo organizations: fictional companies (their register
// entries are bizreg.fake's demo-units.json and demo-world-units.json) on
// the real projects and sites of the regions' own presentations. No real
// company is named, so none is misrepresented.
var Orgs = []seed.Org{
	// Bærum ressursbank: Asker, Bærum and Oslo.
	{Key: "fornebu-anlegg", Tenant: "baerum", OrgNumber: "928157040", Kinds: []string{"contractor"}, Lat: 59.8983, Lon: 10.6237, Description: "Anleggsentreprenør for Fornebubanen: tunneler og stasjoner mellom Majorstuen og Fornebu."},
	{Key: "sandvika-bygg", Tenant: "baerum", OrgNumber: "928155676", Kinds: []string{"builder"}, Lat: 59.8911, Lon: 10.5243, Description: "Byggherre for byrom og næringsbygg i Sandvika, blant annet utvidelsen av Sandvika Fjordpark."},
	{Key: "vestkorridoren", Tenant: "baerum", OrgNumber: "928202747", Kinds: []string{"contractor"}, Lat: 59.9125, Lon: 10.6380, Description: "Entreprenør for E18 Vestkorridoren: Lysaker–Ramstadsletta og Nesbru–Drengsrud."},
	{Key: "ringerike-tunnel", Tenant: "baerum", OrgNumber: "928204111", Kinds: []string{"contractor"}, Lat: 60.1680, Lon: 10.2560, Description: "Tunnel- og baneentreprenør på fellesprosjektet Ringeriksbanen og E16 (Sandvika–Hønefoss)."},
	{Key: "vanntunnel", Tenant: "baerum", OrgNumber: "928205487", Kinds: []string{"contractor"}, Lat: 59.9335, Lon: 10.6640, Description: "Driver råvannstunnelen fra Holsfjorden til Huseby for Oslos nye vannforsyning."},
	{Key: "lier-veianlegg", Tenant: "baerum", OrgNumber: "928206858", Kinds: []string{"contractor"}, Lat: 59.7930, Lon: 10.2980, Description: "Veientreprenør på Rv 23 Dagslett–Linnes i Lier og Asker."},
	{Key: "kabeltunnel", Tenant: "baerum", OrgNumber: "928208222", Kinds: []string{"contractor"}, Lat: 59.9040, Lon: 10.5480, Description: "Driver kabeltunnelen Hamang–Smestad for ny sentral kraftforsyning til Oslo."},
	{Key: "fjordbyen-bane", Tenant: "baerum", OrgNumber: "928209598", Kinds: []string{"contractor"}, Lat: 59.9140, Lon: 10.6390, Description: "Jernbaneentreprenør på ny togtunnel Oslo S–Lysaker."},
	{Key: "avtjerna", Tenant: "baerum", OrgNumber: "928201376", Kinds: []string{"intermediate_storage"}, Lat: 59.9770, Lon: 10.3700, Description: "Drifter mellomlageret på Avtjerna (ca. 800 mål), regulert til masseforvaltning for Ringeriksbanen og E16."},
	{Key: "vestmarka-pukk", Tenant: "baerum", OrgNumber: "928158411", Kinds: []string{"quarry"}, Lat: 59.9265, Lon: 10.4301, Description: "Pukkverk med mottak av rene steinmasser for knusing."},
	{Key: "baerum-deponi", Tenant: "baerum", OrgNumber: "928159787", Kinds: []string{"landfill", "recycling_plant"}, Lat: 59.8723, Lon: 10.4612, Description: "Mottak og deponi for rene og lett forurensede masser, gjenvinning av betong og asfalt."},
	{Key: "oslofjord-terminal", Tenant: "baerum", OrgNumber: "928165264", Kinds: []string{"port", "transporter"}, Services: []string{"barge"}, Lat: 59.8989, Lon: 10.7552, Description: "Kai og lekter for utskiping av kvalitetsstein, blant annet til Lynetteholmen i København."},
	{Key: "lysaker-transport", Tenant: "baerum", OrgNumber: "928162524", Kinds: []string{"transporter"}, Services: []string{"tipper", "semi_tipper", "road_train"}, Lat: 59.9128, Lon: 10.6368, Description: "Massetransport med 4-akslede tippbiler og semitrailere i Oslo og Akershus."},
	{Key: "norsk-jordlab", Tenant: "baerum", OrgNumber: "928166635", Kinds: []string{"lab"}, Lat: 59.9434, Lon: 10.7175, Description: "Akkreditert laboratorium for miljøanalyser av jord og stein."},
	// Trøndelag ressursbankforum: Trondheimsregionen.
	{Key: "nidaros", Tenant: "trondelag", OrgNumber: "928172112", Kinds: []string{"contractor"}, Lat: 63.3986, Lon: 10.3982, Description: "Entreprenør for grunnarbeid i fortettingsprosjekter, skoler og boligområder i Trondheimsregionen."},
	{Key: "lia-pukk", Tenant: "trondelag", OrgNumber: "928210960", Kinds: []string{"quarry"}, Lat: 63.3655, Lon: 10.2970, Description: "Driver Lia pukkverk og Vassfjell pukkverk, med sortering og mottak av rene steinmasser."},
	{Key: "tiller-miljopark", Tenant: "trondelag", OrgNumber: "928212335", Kinds: []string{"environmental_park", "recycling_plant"}, Lat: 63.3460, Lon: 10.3730, Description: "Driver Rimol miljøpark på Tiller: sortering, gjenvinning og mottak av masser."},
	{Key: "forset", Tenant: "trondelag", OrgNumber: "928213706", Kinds: []string{"quarry", "port", "intermediate_storage"}, Lat: 63.3255, Lon: 10.2860, Description: "Forset øvre steinbrudd og den grønne bulkterminalen (massehotellet) på Nyhavna."},
	{Key: "orkla-sortering", Tenant: "trondelag", OrgNumber: "928215075", Kinds: []string{"environmental_park"}, Lat: 63.3175, Lon: 9.8390, Description: "Sorteringsanlegg på Furumoen, Grønøra vest i Orkanger."},
	{Key: "leangen-mellomlager", Tenant: "trondelag", OrgNumber: "928216446", Kinds: []string{"intermediate_storage"}, Lat: 63.4380, Lon: 10.4680, Description: "Mellomlagring og sortering av gravemasser i Leangenbukta, nær byens utbyggingsområder."},
	{Key: "stjordal-transport", Tenant: "trondelag", OrgNumber: "928176223", Kinds: []string{"transporter"}, Services: []string{"tipper", "road_train", "hooklift"}, Lat: 63.4705, Lon: 10.9189, Description: "Tipptransport og krokbil i Trøndelag."},
	{Key: "geolab", Tenant: "trondelag", OrgNumber: "928183076", Kinds: []string{"lab"}, Lat: 63.415, Lon: 10.406, Description: "Geoteknisk og miljøteknisk laboratorium."},
	// Rogaland masseforum: Nord-Jæren.
	{Key: "forus", Tenant: "rogaland", OrgNumber: "928184447", Kinds: []string{"builder"}, Lat: 58.8935, Lon: 5.727, Description: "Byggherre for næringsbygg på Forus."},
	{Key: "jaeren-anlegg", Tenant: "rogaland", OrgNumber: "928185818", Kinds: []string{"contractor"}, Lat: 58.864, Lon: 5.739, Description: "Grunnarbeid og samferdselsanlegg på Nord-Jæren, blant annet Bussveien."},
	{Key: "risavika", Tenant: "rogaland", OrgNumber: "928187187", Kinds: []string{"port", "intermediate_storage", "transporter"}, Services: []string{"barge"}, Lat: 58.923, Lon: 5.59, Description: "Havneterminal med mellomlagring og utskiping av masser."},
	{Key: "sandnes-steinbrudd", Tenant: "rogaland", OrgNumber: "928188558", Kinds: []string{"quarry"}, Lat: 58.928, Lon: 5.853, Description: "Steinbrudd og knuseverk."},
	{Key: "sola-gjenvinning", Tenant: "rogaland", OrgNumber: "928189929", Kinds: []string{"recycling_plant"}, Lat: 58.883, Lon: 5.634, Description: "Gjenvinning av asfalt og betong."},
	{Key: "randaberg-deponi", Tenant: "rogaland", OrgNumber: "928192660", Kinds: []string{"landfill"}, Lat: 59.001, Lon: 5.626, Description: "Deponi for rene masser og lett forurenset jord."},
	{Key: "rogaland-tipp", Tenant: "rogaland", OrgNumber: "928194035", Kinds: []string{"transporter"}, Services: []string{"tipper", "semi_tipper", "dumper"}, Lat: 58.87, Lon: 5.745, Description: "Tipptransport for anleggsbransjen i Rogaland."},
}

// contacts names one contact person per organization, by key.
var contacts = map[string]seed.Contact{
	"fornebu-anlegg":      {Name: "Anne Hansen", Title: "Massekoordinator", Phone: "+47 901 12 301", Email: "anne.hansen@example.no"},
	"sandvika-bygg":       {Name: "Bjørn Johansen", Title: "Prosjektleder", Phone: "+47 902 12 302", Email: "bjorn.johansen@example.no"},
	"vestkorridoren":      {Name: "Camilla Olsen", Title: "Massekoordinator", Phone: "+47 903 12 303", Email: "camilla.olsen@example.no"},
	"ringerike-tunnel":    {Name: "Daniel Larsen", Title: "Prosjektleder masser", Phone: "+47 904 12 304", Email: "daniel.larsen@example.no"},
	"vanntunnel":          {Name: "Eva Andersen", Title: "Anleggsleder", Phone: "+47 905 12 305", Email: "eva.andersen@example.no"},
	"lier-veianlegg":      {Name: "Frode Pedersen", Title: "Prosjektleder", Phone: "+47 906 12 306", Email: "frode.pedersen@example.no"},
	"kabeltunnel":         {Name: "Guro Nilsen", Title: "Anleggsleder", Phone: "+47 907 12 307", Email: "guro.nilsen@example.no"},
	"fjordbyen-bane":      {Name: "Håkon Kristiansen", Title: "Massekoordinator", Phone: "+47 908 12 308", Email: "hakon.kristiansen@example.no"},
	"avtjerna":            {Name: "Ida Jensen", Title: "Driftsleder", Phone: "+47 909 12 309", Email: "ida.jensen@example.no"},
	"vestmarka-pukk":      {Name: "Jon Karlsen", Title: "Driftsleder", Phone: "+47 910 12 310", Email: "jon.karlsen@example.no"},
	"baerum-deponi":       {Name: "Kristin Berg", Title: "Mottaksleder", Phone: "+47 911 12 311", Email: "kristin.berg@example.no"},
	"oslofjord-terminal":  {Name: "Magnus Haugen", Title: "Terminalsjef", Phone: "+47 912 12 312", Email: "magnus.haugen@example.no"},
	"lysaker-transport":   {Name: "Lars Sjåfør", Title: "Daglig leder", Phone: "+47 913 12 313", Email: "lars@lysaker-transport.no"},
	"norsk-jordlab":       {Name: "Nora Lie", Title: "Laboratorieleder", Phone: "+47 914 12 314", Email: "nora.lie@example.no"},
	"nidaros":             {Name: "Siri Entreprenør", Title: "Prosjektleder", Phone: "+47 921 12 301", Email: "siri@nidaros-entreprenor.no"},
	"lia-pukk":            {Name: "Ola Aune", Title: "Driftsleder", Phone: "+47 922 12 302", Email: "ola.aune@example.no"},
	"tiller-miljopark":    {Name: "Per Moen", Title: "Mottaksleder", Phone: "+47 923 12 303", Email: "per.moen@example.no"},
	"forset":              {Name: "Randi Røstad", Title: "Terminalleder", Phone: "+47 924 12 304", Email: "randi.rostad@example.no"},
	"orkla-sortering":     {Name: "Stian Grøtte", Title: "Driftsleder", Phone: "+47 925 12 305", Email: "stian.grotte@example.no"},
	"leangen-mellomlager": {Name: "Tove Hoel", Title: "Driftsleder", Phone: "+47 926 12 306", Email: "tove.hoel@example.no"},
	"stjordal-transport":  {Name: "Uno Sveen", Title: "Disponent", Phone: "+47 927 12 307", Email: "uno.sveen@example.no"},
	"geolab":              {Name: "Vigdis Brå", Title: "Laboratorieleder", Phone: "+47 928 12 308", Email: "vigdis.bra@example.no"},
	"forus":               {Name: "Åse Tjelta", Title: "Prosjektleder", Phone: "+47 931 12 301", Email: "ase.tjelta@example.no"},
	"jaeren-anlegg":       {Name: "Marit Jæren", Title: "Prosjektleder", Phone: "+47 932 12 302", Email: "marit@jaeren-anlegg.no"},
	"risavika":            {Name: "Bjarte Skjæveland", Title: "Terminalsjef", Phone: "+47 933 12 303", Email: "bjarte.skjaeveland@example.no"},
	"sandnes-steinbrudd":  {Name: "Kjell Undheim", Title: "Driftsleder", Phone: "+47 934 12 304", Email: "kjell.undheim@example.no"},
	"sola-gjenvinning":    {Name: "Liv Sola", Title: "Mottaksleder", Phone: "+47 935 12 305", Email: "liv.sola@example.no"},
	"randaberg-deponi":    {Name: "Odd Tungland", Title: "Driftsleder", Phone: "+47 936 12 306", Email: "odd.tungland@example.no"},
	"rogaland-tipp":       {Name: "Geir Vatne", Title: "Disponent", Phone: "+47 937 12 307", Email: "geir.vatne@example.no"},
}
