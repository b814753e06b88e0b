package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// hookscopeBinary builds the command once per test run.
func hookscopeBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hookscope-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "hookscope")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

var addrLine = regexp.MustCompile(`^(receiver|api): (http://127\.0\.0\.1:\d+)`)

// startServe runs `hookscope serve` on free loopback ports and returns the
// process and the two addresses it printed on its first lines.
func startServe(t *testing.T, dbPath string) (*exec.Cmd, string, string) {
	t.Helper()
	cmd := exec.Command(hookscopeBinary(t), "serve", "--db", dbPath, "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	sc := bufio.NewScanner(stdout)
	addrs := map[string]string{}
	for len(addrs) < 2 && sc.Scan() {
		m := addrLine.FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("serve's first lines must be the addresses; got %q (stderr: %s)", sc.Text(), stderr.String())
		}
		addrs[m[1]] = m[2]
	}
	if len(addrs) < 2 {
		t.Fatalf("serve printed no addresses (stderr: %s)", stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	return cmd, addrs["receiver"], addrs["api"]
}

// TestServeCrashKeepsAcknowledged runs serve under concurrent load, kills
// it with SIGKILL mid-run, and checks that every request it answered 2xx
// is in the database.
func TestServeCrashKeepsAcknowledged(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dbPath := filepath.Join(t.TempDir(), "crash.db")
	cmd, recv, _ := startServe(t, dbPath)

	var acked sync.Map
	var nAcked, next atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n := next.Add(1)
				body := fmt.Sprintf(`{"finished_scan":{"n":%d,"pad":"%s"}}`, n, bytes.Repeat([]byte("x"), 800))
				resp, err := client.Post(fmt.Sprintf("%s/hooks/holm?n=%d", recv, n), "application/json", bytes.NewBufferString(body))
				if err != nil {
					return // the server is gone
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 == 2 {
					acked.Store(n, true)
					nAcked.Add(1)
				}
			}
		}()
	}
	deadline := time.Now().Add(20 * time.Second)
	for nAcked.Load() < 1500 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	cancel()
	wg.Wait()
	if nAcked.Load() == 0 {
		t.Fatal("no request was acknowledged before the kill")
	}

	d, err := db.Open(context.Background(), dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	stored := map[int64]bool{}
	f := db.RequestFilter{Limit: 1000}
	for {
		rows, err := db.NewRequestStore().ListRequests(context.Background(), d.Reader(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			n, _ := strconv.ParseInt(r.Query[len("n="):], 10, 64)
			stored[n] = true
		}
		if len(rows) < f.Limit {
			break
		}
		f.Before = rows[len(rows)-1].ID
	}
	lost := 0
	acked.Range(func(k, _ any) bool {
		if !stored[k.(int64)] {
			lost++
		}
		return true
	})
	t.Logf("killed after %d acknowledged requests (%d sent); %d rows on disk", nAcked.Load(), next.Load(), len(stored))
	if lost > 0 {
		t.Fatalf("%d acknowledged requests are not in the database", lost)
	}
}

// TestServeStopsCleanly checks serve's addresses, a round trip through the
// receiver and the API, and a clean SIGTERM that flushes every write.
func TestServeStopsCleanly(t *testing.T) {
	t.Parallel() // waits on subprocesses and the clock; shares nothing with other tests
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dbPath := filepath.Join(t.TempDir(), "serve.db")
	cmd, recv, api := startServe(t, dbPath)
	resp, err := http.Post(recv+"/hooks/generic", "application/json", bytes.NewBufferString(`{"hello":"world"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("post: %v %v", err, resp)
	}
	resp.Body.Close()
	resp, err = http.Get(api + "/api/requests?route=generic")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"route":"generic"`)) {
		t.Fatalf("api: %d %s", resp.StatusCode, b)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve did not exit cleanly on SIGTERM: %v", err)
	}
	d, err := db.Open(context.Background(), dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	n, err := db.NewRequestStore().CountRequests(context.Background(), d.Reader(), db.RequestFilter{Route: "generic"})
	if err != nil || n != 1 {
		t.Fatalf("after SIGTERM: %d generic requests (%v), want 1", n, err)
	}
}
