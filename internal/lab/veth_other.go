//go:build !linux

package lab

import "github.com/netviz/netviz/internal/nsrun"

func addVeth(name, peer string) error { return nsrun.ErrUnsupported }

func delVeth(name string) {}
