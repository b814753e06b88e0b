//go:build linux

package sender

import (
	"os"
	"strconv"
	"strings"
)

// thisProcess identifies this process for the outbox's claims: its pid,
// the pid namespace and boot those pids belong to (beside the host name),
// and its start time, which a later process with the same pid does not
// share.
func thisProcess() processID {
	host, _ := os.Hostname()
	if ns, err := os.Readlink("/proc/self/ns/pid"); err == nil {
		host += " " + ns
	}
	if b, err := os.ReadFile("/proc/sys/kernel/random/boot_id"); err == nil {
		host += " boot " + strings.TrimSpace(string(b))
	}
	pid := os.Getpid()
	start, _ := procStart(pid)
	return processID{PID: pid, Host: host, Start: start}
}

// running reports whether the process p names still runs: /proc/PID/stat
// exists, belongs to a process started when p's did (the pid was not
// reused) and is not a zombie. Only called for p of this host and pid
// namespace (same Host).
func running(p processID) bool {
	start, ok := procStart(p.PID)
	return ok && (p.Start == "" || start == p.Start)
}

// procStart is the start time of process pid (field 22 of /proc/PID/stat,
// in clock ticks since boot); false when there is no such process or it
// is a zombie (it has ended; its parent has not yet reaped it).
func procStart(pid int) (string, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", false
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// fields are counted after its closing one, starting with the state.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return "", false
	}
	return f[19], true
}
