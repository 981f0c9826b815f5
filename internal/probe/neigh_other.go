//go:build !linux

package probe

// LiveNeighbours needs Linux; elsewhere a sweep runs without a budget.
func LiveNeighbours() NeighbourTable { return nil }
