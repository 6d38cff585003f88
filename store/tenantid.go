package store

// ValidTenantID tells whether id is a tenant id: a lower-case letter, then
// up to 62 lower-case letters, digits and hyphens (`^[a-z][a-z0-9-]{0,62}$`).
// The engine checks it where ids come in, and the stores again, as ids
// become file and database names. It is written by hand, as every request
// opens its tenant (the regular expression was a percent of a get).
func ValidTenantID(id string) bool {
	if len(id) == 0 || len(id) > 63 || id[0] < 'a' || id[0] > 'z' {
		return false
	}
	for i := 1; i < len(id); i++ {
		if c := id[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
