//go:build !unix

package input

import "os"

func openNonblock(path string) (*os.File, error) { return os.Open(path) }
