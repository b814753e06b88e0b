//go:build linux

package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// mountTiny mounts a small tmpfs (root only) and returns its path.
func mountTiny(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs to fill (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes a file in dir until the file system is full.
func fill(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for size := len(chunk); size > 0; {
		if _, err := f.Write(chunk[:size]); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			size /= 2
		}
	}
}

// Every API route that writes answers 503 while the disk is full (the
// request was fine; the database cannot take it now), never a 400 that
// blames the client or a 500.
func TestWriteRoutesAnswer503WhenTheDiskIsFull(t *testing.T) {
	t.Parallel()
	dir := mountTiny(t, "8m")
	cfg := testConfig(t)
	cfg.DBPath = filepath.Join(dir, "full.db")
	a, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	addr := a.APIAddr()
	js := map[string]string{"Content-Type": "application/json"}
	// Something to act on: a request to replay, a delivery to retry.
	holm, err := fixtures.Lookup("holm")
	if err != nil {
		t.Fatal(err)
	}
	ticket, err := holm.Render("ticket_opened", rand.New(rand.NewPCG(1, 2)), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if status, _, body := apiCall(t, a.ReceiverAddr(), "POST", "/hooks/holm", "", js, string(ticket)); status != 200 {
		t.Fatalf("posting a webhook: %d %s", status, body)
	}
	if status, _, body := apiCall(t, addr, "POST", "/api/events", "", js, `{"vendor":"holm","event":"ticket_opened"}`); status != 202 {
		t.Fatalf("raising an event: %d %s", status, body)
	}
	for i := 0; ; i++ { // the delivery finishes before the disk fills
		_, _, body := apiCall(t, addr, "GET", "/api/deliveries/1", "", nil, "")
		if strings.Contains(body, `"status":"succeeded"`) {
			break
		}
		if i == 100 {
			t.Fatalf("delivery 1 did not succeed: %s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	fill(t, dir)

	routes := []struct{ method, path, body string }{
		{"POST", "/api/events", `{"vendor":"holm","event":"ticket_opened","payload":{"ticket":{"number":%d}}}`},
		{"POST", "/api/endpoints", `{"name":"full-%d","url":"http://127.0.0.1:9/","profile":"generic"}`},
		{"PUT", "/api/routes/full-%d", `{"profile":"generic"}`},
		{"PATCH", "/api/endpoints/1", `{"url":"http://127.0.0.1:%d/"}`},
		{"POST", "/api/endpoints/1/disable", `{"reason":"full %d"}`},
		{"POST", "/api/endpoints/1/test", `{"event_type":"new_alerts"}`},
		{"POST", "/api/deliveries/1/retry", ""},
		{"POST", "/api/requests/1/replay", `{"endpoint":"local-holm"}`},
	}
	for _, rt := range routes {
		// SQLite may still fit a small write into pages it already holds:
		// keep writing (bounded) until the file has to grow.
		var got []string
		saw503 := false
		for i := 0; i < 200 && !saw503; i++ {
			body := rt.body
			if strings.Contains(body, "%d") {
				body = fmt.Sprintf(body, i+10)
			}
			status, _, ans := apiCall(t, addr, rt.method, strings.ReplaceAll(rt.path, "%d", fmt.Sprint(i)), "", js, body)
			switch {
			case status == 503:
				saw503 = true
				if !strings.Contains(ans, "disk") && !strings.Contains(ans, "full") {
					t.Errorf("%s %s: 503 without saying why: %s", rt.method, rt.path, ans)
				}
			case status >= 200 && status < 300:
			default:
				got = append(got, fmt.Sprintf("%d %s", status, strings.TrimSpace(ans)))
			}
			if len(got) > 0 {
				break
			}
		}
		if len(got) > 0 || !saw503 {
			t.Errorf("%s %s with the disk full: %v (503 seen: %v)", rt.method, rt.path, got, saw503)
		}
	}
	// The receiver answers a request it cannot record as the API answers
	// a write it cannot make: one mapping, 503 with Retry-After and why.
	_, apiHdr, apiAns := apiCall(t, addr, "POST", "/api/events", "", js, `{"vendor":"holm","event":"ticket_opened"}`)
	for i := 0; ; i++ {
		status, hdr, ans := apiCall(t, a.ReceiverAddr(), "POST", "/hooks/holm", "", js, string(ticket))
		if status == 503 {
			if hdr.Get("Retry-After") == "" || hdr.Get("Retry-After") != apiHdr.Get("Retry-After") || !strings.Contains(ans, "disk") {
				t.Errorf("the receiver's 503: Retry-After %q, %s; the API's: Retry-After %q, %s", hdr.Get("Retry-After"), ans, apiHdr.Get("Retry-After"), apiAns)
			}
			break
		}
		if i == 200 {
			t.Fatalf("the receiver took 200 webhooks with the disk full; last %d %s", status, ans)
		}
	}
}

// With a free-space floor, webhooks fill the disk only down to the floor:
// then the receiver and the API answer 503 with Retry-After (the disk still
// has room), /healthz says degraded and why; a prune from another process
// (as `hookscope prune` is) works there, and webhooks are taken again
// without a restart.
func TestFloorKeepsRoomAndAPruneMakesIt(t *testing.T) {
	t.Parallel()
	dir := mountTiny(t, "48m")
	const floor = 8 << 20
	cfg := testConfig(t)
	cfg.DBPath = filepath.Join(dir, "floor.db")
	cfg.MinFree = floor
	ctx := context.Background()
	a, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(ctx)
	js := map[string]string{"Content-Type": "application/json"}
	body := `{"fill":"` + strings.Repeat("x", 32<<10) + `"}`
	post := func() (int, http.Header, string) {
		return apiCall(t, a.ReceiverAddr(), "POST", "/hooks/generic", "", js, body)
	}
	taken := 0
	for {
		status, hdr, ans := post()
		if status == 200 {
			taken++
			if taken > 5000 {
				t.Fatalf("%d webhooks of 32 KiB taken on a 48 MiB disk and no 503", taken)
			}
			continue
		}
		if status != 503 || hdr.Get("Retry-After") == "" || !strings.Contains(ans, "floor") {
			t.Fatalf("after %d webhooks: %d, Retry-After %q, %s; want 503 with Retry-After naming the floor", taken, status, hdr.Get("Retry-After"), ans)
		}
		break
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	if free := int64(st.Bavail) * st.Bsize; free < floor/2 {
		t.Errorf("the first 503 came with %d bytes left on the disk; the floor is %d", free, floor)
	}
	t.Logf("%d webhooks taken before the floor", taken)
	sizes := func(when string) {
		var st syscall.Statfs_t
		syscall.Statfs(dir, &st)
		var out []string
		for _, f := range []string{"", "-wal", "-shm"} {
			fi, _ := os.Stat(cfg.DBPath + f)
			if fi != nil {
				out = append(out, fmt.Sprintf("%s=%d", f, fi.Size()>>10))
			}
		}
		t.Logf("%s: free %d KiB, files %v KiB", when, int64(st.Bavail)*st.Bsize>>10, out)
	}
	sizes("at the floor")
	defer sizes("end")
	if status, hdr, ans := apiCall(t, a.APIAddr(), "POST", "/api/events", "", js, `{"vendor":"holm","event":"ticket_opened"}`); status != 503 || hdr.Get("Retry-After") == "" {
		t.Errorf("an API write below the floor: %d, Retry-After %q, %s", status, hdr.Get("Retry-After"), ans)
	}
	for _, addr := range []string{a.APIAddr(), a.ReceiverAddr()} {
		if status, _, ans := apiCall(t, addr, "GET", "/healthz", "", nil, ""); status != 503 || !strings.Contains(ans, `"degraded"`) || !strings.Contains(ans, "floor") {
			t.Errorf("/healthz at %s below the floor: %d %s", addr, status, ans)
		}
	}

	// Prune from a handle of its own, as the CLI does beside serve.
	other, err := db.Open(ctx, cfg.DBPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := other.Prune(ctx, time.Time{})
	if cerr := other.Close(); err == nil {
		err = cerr
	}
	if err != nil || res.Requests < int64(taken) {
		t.Fatalf("prune below the floor: %+v, %v; want at least %d requests gone", res, err, taken)
	}
	sizes("after prune")
	if status, _, ans := post(); status != 200 {
		t.Fatalf("a webhook after the prune: %d %s; want 200 without a restart", status, ans)
	}
	for _, addr := range []string{a.APIAddr(), a.ReceiverAddr()} {
		if status, _, ans := apiCall(t, addr, "GET", "/healthz", "", nil, ""); status != 200 {
			t.Errorf("/healthz at %s after the prune: %d %s", addr, status, ans)
		}
	}
}
