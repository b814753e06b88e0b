// Command walload floods one receiver route of a hookscope binary for a
// bounded time and samples the size of its write-ahead log every second.
//
//	go build -o /tmp/hookscope ./cmd/hookscope
//	go run ./scripts/walload -bin /tmp/hookscope -port 18400 -for 60s
//
// It starts `BIN serve` on a fresh database in a temporary folder, on
// 127.0.0.1:PORT (receiver) and PORT+1 (API), posts a body of -body bytes
// to /hooks/generic from -conns keep-alive connections for -for, and
// prints one line a second (requests so far, the WAL's size now and the
// largest of the 20 looks that second) and a
// summary: the rate, the largest WAL and the database's size. Everything
// stays on loopback; the server is stopped and the folder removed at the
// end. Give several -bin to run them one after the other in one sitting
// (before and after a change, side by side).
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	port := flag.Int("port", 18400, "receiver port on 127.0.0.1 (the API takes the next one)")
	dur := flag.Duration("for", 60*time.Second, "how long to flood (at most 5m)")
	conns := flag.Int("conns", 16, "keep-alive connections posting at once (at most 256)")
	size := flag.Int("body", 1244, "body bytes per request (at most 1 MiB)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: walload [flags] -bin BIN [-bin BIN2 ...]\n")
		flag.PrintDefaults()
	}
	var bins multi
	flag.Var(&bins, "bin", "hookscope binary to run (repeatable)")
	flag.Parse()
	if len(bins) == 0 || *dur <= 0 || *dur > 5*time.Minute || *conns < 1 || *conns > 256 || *size < 0 || *size > 1<<20 {
		flag.Usage()
		os.Exit(2)
	}
	var sums []string
	for _, bin := range bins {
		s, err := run(bin, *port, *dur, *conns, *size)
		if err != nil {
			fmt.Fprintln(os.Stderr, "walload:", bin+":", err)
			os.Exit(1)
		}
		sums = append(sums, s)
	}
	fmt.Println()
	for _, s := range sums {
		fmt.Println(s)
	}
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

// run floods one serve process and returns its summary line.
func run(bin string, port int, dur time.Duration, conns, size int) (string, error) {
	dir, err := os.MkdirTemp("", "walload-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	dbPath := filepath.Join(dir, "load.db")
	recv := fmt.Sprintf("127.0.0.1:%d", port)
	api := fmt.Sprintf("127.0.0.1:%d", port+1)
	cmd := exec.Command(bin, "--db", dbPath, "serve", "--listen", recv, "--api", api)
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("starting serve: %w", err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(40 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()
	// serve prints its addresses once it listens.
	sc := bufio.NewScanner(out)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "receiver:") {
		return "", errors.New("serve did not start (is the port free?)")
	}
	go io.Copy(io.Discard, out)

	body := bytes.Repeat([]byte("x"), size)
	copy(body, `{"load":"`)
	if size > 10 {
		body[size-2], body[size-1] = '"', '}'
	}
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	url := "http://" + recv + "/hooks/generic"

	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var ok, other atomic.Int64
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 == 2 {
					ok.Add(1)
				} else {
					other.Add(1)
				}
			}
		})
	}
	fmt.Printf("%s: flooding %s for %s from %d connections, %d-byte bodies\n", bin, url, dur, conns, size)
	start := time.Now()
	// The WAL is looked at every 50 ms, so the largest size is seen
	// between the lines printed each second.
	var peak, secPeak int64
	t := time.NewTicker(50 * time.Millisecond)
	for n := 1; ctx.Err() == nil; n++ {
		select {
		case <-ctx.Done():
		case <-t.C:
			w := fileSize(dbPath + "-wal")
			peak, secPeak = max(peak, w), max(secPeak, w)
			if n%20 == 0 {
				fmt.Printf("%3ds  %9d ok  %6d other  wal %7.1f MiB (largest this second %7.1f)  db %7.1f MiB\n",
					n/20, ok.Load(), other.Load(), mib(w), mib(secPeak), mib(fileSize(dbPath)))
				secPeak = 0
			}
		}
	}
	t.Stop()
	wg.Wait()
	elapsed := time.Since(start)
	return fmt.Sprintf("%s: %.0f requests/s (%d ok, %d other in %s), largest WAL %.1f MiB, database %.1f MiB",
		bin, float64(ok.Load())/elapsed.Seconds(), ok.Load(), other.Load(), elapsed.Round(time.Millisecond),
		mib(peak), mib(fileSize(dbPath))), nil
}

func fileSize(p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return st.Size()
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
