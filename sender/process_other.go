//go:build !unix

package sender

import "os"

// thisProcess identifies this process for the outbox's claims.
func thisProcess() processID {
	host, _ := os.Hostname()
	return processID{PID: os.Getpid(), Host: host}
}

// running cannot tell here: every other process reads as running, and
// its claims wait for their lease to run out.
func running(processID) bool { return true }
