//go:build !linux

package privs

import "errors"

// Effective needs Linux capabilities.
func Effective() (Set, error) {
	return 0, errors.New("capabilities are a Linux feature")
}
