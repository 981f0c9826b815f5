package netlinkx

import (
	"errors"
	"strings"
	"testing"
)

func TestDump(t *testing.T) {
	tests := []struct {
		name        string
		interrupted int // calls interrupted before a clean one
		wantErr     string
		wantCalls   int
	}{
		{"clean", 0, "", 1},
		{"interrupted twice", 2, "", 3},
		{"never settles", 100, "interrupted the dump 8 times", 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			got, err := Dump("list links", func() ([]int, error) {
				calls++
				if calls <= tt.interrupted {
					return []int{1}, errDumpInterrupted // partial
				}
				return []int{1, 2, 3}, nil
			})
			if calls != tt.wantCalls {
				t.Errorf("%d calls, want %d", calls, tt.wantCalls)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || got != nil {
					t.Errorf("got %v, %v; want no result and an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != 3 {
				t.Errorf("got %v, %v", got, err)
			}
		})
	}
	other := errors.New("permission denied")
	if _, err := Dump("x", func() ([]int, error) { return nil, other }); !errors.Is(err, other) {
		t.Errorf("another error was not passed through: %v", err)
	}
}
