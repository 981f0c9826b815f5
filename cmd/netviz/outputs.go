package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/output"
	"github.com/netviz/netviz/internal/render"
)

// pictureFormat checks an -o path before any slow work: its extension must
// name one of the allowed formats and its directory must exist.
func pictureFormat(path, what string, allowed ...render.Format) (render.Format, error) {
	f, err := render.FormatForPath(path)
	if err != nil || !slices.Contains(allowed, f) {
		exts := make([]string, len(allowed))
		for i, a := range allowed {
			exts[i] = "." + string(a)
		}
		list := exts[len(exts)-1]
		if len(exts) > 1 {
			list = strings.Join(exts[:len(exts)-1], ", ") + " or " + list
		}
		return "", usageErrorf("-o %s: %s drawn as %s", path, what, list)
	}
	if err := output.CheckDir(path); err != nil {
		return "", usageErrorf("%v", err)
	}
	return f, nil
}

// writeResult writes path whole or not at all, then says so on stderr.
func writeResult(stderr io.Writer, path string, perm os.FileMode, write func(io.Writer) error) error {
	if err := output.WriteFile(path, perm, write); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	fmt.Fprintf(stderr, "netviz: wrote %s\n", path)
	return nil
}
