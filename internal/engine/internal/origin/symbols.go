package origin

// symbolClasses partitions the alphabet into classes of symbols that the
// origin grammar and every instruction of a program treat alike: from any
// state, every symbol of a class leads to the same state, so the subset
// construction computes one closure per class rather than one per symbol
// (as RE2's byte classes do). A pattern such as
// `https://([a-z0-9-]+\.)*example\.com` makes a dozen classes of the 45
// symbols. eats holds the symbols each instruction consumes; the first
// symbol of each class comes first.
func symbolClasses(eats []uint64) [][]uint8 {
	var classes [][]uint8
	ids := map[string]int{}
	key := make([]byte, 0, int(partPort5)+1+len(eats)/8+1)
	for sym := 0; sym < len(alphabet); sym++ {
		key = key[:0]
		for p := part(0); p <= partPort5; p++ {
			key = append(key, byte(p.next(alphabet[sym])))
		}
		var bits byte
		for pc, e := range eats {
			bits |= byte(e>>sym&1) << (pc % 8)
			if pc%8 == 7 || pc == len(eats)-1 {
				key, bits = append(key, bits), 0
			}
		}
		if i, ok := ids[string(key)]; ok {
			classes[i] = append(classes[i], uint8(sym))
			continue
		}
		ids[string(key)] = len(classes)
		classes = append(classes, []uint8{uint8(sym)})
	}
	return classes
}
