package textsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "alicek106", "alicek106"},
		{"korean", "네트워크 alice", "네트워크 alice"},
		{"esc sequence", "a\x1b[31mred\x1b[0m", `a\x1b[31mred\x1b[0m`},
		{"bell and backspace", "x\a\by", `x\a\by`},
		{"carriage return", "ok\rFAKE", `ok\rFAKE`},
		{"newline and tab", "a\nb\tc", `a\nb\tc`},
		{"c1 csi", "a\u009b2J", `a\u009b2J`},
		{"bidi override", "abc\u202edcba", `abc\u202edcba`},
		{"invalid utf8", "a\xffb", `a\xffb`},
		{"del", "a\x7fb", `a\x7fb`},
		{"line separator", "a\u2028b", `a\u2028b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanCutsLongInput(t *testing.T) {
	in := strings.Repeat("\x1b[2J", 2560) // 10 KB of screen clears
	got := Clean(in)
	if strings.ContainsRune(got, 0x1b) {
		t.Fatalf("raw ESC survived: %q", got)
	}
	if n := utf8.RuneCountInString(got); n > DefaultMax+40 {
		t.Errorf("Clean kept %d runes of a %d-byte input, want about %d", n, len(in), DefaultMax)
	}
	if !strings.HasSuffix(got, "…(10240 bytes)") {
		t.Errorf("Clean(10 KB) = %q, want it to end with the input's length", got)
	}
	if got := CleanN(strings.Repeat("a", 10), 0); got != strings.Repeat("a", 10) {
		t.Errorf("CleanN(_, 0) cut the input: %q", got)
	}
}

func TestQuoteAndSafe(t *testing.T) {
	if got := Quote("a\x1bb"); got != `"a\x1bb"` {
		t.Errorf("Quote = %s", got)
	}
	if !Safe("web-1") || Safe("a\x1b") || Safe(strings.Repeat("a", DefaultMax+1)) {
		t.Error("Safe misjudged an input")
	}
}

func FuzzClean(f *testing.F) {
	f.Add("a\x1b[31m\xff\u202e")
	f.Fuzz(func(t *testing.T, s string) {
		got := Clean(s)
		for _, r := range got {
			if unsafeRune(r) && r != utf8.RuneError {
				t.Fatalf("Clean(%q) kept control rune %U", s, r)
			}
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Clean(%q) = %q is not valid UTF-8", s, got)
		}
	})
}
