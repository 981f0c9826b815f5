package natural

import "testing"

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"c2", "c10", -1},
		{"c10", "c2", 1},
		{"c2", "c2", 0},
		{"web", "web1", -1},
		{"Web2", "web10", -1},
		{"a01", "a1", -1}, // equal value: ties by bytes
		{"shop-api-9", "shop-api-10", -1},
		{"10.1.0.9", "10.1.0.10", -1},
		{"b", "a10", 1},
		{"web1-db", "web1-api", 1},
		{"", "a", -1},
		{"x9y", "x10y", -1},
		{"c02", "c2", -1}, // equal value: ties by bytes, so the order is total
		{"한2", "한10", -1},
	} {
		got := Compare(tc.a, tc.b)
		if got < 0 {
			got = -1
		} else if got > 0 {
			got = 1
		}
		if got != tc.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
