package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/netviz/netviz/internal/graph"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; else
// it comes from the module's build info.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "devel-" + s.Value[:12]
			}
		}
	}
	return "devel"
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Print netviz's version",
		Args:    cobra.NoArgs,
		Example: "  netviz version\n  netviz version --json",
		RunE: func(cmd *cobra.Command, args []string) error {
			info := map[string]string{
				"version": buildVersion(), "go": runtime.Version(),
				"platform": runtime.GOOS + "/" + runtime.GOARCH, "schema": graph.Schema,
			}
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			_, err := fmt.Fprintf(stdout, "netviz %s (%s, %s, model %s)\n", info["version"], info["go"], info["platform"], info["schema"])
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
