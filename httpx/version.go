package httpx

import (
	"hash/crc32"
	"strconv"
)

// LogoVersion is the version in a region logo's URL: a hash of its bytes,
// so the logo is cached for a year under that URL and a new logo has a new
// one (app.SendLogo).
func LogoVersion(logo []byte) string {
	return strconv.FormatUint(uint64(crc32.Checksum(logo, castagnoli)), 36) + "-" + strconv.Itoa(len(logo))
}
