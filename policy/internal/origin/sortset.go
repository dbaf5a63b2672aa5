package origin

// sortSet sorts a small set in place and drops repeats: the instruction and
// state sets of the analysis hold a few dozen entries, for which insertion
// sort is fast, and it keeps the module small (each of the standard
// library's sorts is compiled in per element type).
func sortSet[T int32 | uint32 | string](s []T) []T {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	n := 0
	for i, v := range s {
		if i == 0 || v != s[n-1] {
			s[n] = v
			n++
		}
	}
	return s[:n]
}
