// Package natural orders names as people count: c2 before c10, Web2
// before web10.
package natural

import (
	"cmp"
	"strings"
	"unicode"
)

// Compare orders strings as people count: c2 before c10: runs of digits by their
// value (c2 before c10), the rest by letter ignoring case, ties by bytes.
func Compare(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	i, j := 0, 0
	for i < len(ra) && j < len(rb) {
		if unicode.IsDigit(ra[i]) && unicode.IsDigit(rb[j]) {
			si, sj := i, j
			for i < len(ra) && unicode.IsDigit(ra[i]) {
				i++
			}
			for j < len(rb) && unicode.IsDigit(rb[j]) {
				j++
			}
			da := strings.TrimLeft(string(ra[si:i]), "0")
			db := strings.TrimLeft(string(rb[sj:j]), "0")
			if len(da) != len(db) {
				return cmp.Compare(len(da), len(db))
			}
			if c := strings.Compare(da, db); c != 0 {
				return c
			}
			continue
		}
		ca, cb := unicode.ToLower(ra[i]), unicode.ToLower(rb[j])
		if ca != cb {
			return cmp.Compare(ca, cb)
		}
		i++
		j++
	}
	switch {
	case len(ra)-i != len(rb)-j:
		return cmp.Compare(len(ra)-i, len(rb)-j)
	}
	return strings.Compare(a, b)
}
