// Package demo seeds three demo tenants with realistic organizations,
// projects, facilities, vehicles and users. Seeding is idempotent: a tenant
// whose slug exists is left alone.
package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/masseflyt/masseflyt/core/auth"
	"github.com/masseflyt/masseflyt/core/directory"
	"github.com/masseflyt/masseflyt/core/market"
	"github.com/masseflyt/masseflyt/core/store"
	"github.com/masseflyt/masseflyt/plugins/bizreg/fake"
	"github.com/masseflyt/masseflyt/tenants"
)

// Org is a demo organization.
type Org struct {
	Key         string
	Tenant      string
	OrgNumber   string
	Kinds       []string
	Services    []string
	Lat, Lon    float64
	Description string
}

// Tenant is a demo tenant.
type Tenant struct {
	Slug, Name, Short, Description string
	Primary, Accent                string
	Lat, Lon                       float64
	Zoom                           int
	Municipalities                 []string
	Domain                         string
}

// Tenants are the demo regions.
var Tenants = []Tenant{
	{Slug: "baerum", Name: "Bærum ressursbank", Short: "Bærum", Description: "Ressursbank for overskuddsmasser i Asker, Bærum og Oslo.", Primary: "#0b5a3c", Accent: "#f2b134", Lat: 59.90, Lon: 10.58, Zoom: 11, Municipalities: []string{"3201", "3203", "0301"}, Domain: "masser.baerum.localhost"},
	{Slug: "trondelag", Name: "Trøndelag ressursbankforum", Short: "Trøndelag", Description: "Forum for gjenbruk av masser i Trondheimsregionen.", Primary: "#00507d", Accent: "#e4a11b", Lat: 63.39, Lon: 10.40, Zoom: 10, Municipalities: []string{"5001", "5028", "5035", "5059"}},
	{Slug: "rogaland", Name: "Rogaland masseforum", Short: "Rogaland", Description: "Masseforum for Nord-Jæren: Stavanger, Sandnes, Sola og Randaberg.", Primary: "#7a1f2b", Accent: "#2e86ab", Lat: 58.90, Lon: 5.70, Zoom: 11, Municipalities: []string{"1103", "1108", "1124", "1127"}},
}

// User is a demo person and what they do.
type User struct {
	Email, Name string
	Tenant      string // "" for the platform
	Role        string // tenant role (tenant_admin, supervisor), superadmin, or "" for org-only
	Org         string // key of the organization with an approved membership
	OrgRole     string // admin or member
	Pending     bool
}

// Users are the demo people; their dev-login subject is "dev:" + e-mail.
var Users = []User{
	{Email: "plattform@masseflyt.no", Name: "Petter Plattform", Role: auth.RoleSuperadmin},
	{Email: "admin@baerum-ressursbank.no", Name: "Ingrid Ressursbank", Tenant: "baerum", Role: auth.RoleTenantAdmin},
	{Email: "tilsyn@statsforvalteren-oslo.no", Name: "Tone Tilsyn", Tenant: "baerum", Role: auth.RoleSupervisor},
	{Email: "kari@fornebu-anlegg.no", Name: "Kari Anlegg", Tenant: "baerum", Org: "fornebu-anlegg", OrgRole: directory.AdminRole},
	{Email: "ola@sandvika-bygg.no", Name: "Ola Byggherre", Tenant: "baerum", Org: "sandvika-bygg", OrgRole: directory.MemberRole},
	{Email: "lars@lysaker-transport.no", Name: "Lars Sjåfør", Tenant: "baerum", Org: "lysaker-transport", OrgRole: directory.AdminRole},
	{Email: "nina@vestmarka-pukk.no", Name: "Nina Pukkverk", Tenant: "baerum", Org: "vestmarka-pukk", OrgRole: directory.MemberRole, Pending: true},
	{Email: "admin@trondelag-ressursbank.no", Name: "Trond Forum", Tenant: "trondelag", Role: auth.RoleTenantAdmin},
	{Email: "siri@nidaros-entreprenor.no", Name: "Siri Entreprenør", Tenant: "trondelag", Org: "nidaros", OrgRole: directory.AdminRole},
	{Email: "admin@rogaland-masseforum.no", Name: "Rune Masseforum", Tenant: "rogaland", Role: auth.RoleTenantAdmin},
	{Email: "marit@jaeren-anlegg.no", Name: "Marit Jæren", Tenant: "rogaland", Org: "jaeren-anlegg", OrgRole: directory.AdminRole},
}

// Authored is the day the demo data were written for. Seeding lays every
// date out again relative to the clock: a window that was open on Authored is
// open on the day the demo is seeded, whether that is today or in 2031.
var Authored = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// layout moves the authored dates by the whole months between Authored and
// now; a date on the last day of its month stays on the last day.
type layout struct{ months int }

