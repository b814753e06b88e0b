//go:build unix

package sender

import "syscall"

// syscallKill is SIGKILL: the process gets no chance to clean up.
var syscallKill = syscall.SIGKILL
