package climate

// municipalities names the municipalities by number (Kartverket's
// kommunenummer, 2024 division) for the regions the platform serves; an
// unknown number is shown as it is.
var municipalities = map[string]string{
	"0301": "Oslo", "3201": "Bærum", "3203": "Asker", "3205": "Lillestrøm", "3207": "Nordre Follo", "3301": "Drammen", "3305": "Ringerike",
	"3310": "Hole", "3312": "Lier", "3314": "Øvre Eiker", "3303": "Kongsberg", "3209": "Ullensaker", "3222": "Lørenskog",
	"5001": "Trondheim", "5028": "Melhus", "5059": "Orkland", "5031": "Malvik", "5035": "Stjørdal", "5029": "Skaun",
	"1103": "Stavanger", "1108": "Sandnes", "1124": "Sola", "1127": "Randaberg", "1120": "Klepp", "1121": "Time", "1122": "Gjesdal",
	"4601": "Bergen", "1804": "Bodø", "5501": "Tromsø", "4204": "Kristiansand",
}

// MunicipalityName is a municipality's name, else its number.
func MunicipalityName(no string) string {
	if n, ok := municipalities[no]; ok {
		return n
	}
	return no
}
