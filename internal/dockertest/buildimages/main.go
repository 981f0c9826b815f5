// Command buildimages imports netviz's test images (netviz-test/busybox and
// netviz-test/scratch, from the machine's static busybox) into the engine at
// DOCKER_HOST when it lacks them: the one image builder, used by .ci/run and
// by the live tests alike.
//
//	go run ./internal/dockertest/buildimages
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/moby/moby/client"

	"github.com/netviz/netviz/internal/dockertest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cli, err := client.New(client.FromEnv)
	if err == nil {
		defer cli.Close()
		err = dockertest.EnsureImages(ctx, cli)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "buildimages:", err)
		os.Exit(1)
	}
	fmt.Printf("test images %s and %s are on the engine\n", dockertest.Image, dockertest.ScratchImage)
}
