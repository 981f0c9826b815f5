package draw

import (
	"strings"
	"testing"
)

func box(obj string, x, y, w, h float64, items ...Item) *Group {
	g := &Group{Attrs: Attrs{Class: "node", Data: map[string]string{"obj": obj}}}
	g.Add(&Rect{X: x, Y: y, W: w, H: h, Stroke: "#000"})
	g.Add(items...)
	return g
}

func TestLint(t *testing.T) {
	tests := []struct {
		name  string
		items []Item
		want  []string // substrings of the problems, in order; none: clean
	}{
		{"clean", []Item{
			box("a", 10, 10, 100, 30, &Text{X: 15, Y: 30, S: "web", Size: 12}),
			box("b", 150, 10, 100, 30, &Text{X: 155, Y: 30, S: "db", Size: 12}),
			&Line{Pts: []Pt{{110, 25}, {150, 25}}, Stroke: "#000"}, // border to border
		}, nil},
		{"text sticks out", []Item{box("a", 10, 10, 30, 30, &Text{X: 15, Y: 30, S: "network_alias_container1", Size: 12})}, []string{`"network_alias_container1" in node a sticks out`}},
		{"boxes overlap", []Item{box("a", 10, 10, 100, 30), box("b", 90, 20, 100, 30)}, []string{"node a overlaps node b"}},
		{"a box inside a box is nesting", []Item{box("outer", 10, 10, 200, 100), box("inner", 20, 20, 50, 30)}, nil},
		{"texts overlap", []Item{&Text{X: 10, Y: 30, S: "hello", Size: 12}, &Text{X: 20, Y: 32, S: "world", Size: 12}}, []string{`"hello" overlaps text "world"`}},
		{"line runs through a box", []Item{box("a", 50, 10, 40, 40), &Line{Attrs: Attrs{Class: "edge nat"}, Pts: []Pt{{10, 30}, {150, 30}}, Stroke: "#000"}}, []string{"a line (edge nat) runs through node a"}},
		{"diagonal line through a box", []Item{box("a", 50, 50, 40, 40), &Line{Pts: []Pt{{0, 0}, {200, 200}}, Stroke: "#000"}}, []string{"runs through node a"}},
		{"line past a corner", []Item{box("a", 50, 50, 40, 40), &Line{Pts: []Pt{{0, 40}, {200, 40}}, Stroke: "#000"}}, nil},
		{"outside the picture", []Item{&Text{X: 280, Y: 30, S: "far away", Size: 12}}, []string{"lies outside the picture"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Lint(&Scene{W: 300, H: 250, Items: tt.items})
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d like %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d: %q, want it to say %q", i, got[i], w)
				}
			}
		})
	}
}
