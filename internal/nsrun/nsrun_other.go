//go:build !linux

package nsrun

// Open is not supported outside Linux.
func Open(path string) (*NS, error) { return nil, ErrUnsupported }

// Self is not supported outside Linux.
func Self() (*NS, error) { return nil, ErrUnsupported }

// Do is not supported outside Linux.
func (n *NS) Do(fn func() error) error { return ErrUnsupported }
