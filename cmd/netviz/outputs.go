package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/netviz/netviz/internal/output"
	"github.com/netviz/netviz/internal/render"
	"github.com/netviz/netviz/internal/textsafe"
)

// pictureFormat checks an -o path before any slow work: its extension must
// name one of the allowed formats and output.Check must pass.
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
		return "", usageErrorf("-o %s: %s drawn as %s", textsafe.CleanN(path, 256), what, list)
	}
	if err := output.Check(path); err != nil {
		return "", usageErrorf("%v", err)
	}
	return f, nil
}

// writeResult writes path under output's rules (a regular file whole or not
// at all, a device or pipe in place), then says so on stderr, followed by
// what detail (if not nil) says about it.
func writeResult(ctx context.Context, stderr io.Writer, path string, perm os.FileMode, write func(io.Writer) error, detail func() string) error {
	if err := output.Write(ctx, path, perm, write); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &exitError{code: exitUsage, err: err}
	}
	d := ""
	if detail != nil {
		d = detail()
	}
	fmt.Fprintf(stderr, "netviz: wrote %s%s\n", textsafe.CleanN(path, 256), d)
	return nil
}
