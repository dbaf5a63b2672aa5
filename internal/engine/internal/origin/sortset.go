package origin

// sortSet sorts a set in place and drops repeats. The instruction and state
// sets of the analysis hold a few dozen entries, for which insertion sort
// is fast; a hostile pattern's can hold thousands, which heapsort sorts in
// n log n steps (the budget counts them so, see sortCost). Both keep the
// module small: each of the standard library's sorts is compiled in per
// element type. Sets of strings (schemes) hold at most a few entries.
func sortSet[T int32 | uint32](s []T) []T {
	if len(s) <= 16 {
		insertionSort(s)
	} else {
		heapSort(s)
	}
	return dropRepeats(s)
}

// sortStrings is sortSet for a few strings.
func sortStrings(s []string) []string {
	insertionSort(s)
	return dropRepeats(s)
}

// dropRepeats drops the repeats of a sorted set.
func dropRepeats[T int32 | uint32 | string](s []T) []T {
	n := 0
	for i, v := range s {
		if i == 0 || v != s[n-1] {
			s[n] = v
			n++
		}
	}
	return s[:n]
}

func insertionSort[T int32 | uint32 | string](s []T) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func heapSort[T int32 | uint32](s []T) {
	for i := len(s)/2 - 1; i >= 0; i-- {
		siftDown(s, i)
	}
	for end := len(s) - 1; end > 0; end-- {
		s[0], s[end] = s[end], s[0]
		siftDown(s[:end], 0)
	}
}

// siftDown moves s[i] down the max-heap s to where it belongs.
func siftDown[T int32 | uint32](s []T, i int) {
	for {
		c := 2*i + 1
		if c >= len(s) {
			return
		}
		if c+1 < len(s) && s[c] < s[c+1] {
			c++
		}
		if s[i] >= s[c] {
			return
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
}
