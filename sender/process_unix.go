//go:build unix && !linux

package sender

import (
	"errors"
	"os"
	"syscall"
)

// thisProcess identifies this process for the outbox's claims: its pid on
// this host.
func thisProcess() processID {
	host, _ := os.Hostname()
	return processID{PID: os.Getpid(), Host: host}
}

// running reports whether a process with p's pid runs (kill with signal 0
// finds it). A pid reused by another process reads as running: the claim
// then waits for its lease, as it would with no owner at all.
func running(p processID) bool {
	return !errors.Is(syscall.Kill(p.PID, 0), syscall.ESRCH)
}
