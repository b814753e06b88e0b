package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// procStatusKB reads one "Name:   N kB" line of /proc/PID/status.
func procStatusKB(pid int, name string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("reading serve's /proc status: %w", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parsing %s in /proc status: %q: %w", name, line, err)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s line", pid, name)
}

func mustProcStatusKB(t *testing.T, pid int, name string) int64 {
	t.Helper()
	n, err := procStatusKB(pid, name)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// openFDs counts the file descriptors serve holds.
func openFDs(pid int) int {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(ents)
}

// bodyHolder opens connections to serve that each declare a large body
// and send one byte of it, checking serve's memory as it goes.
type bodyHolder struct {
	pid   int
	host  string
	head  string
	bound int64 // kB of resident memory past which no more are opened

	mu   sync.Mutex
	open []net.Conn
}

// over reports serve's resident memory past the bound (or unreadable).
func (h *bodyHolder) over() bool {
	n, err := procStatusKB(h.pid, "VmRSS")
	return err != nil || n > h.bound
}

// hold opens n connections with eight dialers, checking the memory every
// 25, so that a receiver that overshoots is stopped before it takes the
// machine's memory. It returns how many it opened.
func (h *bodyHolder) hold(n int) (int, error) {
	var wg sync.WaitGroup
	var dialErr error
	stop := make(chan struct{})
	var stopOnce sync.Once
	opened := 0
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				select {
				case <-stop:
					return
				default:
				}
				c, err := net.DialTimeout("tcp", h.host, 5*time.Second)
				if err == nil {
					_, err = io.WriteString(c, h.head)
				}
				h.mu.Lock()
				if err != nil {
					if c != nil {
						c.Close()
					}
					if dialErr == nil {
						dialErr = err
					}
					h.mu.Unlock()
					stopOnce.Do(func() { close(stop) })
					return
				}
				h.open = append(h.open, c)
				opened++
				k := opened
				h.mu.Unlock()
				if k%25 == 0 && h.over() {
					stopOnce.Do(func() { close(stop) })
					return
				}
			}
		}()
	}
	wg.Wait()
	return opened, dialErr
}

// settle waits until serve holds at least fds descriptors (or at most,
// when below), watching the memory meanwhile.
func (h *bodyHolder) settle(fds int, below bool) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && !h.over() {
		n := openFDs(h.pid)
		if (!below && n >= fds) || (below && n <= fds) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// closeAll closes every connection held.
func (h *bodyHolder) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.open {
		c.Close()
	}
	h.open = nil
}

// TestServeBodyMemoryFollowsWhatArrives opens 1,000 connections to the
// real serve, each declaring a 10 MB body and sending one byte of it,
// closes them, and opens 1,000 more that it holds open: serve's resident
// memory (its high-water mark, from /proc) must stay under 256 MB, and a
// normal webhook sent meanwhile must be answered 2xx. The first round
// matters: a receiver that sizes the body buffer from the declared
// Content-Length reserves 10 GB in it without touching it, and the second
// round's buffers reuse that memory, which Go zeroes, so each costs its
// full 10 MB resident. The test stops adding connections as soon as the
// bound is passed.
func TestServeBodyMemoryFollowsWhatArrives(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const (
		conns    = 1000
		declared = 10 << 20
		bound    = 256 << 10 // kB
	)
	dbPath := filepath.Join(t.TempDir(), "bodymem.db")
	cmd, recv, _ := startServe(t, dbPath)
	pid := cmd.Process.Pid
	host := strings.TrimPrefix(recv, "http://")
	start := mustProcStatusKB(t, pid, "VmRSS")
	idleFDs := openFDs(pid)

	h := &bodyHolder{pid: pid, host: host, bound: bound,
		head: fmt.Sprintf("POST /hooks/generic HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", host, declared)}
	t.Cleanup(h.closeAll)

	for round := 1; round <= 2; round++ {
		n, err := h.hold(conns)
		if err != nil {
			t.Fatalf("round %d: opening the connections: %v", round, err)
		}
		if n < conns {
			t.Fatalf("round %d: serve passed %d kB resident after only %d of %d connections (peak %d kB)", round, bound, n, conns, mustProcStatusKB(t, pid, "VmHWM"))
		}
		// Let serve take every connection and start reading its body.
		h.settle(idleFDs+conns, false)
		for range 10 {
			if h.over() {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if round == 1 {
			// Closed, each is recorded as a body cut short.
			h.closeAll()
			h.settle(idleFDs+5, true)
		}
	}

	// A normal webhook, while the thousand bodies are pending.
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post(recv+"/hooks/generic", "application/json", bytes.NewBufferString(`{"event":"normal"}`))
	if err != nil {
		t.Fatalf("a normal request during the held bodies: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Errorf("a normal request during the held bodies was answered %d, want 2xx", resp.StatusCode)
	}

	peak := mustProcStatusKB(t, pid, "VmHWM")
	fds := openFDs(pid)
	t.Logf("serve resident memory: %d kB at start, peak %d kB (address space peak %d kB) over two rounds of %d connections each declaring %d bytes and sending 1 (%d descriptors open)", start, peak, mustProcStatusKB(t, pid, "VmPeak"), conns, declared, fds)
	if peak > bound {
		t.Fatalf("serve's resident memory peaked at %d kB with %d connections each declaring %d bytes and sending 1, want under %d kB", peak, conns, declared, bound)
	}
	if fds < idleFDs+conns {
		t.Errorf("serve holds %d descriptors, want the %d connections still open", fds, conns)
	}

	// A held connection still ends as a request: closing its writing side
	// makes serve record it and answer 400 (the body ended early).
	c := h.open[0]
	c.(*net.TCPConn).CloseWrite()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	status, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("reading serve's answer to a body cut short: %v", err)
	}
	if !strings.Contains(status, " 400 ") {
		t.Errorf("a body cut short after 1 of %d bytes was answered %q, want 400", declared, strings.TrimSpace(status))
	}
}
