// Command netviz shows how a Docker host's network is really wired.
//
//	sudo netviz graph -o net.svg
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// With SIGPIPE handled, writing to a closed pipe (netviz … | head) is an
	// error the command sees, not a kill that skips its cleanup.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
