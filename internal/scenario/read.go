package scenario

import (
	"bytes"
	"context"

	"github.com/netviz/netviz/internal/input"
)

// MaxFileSize is the most of a scenario file netviz reads: a script of docker
// commands or a compose file is kilobytes; 16 MiB holds a 100,000-container
// scenario.
const MaxFileSize = 16 << 20

// ReadFile reads and parses the scenario at path: a compose file by its
// extension (.yml, .yaml), else a shell script. The file may be a regular
// file or a pipe (`netviz sim <(netviz lab show alias)`), read until ctx is
// done; a device, directory or socket, or more than MaxFileSize bytes, is an
// error naming the file (see package input).
func ReadFile(ctx context.Context, path string) (*Scenario, error) {
	data, err := input.ReadFile(ctx, path, "scenario", MaxFileSize)
	if err != nil {
		return nil, err
	}
	if IsCompose(path) {
		return ParseCompose(ctx, bytes.NewReader(data), path)
	}
	return ParseShell(bytes.NewReader(data), path)
}
