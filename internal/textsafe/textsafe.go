// Package textsafe makes user input safe to echo: terminal control
// sequences (ESC, CSI, BEL, backspace, carriage return, bidi overrides) are
// shown escaped instead of being interpreted by the terminal, and long input
// is cut short so a 10 KB argument cannot flood an error message.
package textsafe

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultMax is how many runes of input Quote and Clean keep.
const DefaultMax = 80

// Clean returns s with every control or format character (C0, C1, DEL,
// bidi and other Unicode format characters) and every invalid UTF-8 byte
// written as a Go escape (\x1b, \u202e), cut to DefaultMax runes with a note
// of how long the input was. Printable text, including non-ASCII letters
// (Korean notes, accented names), is kept as it is.
func Clean(s string) string { return CleanN(s, DefaultMax) }

// CleanN is Clean keeping at most max characters of output (max < 1 means
// no limit); an escape counts as the characters it is written with.
func CleanN(s string, max int) string {
	var b strings.Builder
	width := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var piece string
		switch {
		case r == utf8.RuneError && size <= 1:
			piece = fmt.Sprintf(`\x%02x`, s[i])
		case r == '\t':
			piece = `\t`
		case r == '\n':
			piece = `\n`
		case unsafeRune(r):
			q := strconv.QuoteRuneToASCII(r) // '\x1b' or '\u202e'
			piece = q[1 : len(q)-1]
		default:
			piece = string(r)
		}
		n := utf8.RuneCountInString(piece)
		if max > 0 && width+n > max {
			fmt.Fprintf(&b, "…(%d bytes)", len(s))
			break
		}
		b.WriteString(piece)
		width += n
		i += size
	}
	return b.String()
}

// Quote is Clean in double quotes, for naming an input inside a message:
// unknown target "alice\x1b[2J…(10240 bytes)".
func Quote(s string) string { return `"` + Clean(s) + `"` }

// Safe reports whether s would be echoed unchanged by Clean (no control
// characters, valid UTF-8, at most DefaultMax runes).
func Safe(s string) bool { return Clean(s) == s }

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError ||
		unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r)
}
