package lab

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"os"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// Image is the tag of netviz's lab image: FROM scratch, holding only the
// static netviz binary running `netviz idle`.
const Image = "netviz-lab:latest"

// EnsureImage builds the lab image from the running netviz binary when the
// engine does not have it. The binary must be static (CGO_ENABLED=0): the
// image holds nothing else.
func EnsureImage(ctx context.Context, cli *client.Client, binary string) error {
	if _, err := cli.ImageInspect(ctx, Image); err == nil {
		return nil
	} else if !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("inspect %s: %w", Image, err)
	}
	data, err := os.ReadFile(binary)
	if err != nil {
		return fmt.Errorf("read netviz binary: %w", err)
	}
	if f, err := elf.NewFile(bytes.NewReader(data)); err == nil {
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				return fmt.Errorf("the lab image needs a static netviz binary, and %s is dynamically linked: rebuild with CGO_ENABLED=0 go build ./cmd/netviz", binary)
			}
		}
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "netviz", Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg})
	tw.Write(data)
	for _, d := range []string{"etc/", "proc/", "sys/", "dev/", "tmp/"} {
		tw.WriteHeader(&tar.Header{Name: d, Mode: 0o755, Typeflag: tar.TypeDir})
	}
	if err := tw.Close(); err != nil {
		return err
	}
	res, err := cli.ImageImport(ctx, client.ImageImportSource{Source: &buf, SourceName: "-"}, Image,
		client.ImageImportOptions{Changes: []string{`CMD ["/netviz","idle"]`, "LABEL " + OwnerLabel + "=lab"}})
	if err != nil {
		return fmt.Errorf("build %s: %w", Image, err)
	}
	defer res.Close()
	_, err = io.Copy(io.Discard, res)
	return err
}

// image returns the image to run: the scenario's if present (or pulled with
// Pull), else the lab image.
func (a *Applier) image(ctx context.Context, ref string) (string, bool, error) {
	if a.images == nil {
		a.images = map[string]bool{}
	}
	if ok, seen := a.images[ref]; seen {
		if ok {
			return ref, false, nil
		}
		return Image, true, nil
	}
	if _, err := a.Client.ImageInspect(ctx, ref); err == nil {
		a.images[ref] = true
		return ref, false, nil
	}
	if a.Pull {
		res, err := a.Client.ImagePull(ctx, ref, client.ImagePullOptions{})
		if err != nil {
			return "", false, fmt.Errorf("pull %s: %w", ref, err)
		}
		io.Copy(io.Discard, res)
		res.Close()
		a.images[ref] = true
		return ref, false, nil
	}
	a.images[ref] = false
	a.Notices = append(a.Notices, fmt.Sprintf("image %s is not present: using %s (netviz idling) instead; --pull fetches it", ref, Image))
	return Image, true, nil
}