func layoutFor(now time.Time) layout {
	now = now.UTC()
	return layout{months: (now.Year()-Authored.Year())*12 + int(now.Month()) - int(Authored.Month())}
}

// at moves one date.
func (l layout) at(d time.Time) time.Time {
	first := time.Date(d.Year(), d.Month()+time.Month(l.months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	day := d.Day()
	if d.AddDate(0, 0, 1).Day() == 1 || day > last { // last day of its month
		day = last
	}
	return time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC)
}

// ptr moves an optional date into a new pointer (the authored data are
// shared and never changed).
func (l layout) ptr(d *time.Time) *time.Time {
	if d == nil {
		return nil
	}
	t := l.at(*d)
	return &t
}

func date(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &t
}

func fee(f float64) *float64 { return &f }

// site is a demo project or facility of the organization with key Org.
type site struct {
	Org string
	directory.Site
	Permits []directory.Permit
}

var sites = []site{
	// Bærum ressursbank
	{Org: "sandvika-bygg", Site: directory.Site{Kind: "project", Name: "Nye Sandvika sentrum, byggetrinn 2", Description: "Nytt kvartal med næring og boliger; stor utsprengning for parkeringskjeller.", Address: "Sandviksveien 16", Postcode: "1337", City: "Sandvika", MunicipalityNo: "3201", Lat: 59.8905, Lon: 10.5270, Phase: "early_planning", PlannedStart: date("2028-03-01"), PlannedEnd: date("2031-12-31"), ExpectedSurplusTonnes: 85000, ExpectedNeedTonnes: 12000}},
	{Org: "fornebu-anlegg", Site: directory.Site{Kind: "project", Name: "Fornebubanen, stasjon Flytårnet", Description: "Stasjonshall og tunnel; sprengstein av god kvalitet.", Address: "Flytårnet", Postcode: "1364", City: "Fornebu", MunicipalityNo: "3201", Lat: 59.8955, Lon: 10.6290, Phase: "construction", PlannedStart: date("2024-05-01"), PlannedEnd: date("2027-10-31"), ExpectedSurplusTonnes: 420000, ExpectedNeedTonnes: 30000}},
	{Org: "fornebu-anlegg", Site: directory.Site{Kind: "project", Name: "E18 Vestkorridoren, Ramstadsletta–Nesbru", Description: "Ny E18 med lokk og tunneler; store masseoverskudd fra 2029.", City: "Sandvika", MunicipalityNo: "3201", Lat: 59.8720, Lon: 10.4930, Phase: "zoning", PlannedStart: date("2029-01-01"), PlannedEnd: date("2034-12-31"), ExpectedSurplusTonnes: 1200000, ExpectedNeedTonnes: 250000}},
	{Org: "vestmarka-pukk", Site: directory.Site{Kind: "facility", Name: "Vestmarka pukkverk", Description: "Uttak og knusing; tar imot ren sprengstein.", Address: "Isiveien 45", Postcode: "1340", City: "Skui", MunicipalityNo: "3201", Lat: 59.9265, Lon: 10.4301, FacilityType: "quarry", Permanent: true, CapacityTonnes: 400000, OpeningHours: "Man–fre 06:30–16:00", GateFeeNOKPerTonne: fee(45)},
		Permits: []directory.Permit{{Kind: "extraction", Authority: "Direktoratet for mineralforvaltning", Reference: "DMF 2019/1234", ValidFrom: date("2019-06-01"), ValidTo: date("2039-06-01"), Fractions: directory.List{"pukk", "grus"}, MaxClass: 1, AnnualCapacityTonnes: 300000},
			{Kind: "receiving", Authority: "Statsforvalteren i Oslo og Viken", Reference: "2021/5678", ValidFrom: date("2021-01-01"), ValidTo: date("2031-01-01"), Fractions: directory.List{"sprengstein", "pukk"}, MaxClass: 1, AnnualCapacityTonnes: 150000}}},
	{Org: "baerum-deponi", Site: directory.Site{Kind: "facility", Name: "Bærum massemottak og deponi", Description: "Deponi for rene og lett forurensede masser; gjenvinning av betong og asfalt.", Address: "Franzefossveien 1", Postcode: "1341", City: "Slependen", MunicipalityNo: "3201", Lat: 59.8723, Lon: 10.4612, FacilityType: "landfill", Permanent: true, CapacityTonnes: 250000, OpeningHours: "Man–fre 07:00–15:30", GateFeeNOKPerTonne: fee(320)},
		Permits: []directory.Permit{{Kind: "landfill", Authority: "Statsforvalteren i Oslo og Viken", Reference: "2018/4411", ValidFrom: date("2018-01-01"), ValidTo: date("2033-12-31"), Fractions: directory.List{"sprengstein", "grus", "sand", "leire", "silt", "morene", "matjord", "myr", "asfalt", "betong"}, MaxClass: 3, AnnualCapacityTonnes: 250000}}},
	{Org: "asker-mellomlager", Site: directory.Site{Kind: "facility", Name: "Heggedal mellomlager", Description: "Midlertidig lager for stein og morene.", Address: "Vollsveien 100", Postcode: "1389", City: "Heggedal", MunicipalityNo: "3203", Lat: 59.7860, Lon: 10.4480, FacilityType: "intermediate_storage", Permanent: false, CapacityTonnes: 150000, OpeningHours: "Etter avtale", GateFeeNOKPerTonne: fee(90)},
		Permits: []directory.Permit{{Kind: "intermediate_storage", Authority: "Asker kommune", Reference: "22/9876", ValidFrom: date("2025-01-01"), ValidTo: date("2028-12-31"), Fractions: directory.List{"sprengstein", "pukk", "grus", "morene"}, MaxClass: 1, AnnualCapacityTonnes: 150000}}},
	{Org: "oslofjord-terminal", Site: directory.Site{Kind: "facility", Name: "Sjursøya masseterminal", Description: "Kai for utskiping av masser med lekter.", Address: "Kongshavnveien 26", Postcode: "0193", City: "Oslo", MunicipalityNo: "0301", Lat: 59.8989, Lon: 10.7552, FacilityType: "port", Permanent: true, CapacityTonnes: 500000, OpeningHours: "Døgnåpent etter avtale"}},
	{Org: "skui-miljopark", Site: directory.Site{Kind: "facility", Name: "Skui miljøpark", Description: "Sortering, knusing og mellomlagring.", Address: "Økriveien 50", Postcode: "1349", City: "Rykkinn", MunicipalityNo: "3201", Lat: 59.9310, Lon: 10.4810, FacilityType: "environmental_park", Permanent: true, CapacityTonnes: 80000, GateFeeNOKPerTonne: fee(150)},
		Permits: []directory.Permit{{Kind: "processing", Authority: "Statsforvalteren i Oslo og Viken", Reference: "2020/3321", ValidFrom: date("2020-04-01"), ValidTo: date("2030-04-01"), Fractions: directory.List{"betong", "asfalt", "sprengstein"}, MaxClass: 2, AnnualCapacityTonnes: 80000}}},
	{Org: "oslo-bybygg", Site: directory.Site{Kind: "project", Name: "Ny skole på Hovseter", Description: "Ny barneskole med idrettshall.", City: "Oslo", MunicipalityNo: "0301", Lat: 59.9390, Lon: 10.6560, Phase: "design", PlannedStart: date("2027-08-01"), PlannedEnd: date("2029-06-30"), ExpectedSurplusTonnes: 40000, ExpectedNeedTonnes: 8000}},
	// Trøndelag ressursbankforum
	{Org: "nidaros", Site: directory.Site{Kind: "project", Name: "E6 Ranheim–Værnes, parsell Malvik", Description: "Firefelts E6 med tunneler; store mengder sprengstein.", City: "Hommelvik", MunicipalityNo: "5031", Lat: 63.4280, Lon: 10.6900, Phase: "construction", PlannedStart: date("2025-03-01"), PlannedEnd: date("2028-11-30"), ExpectedSurplusTonnes: 900000, ExpectedNeedTonnes: 350000}},
	{Org: "nidaros", Site: directory.Site{Kind: "project", Name: "Nytt laboratoriebygg Øya", Description: "Nybygg med dyp byggegrop i leire.", City: "Trondheim", MunicipalityNo: "5001", Lat: 63.4210, Lon: 10.3880, Phase: "tender", PlannedStart: date("2027-04-01"), PlannedEnd: date("2030-08-31"), ExpectedSurplusTonnes: 60000, ExpectedNeedTonnes: 15000}},
	{Org: "heggstad-pukk", Site: directory.Site{Kind: "facility", Name: "Heggstadmoen pukkverk", Address: "Heggstadmoen 20", Postcode: "7080", City: "Heimdal", MunicipalityNo: "5001", Lat: 63.3468, Lon: 10.3361, FacilityType: "quarry", Permanent: true, CapacityTonnes: 350000, GateFeeNOKPerTonne: fee(40)},
		Permits: []directory.Permit{{Kind: "receiving", Authority: "Statsforvalteren i Trøndelag", Reference: "2020/777", ValidFrom: date("2020-01-01"), ValidTo: date("2030-12-31"), Fractions: directory.List{"sprengstein", "pukk"}, MaxClass: 1, AnnualCapacityTonnes: 200000}}},
	{Org: "stovset", Site: directory.Site{Kind: "facility", Name: "Støvset massemottak", Address: "Støvsetvegen 2", Postcode: "7083", City: "Leinstrand", MunicipalityNo: "5001", Lat: 63.3289, Lon: 10.2797, FacilityType: "landfill", Permanent: true, CapacityTonnes: 180000, GateFeeNOKPerTonne: fee(290)},
		Permits: []directory.Permit{{Kind: "landfill", Authority: "Statsforvalteren i Trøndelag", Reference: "2017/2020", ValidFrom: date("2017-05-01"), ValidTo: date("2032-05-01"), Fractions: directory.List{"sprengstein", "leire", "silt", "morene", "matjord", "myr"}, MaxClass: 2, AnnualCapacityTonnes: 180000}}},
	{Org: "sluppen", Site: directory.Site{Kind: "project", Name: "Sluppen sentrum, felt B", Description: "Boliger og næring; tidlig planfase.", Address: "Sluppenvegen 10", Postcode: "7037", City: "Trondheim", MunicipalityNo: "5001", Lat: 63.3975, Lon: 10.4010, Phase: "early_planning", PlannedStart: date("2030-01-01"), PlannedEnd: date("2033-12-31"), ExpectedSurplusTonnes: 120000, ExpectedNeedTonnes: 20000}},
	{Org: "melhus-mellomlager", Site: directory.Site{Kind: "facility", Name: "Gimse mellomlager", Address: "Gimsvegen 4", Postcode: "7224", City: "Melhus", MunicipalityNo: "5028", Lat: 63.2850, Lon: 10.2780, FacilityType: "intermediate_storage", Permanent: false, CapacityTonnes: 90000, GateFeeNOKPerTonne: fee(75)},
		Permits: []directory.Permit{{Kind: "intermediate_storage", Authority: "Melhus kommune", Reference: "25/112", ValidFrom: date("2026-01-01"), ValidTo: date("2029-06-30"), Fractions: directory.List{"sprengstein", "pukk", "morene"}, MaxClass: 1, AnnualCapacityTonnes: 90000}}},
	{Org: "orkanger-havn", Site: directory.Site{Kind: "facility", Name: "Orkanger havn, masseterminal", Address: "Havnegata 10", Postcode: "7300", City: "Orkanger", MunicipalityNo: "5059", Lat: 63.3100, Lon: 9.8490, FacilityType: "port", Permanent: true, CapacityTonnes: 300000}},
	// Rogaland masseforum
	{Org: "forus", Site: directory.Site{Kind: "project", Name: "Forus Øst næringspark", Description: "Ny næringspark; masseoverskudd av morene og sprengstein.", Address: "Forusbeen 35", Postcode: "4033", City: "Stavanger", MunicipalityNo: "1103", Lat: 58.8900, Lon: 5.7350, Phase: "zoning", PlannedStart: date("2028-01-01"), PlannedEnd: date("2032-12-31"), ExpectedSurplusTonnes: 300000, ExpectedNeedTonnes: 50000}},
	{Org: "jaeren-anlegg", Site: directory.Site{Kind: "project", Name: "Bussveien, Sandnes sentrum–Vatne", Description: "Kollektivtrasé; behov for fyllmasser og forsterkningslag.", City: "Sandnes", MunicipalityNo: "1108", Lat: 58.8460, Lon: 5.7500, Phase: "construction", PlannedStart: date("2025-06-01"), PlannedEnd: date("2027-12-31"), ExpectedSurplusTonnes: 80000, ExpectedNeedTonnes: 140000}},
	{Org: "jaeren-anlegg", Site: directory.Site{Kind: "project", Name: "Ny barneskole på Sola", City: "Sola", MunicipalityNo: "1124", Lat: 58.8880, Lon: 5.6520, Phase: "design", PlannedStart: date("2027-03-01"), PlannedEnd: date("2028-12-31"), ExpectedSurplusTonnes: 25000, ExpectedNeedTonnes: 10000}},
	{Org: "risavika", Site: directory.Site{Kind: "facility", Name: "Risavika masseterminal", Address: "Risavika havnering 14", Postcode: "4056", City: "Tananger", MunicipalityNo: "1124", Lat: 58.9230, Lon: 5.5900, FacilityType: "port", Permanent: true, CapacityTonnes: 400000},
		Permits: []directory.Permit{{Kind: "intermediate_storage", Authority: "Statsforvalteren i Rogaland", Reference: "2022/4040", ValidFrom: date("2022-01-01"), ValidTo: date("2027-12-31"), Fractions: directory.List{"sprengstein", "pukk", "morene"}, MaxClass: 1, AnnualCapacityTonnes: 200000}}},
	{Org: "sandnes-steinbrudd", Site: directory.Site{Kind: "facility", Name: "Hommersåk steinbrudd", Address: "Foredragsveien 8", Postcode: "4310", City: "Hommersåk", MunicipalityNo: "1108", Lat: 58.9280, Lon: 5.8530, FacilityType: "quarry", Permanent: true, CapacityTonnes: 250000, GateFeeNOKPerTonne: fee(50)}},
	{Org: "sola-gjenvinning", Site: directory.Site{Kind: "facility", Name: "Sola gjenvinningsanlegg", Address: "Flyplassvegen 210", Postcode: "4050", City: "Sola", MunicipalityNo: "1124", Lat: 58.8830, Lon: 5.6340, FacilityType: "recycling_plant", Permanent: true, CapacityTonnes: 60000, GateFeeNOKPerTonne: fee(370)},
		Permits: []directory.Permit{{Kind: "processing", Authority: "Statsforvalteren i Rogaland", Reference: "2019/1919", ValidFrom: date("2019-01-01"), ValidTo: date("2029-01-01"), Fractions: directory.List{"asfalt", "betong"}, MaxClass: 2, AnnualCapacityTonnes: 60000}}},
	{Org: "randaberg-deponi", Site: directory.Site{Kind: "facility", Name: "Goa deponi", Address: "Goaveien 50", Postcode: "4070", City: "Randaberg", MunicipalityNo: "1127", Lat: 59.0010, Lon: 5.6260, FacilityType: "landfill", Permanent: true, CapacityTonnes: 120000, GateFeeNOKPerTonne: fee(310)},
		Permits: []directory.Permit{{Kind: "landfill", Authority: "Statsforvalteren i Rogaland", Reference: "2016/0616", ValidFrom: date("2016-01-01"), ValidTo: date("2031-12-31"), Fractions: directory.List{"sprengstein", "leire", "silt", "morene", "matjord", "myr", "fyllitt"}, MaxClass: 3, AnnualCapacityTonnes: 120000}}},
	{Org: "stavanger-miljopark", Site: directory.Site{Kind: "facility", Name: "Mariero miljøpark", Address: "Mariero 5", Postcode: "4017", City: "Stavanger", MunicipalityNo: "1103", Lat: 58.9470, Lon: 5.7430, FacilityType: "environmental_park", Permanent: true, CapacityTonnes: 50000}},
}

type vehicle struct {
	Org string
	directory.Vehicle
}

var vehicles = []vehicle{
	{"lysaker-transport", directory.Vehicle{Registration: "EB12345", Make: "Volvo", Model: "FMX 500 8x4", BodyType: "tipper_4axle", EuroClass: "euro6", Fuel: "hvo", PayloadTonnes: 18, PayloadM3: 11, Status: "approved"}},
	{"lysaker-transport", directory.Vehicle{Registration: "EB23456", Make: "Scania", Model: "R 580 semitrailer", BodyType: "semi_tipper", EuroClass: "euro6", Fuel: "diesel", PayloadTonnes: 30, PayloadM3: 24, Status: "approved"}},
	{"lysaker-transport", directory.Vehicle{Registration: "EL34567", Make: "Volvo", Model: "FH Electric", BodyType: "tipper_4axle", EuroClass: "zero_emission", Fuel: "electric", PayloadTonnes: 16, PayloadM3: 10, Status: "approved"}},
	{"lysaker-transport", directory.Vehicle{Registration: "EB45678", Make: "MAN", Model: "TGS 35.510", BodyType: "tipper_4axle", EuroClass: "euro5", Fuel: "diesel", PayloadTonnes: 17.5, PayloadM3: 11, Status: "pending"}},
	{"stjordal-transport", directory.Vehicle{Registration: "ZT11223", Make: "Scania", Model: "G 500 8x4", BodyType: "tipper_4axle", EuroClass: "euro6", Fuel: "diesel", PayloadTonnes: 18, PayloadM3: 12, Status: "approved"}},
	{"stjordal-transport", directory.Vehicle{Registration: "ZT22334", Make: "Volvo", Model: "FH16 vogntog", BodyType: "road_train", EuroClass: "euro6", Fuel: "hvo", PayloadTonnes: 38, PayloadM3: 30, Status: "approved"}},
	{"rogaland-tipp", directory.Vehicle{Registration: "RF55443", Make: "Mercedes-Benz", Model: "Arocs 4145", BodyType: "tipper_4axle", EuroClass: "euro6", Fuel: "diesel", PayloadTonnes: 17, PayloadM3: 11, Status: "approved"}},
	{"rogaland-tipp", directory.Vehicle{Registration: "RF66554", Make: "Volvo", Model: "A30G", BodyType: "dumper", EuroClass: "euro5", Fuel: "diesel", PayloadTonnes: 28, PayloadM3: 17, Status: "approved"}},
}

// listing is a demo listing; Site names the owner's site it sits on.
type listing struct {
	Org, Site string
	market.Listing
}

func day(s string) time.Time { return *date(s) }

var listings = []listing{
	{"fornebu-anlegg", "Fornebubanen, stasjon Flytårnet", market.Listing{Kind: "surplus", Title: "Sprengstein fra stasjonshallen", Description: "Gneis og granitt, god kvalitet, kan knuses til pukk.", Fractions: directory.List{"sprengstein"}, QuantityValue: 92593, QuantityUnit: market.M3InPlace, AvailableFrom: day("2025-01-01"), AvailableTo: day("2027-10-31"), Transport: "seller_delivers", Status: "published", RockType: "gneiss", PriceNOKPerTonne: fee(25)}},
	{"fornebu-anlegg", "E18 Vestkorridoren, Ramstadsletta–Nesbru", market.Listing{Kind: "surplus", Title: "Morene fra E18-tunnelene", Fractions: directory.List{"morene"}, QuantityValue: 40000, QuantityUnit: market.Tonnes, AvailableFrom: day("2029-03-01"), AvailableTo: day("2031-12-31"), Transport: "transport_needed", Status: "published"}},
	{"sandvika-bygg", "Nye Sandvika sentrum, byggetrinn 2", market.Listing{Kind: "need", Title: "Forsterkningslag til parkeringskjeller", Fractions: directory.List{"pukk", "grus", "sprengstein"}, QuantityValue: 12000, QuantityUnit: market.Tonnes, AvailableFrom: day("2028-03-01"), AvailableTo: day("2028-12-31"), IntendedUse: "sub_base", Transport: "buyer_collects", Status: "published"}},
	{"sandvika-bygg", "Nye Sandvika sentrum, byggetrinn 2", market.Listing{Kind: "surplus", Title: "Leire fra byggegrop (utkast)", Fractions: directory.List{"leire"}, QuantityValue: 15000, QuantityUnit: market.M3InPlace, AvailableFrom: day("2028-03-01"), AvailableTo: day("2028-09-30"), Transport: "transport_needed", Status: "draft"}},
	{"oslo-bybygg", "Ny skole på Hovseter", market.Listing{Kind: "need", Title: "Fyllmasser til skolegård", Fractions: directory.List{"sprengstein", "morene"}, QuantityValue: 8000, QuantityUnit: market.Tonnes, AvailableFrom: day("2027-09-01"), AvailableTo: day("2028-06-30"), IntendedUse: "fill", Transport: "seller_delivers", Status: "published", Visibility: "public"}},
	{"vestmarka-pukk", "Vestmarka pukkverk", market.Listing{Kind: "capacity", Title: "Mottak av ren sprengstein for knusing", Fractions: directory.List{"sprengstein"}, QuantityValue: 150000, QuantityUnit: market.Tonnes, AvailableFrom: day("2026-01-01"), AvailableTo: day("2031-01-01"), Transport: "seller_delivers", Status: "published", PriceNOKPerTonne: fee(45), PricePublic: true, ExactLocationPublic: true}},
	{"asker-mellomlager", "Heggedal mellomlager", market.Listing{Kind: "capacity", Title: "Mellomlagring av stein og morene", Fractions: directory.List{"sprengstein", "pukk", "grus", "morene"}, QuantityValue: 100000, QuantityUnit: market.Tonnes, AvailableFrom: day("2025-01-01"), AvailableTo: day("2028-12-31"), Transport: "seller_delivers", Status: "published", PriceNOKPerTonne: fee(90), ExactLocationPublic: true}},
	{"nidaros", "E6 Ranheim–Værnes, parsell Malvik", market.Listing{Kind: "surplus", Title: "Sprengstein fra E6-tunnelene", Fractions: directory.List{"sprengstein"}, QuantityValue: 500000, QuantityUnit: market.Tonnes, AvailableFrom: day("2025-03-01"), AvailableTo: day("2028-11-30"), Transport: "seller_delivers", Status: "published", RockType: "gneiss"}},
	{"sluppen", "Sluppen sentrum, felt B", market.Listing{Kind: "need", Title: "Bærelag til interne veier", Fractions: directory.List{"sprengstein", "pukk"}, QuantityValue: 20000, QuantityUnit: market.Tonnes, AvailableFrom: day("2030-01-01"), AvailableTo: day("2030-12-31"), IntendedUse: "road_base", Transport: "buyer_collects", Status: "published"}},
	{"heggstad-pukk", "Heggstadmoen pukkverk", market.Listing{Kind: "capacity", Title: "Mottak av sprengstein", Fractions: directory.List{"sprengstein"}, QuantityValue: 200000, QuantityUnit: market.Tonnes, AvailableFrom: day("2026-01-01"), AvailableTo: day("2030-12-31"), Transport: "seller_delivers", Status: "published", ExactLocationPublic: true}},
	{"jaeren-anlegg", "Bussveien, Sandnes sentrum–Vatne", market.Listing{Kind: "need", Title: "Fyllmasser til kollektivtrasé", Fractions: directory.List{"sprengstein", "morene", "grus"}, QuantityValue: 140000, QuantityUnit: market.Tonnes, AvailableFrom: day("2025-06-01"), AvailableTo: day("2027-12-31"), IntendedUse: "fill", Transport: "seller_delivers", Status: "published"}},
	{"forus", "Forus Øst næringspark", market.Listing{Kind: "surplus", Title: "Morene og sprengstein fra tomtearbeid", Fractions: directory.List{"morene"}, QuantityValue: 300000, QuantityUnit: market.Tonnes, AvailableFrom: day("2028-01-01"), AvailableTo: day("2032-12-31"), Transport: "transport_needed", Status: "published"}},
	{"risavika", "Risavika masseterminal", market.Listing{Kind: "capacity", Title: "Mellomlagring og utskiping", Fractions: directory.List{"sprengstein", "pukk", "morene"}, QuantityValue: 200000, QuantityUnit: market.Tonnes, AvailableFrom: day("2025-01-01"), AvailableTo: day("2027-12-31"), Transport: "seller_delivers", Status: "published"}},
}

var contactNames = []string{"Anne Hansen", "Bjørn Johansen", "Camilla Olsen", "Daniel Larsen", "Eva Andersen", "Frode Pedersen", "Guro Nilsen", "Håkon Kristiansen", "Ida Jensen", "Jon Karlsen", "Kristin Berg", "Magnus Haugen"}

// LogoSVG draws a simple logo in the tenant's colours.
func LogoSVG(short, primary, accent string) []byte {
	initial := strings.ToUpper(string([]rune(short)[:1]))
	return []byte(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="%s"><rect width="64" height="64" rx="12" fill="%s"/><path d="M8 48 L24 26 L34 38 L42 28 L56 48 Z" fill="%s"/><text x="32" y="22" font-family="sans-serif" font-size="16" font-weight="700" fill="#fff" text-anchor="middle">%s</text></svg>`, short, primary, accent, initial))
}

// Subject returns the dev-login subject of a demo user.
func Subject(email string) string { return "dev:" + email }

// Seed creates the demo tenants (skipping those that exist) and their data.
func Seed(ctx context.Context, db *store.DB, reg *tenants.Registry, roles *tenants.Roles) error {
	sys := store.System(ctx, "demo seed")
	registry := fake.New()
	if err := registry.Validate(); err != nil {
		return err
	}
	users := map[string]*auth.User{}
	for _, du := range Users {
		u := &auth.User{}
		err := db.Tx(sys, func(tx *gorm.DB) error {
			err := tx.Where("subject = ?", Subject(du.Email)).Take(u).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				*u = auth.User{ID: store.NewID(), Subject: Subject(du.Email), Email: du.Email, Name: du.Name}
				return tx.Create(u).Error
			}
			return err
		})
		if err != nil {
			return err
		}
		users[du.Email] = u
		if du.Role == auth.RoleSuperadmin {
			if err := roles.Assign(u.ID, auth.RoleSuperadmin, "*"); err != nil {
				return err
			}
		}
	}
	for _, dt := range Tenants {
		if _, ok := reg.BySlug(dt.Slug); ok {
			continue
		}
		t := &tenants.Tenant{Slug: dt.Slug, Name: dt.Name, ShortName: dt.Short, Description: dt.Description, ColorPrimary: dt.Primary, ColorAccent: dt.Accent,
			DefaultLocale: "nb", CenterLat: dt.Lat, CenterLon: dt.Lon, Zoom: dt.Zoom, Municipalities: strings.Join(dt.Municipalities, ","),
			LogoType: "image/svg+xml", Logo: LogoSVG(dt.Short, dt.Primary, dt.Accent)}
		if dt.Domain != "" {
			t.Domains = []string{dt.Domain}
		}
		if err := reg.Create(ctx, t); err != nil {
			return fmt.Errorf("tenant %s: %w", dt.Slug, err)
		}
		if err := seedTenant(ctx, db, registry, roles, t, users); err != nil {
			return fmt.Errorf("seed %s: %w", dt.Slug, err)
		}
	}
	return nil
}

func seedTenant(ctx context.Context, db *store.DB, registry *fake.Registry, roles *tenants.Roles, t *tenants.Tenant, users map[string]*auth.User) error {
	tctx := store.WithTenant(ctx, t.ID)
	sys := store.System(ctx, "demo seed: register cache")
	orgIDs := map[string]string{}
	now := db.Now()
	lay := layoutFor(now)
	// Casbin writes through its own connection: assign roles outside the
	// transaction, or SQLite's single writer would wait on itself.
	for _, du := range Users {
		if du.Tenant == t.Slug && du.Role != "" {
			if err := roles.Assign(users[du.Email].ID, du.Role, t.ID); err != nil {
				return err
			}
		}
	}
	return db.Tx(tctx, func(tx *gorm.DB) error {
		ci := 0
		for _, do := range Orgs {
			if do.Tenant != t.Slug {
				continue
			}
			u, err := registry.Lookup(ctx, do.OrgNumber)
			if err != nil {
				return fmt.Errorf("%s: %w", do.OrgNumber, err)
			}
			u.FetchedAt = now
			if err := tx.WithContext(sys).Save(u).Error; err != nil {
				return err
			}
			lat, lon := do.Lat, do.Lon
			o := &directory.Organization{ID: store.NewID(), OrgNumber: do.OrgNumber, Name: directory.DisplayName(u.Name), Description: do.Description, Kinds: do.Kinds, Services: do.Services,
				Address: u.Address, Postcode: u.Postcode, City: u.City, MunicipalityNo: u.MunicipalityNo, Lat: &lat, Lon: &lon, RegistryStatus: u.Status(),
				Website: "https://" + strings.ToLower(strings.NewReplacer(" ", "-", "Æ", "ae", "Ø", "o", "Å", "a").Replace(strings.TrimSuffix(u.Name, " AS"))) + ".example.no"}
			if err := tx.Create(o).Error; err != nil {
				return err
			}
			orgIDs[do.Key] = o.ID
			name := contactNames[ci%len(contactNames)]
			ci++
			local := strings.ToLower(strings.NewReplacer(" ", ".", "ø", "o", "å", "a", "æ", "ae").Replace(name))
			if err := tx.Create(&directory.Contact{ID: store.NewID(), OrganizationID: o.ID, Name: name, Title: "Prosjektleder", Phone: fmt.Sprintf("+47 9%02d 12 3%02d", ci, ci), Email: local + "@example.no"}).Error; err != nil {
				return err
			}
		}
		for _, s := range sites {
			orgID, ok := orgIDs[s.Org]
			if !ok {
				continue
			}
			st := s.Site
			st.ID, st.OrganizationID = store.NewID(), orgID
			st.PlannedStart, st.PlannedEnd = lay.ptr(st.PlannedStart), lay.ptr(st.PlannedEnd)
			if err := tx.Create(&st).Error; err != nil {
				return err
			}
			for _, p := range s.Permits {
				p.ID, p.SiteID = store.NewID(), st.ID
				p.ValidFrom, p.ValidTo = lay.ptr(p.ValidFrom), lay.ptr(p.ValidTo)
				if err := tx.Create(&p).Error; err != nil {
					return err
				}
			}
		}
		siteIDs := map[string]string{}
		var sts []directory.Site
		if err := tx.Find(&sts).Error; err != nil {
			return err
		}
		for _, st := range sts {
			siteIDs[st.Name] = st.ID
		}
		for i, dl := range listings {
			orgID, ok := orgIDs[dl.Org]
			if !ok {
				continue
			}
			siteID, ok := siteIDs[dl.Site]
			if !ok {
				return fmt.Errorf("listing %q: no site %q", dl.Title, dl.Site)
			}
			var site directory.Site
			for _, st := range sts {
				if st.ID == siteID {
					site = st
				}
			}
			l := dl.Listing
			l.AvailableFrom, l.AvailableTo = lay.at(l.AvailableFrom), lay.at(l.AvailableTo)
			f, _ := market.FractionByCode(l.Fractions[0])
			tonnes, err := f.ToTonnes(l.QuantityValue, l.QuantityUnit)
			if err != nil {
				return err
			}
			l.ID, l.OrganizationID, l.SiteID, l.QuantityTonnes, l.Lat, l.Lon = store.NewID(), orgID, &siteID, tonnes, site.Lat, site.Lon
			if l.Visibility == "" {
				l.Visibility = "public"
			}
			if l.Status == market.StatusPublished {
				// Published over the last weeks, newest last.
				at := now.Add(-time.Duration(3*(len(listings)-i)) * 24 * time.Hour)
				l.PublishedAt = &at
			}
			if err := tx.Create(&l).Error; err != nil {
				return err
			}
		}
		for _, v := range vehicles {
			orgID, ok := orgIDs[v.Org]
			if !ok {
				continue
			}
			vh := v.Vehicle
			vh.ID, vh.OrganizationID = store.NewID(), orgID
			if vh.Status == directory.StatusApproved {
				vh.DecidedAt = &now
			}
			if err := tx.Create(&vh).Error; err != nil {
				return err
			}
		}
		for _, du := range Users {
			if du.Tenant != t.Slug {
				continue
			}
			u := users[du.Email]
			if du.Org != "" {
				status := directory.StatusApproved
				if du.Pending {
					status = directory.StatusPending
				}
				m := &directory.Membership{ID: store.NewID(), UserID: u.ID, OrganizationID: orgIDs[du.Org], Role: du.OrgRole, Status: status, Message: "Demo"}
				if status == directory.StatusApproved {
					m.DecidedAt = &now
				}
				if err := tx.Create(m).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
}
