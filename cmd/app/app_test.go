package app

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/internal/testkit"
)

func testConfig(t *testing.T) Config {
	return Config{
		DBPath: filepath.Join(t.TempDir(), "app.db"),
		Listen: "127.0.0.1:0",
		API:    "127.0.0.1:0",
		Logger: testkit.QuietLogger(),
	}
}

func TestStartServeShutdown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, err := Start(ctx, testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	if a.ReceiverAddr() == a.APIAddr() {
		t.Fatal("the API shares the receiver's address")
	}
	changes := a.Changes.Subscribe(ctx)
	for _, u := range []string{"http://" + a.APIAddr() + "/healthz", "http://" + a.ReceiverAddr() + "/healthz"} {
		resp, err := http.Get(u)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("health %s: %v %v", u, err, resp)
		}
		resp.Body.Close()
	}
	resp, err := http.Post("http://"+a.ReceiverAddr()+"/hooks/cyscale", "application/json", strings.NewReader(`[]`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("post: %v %v", err, resp)
	}
	resp.Body.Close()
	select {
	case c := <-changes:
		if c.Kind != db.ChangeRequest || c.ID == 0 || c.Name != "cyscale" {
			t.Errorf("change %+v", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no change published for a recorded request")
	}
	// The receiver's API routes are on the API listener, not the receiver's.
	resp, _ = http.Get("http://" + a.APIAddr() + "/api/requests")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"route":"cyscale"`)) {
		t.Fatalf("api list: %d %s", resp.StatusCode, b)
	}
	resp, _ = http.Get("http://" + a.APIAddr() + "/api/nothing")
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("unknown API path: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if err := a.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := net.Dial("tcp", a.ReceiverAddr()); err == nil {
		t.Error("the receiver still accepts after Shutdown")
	}
	// Everything was flushed: the file reopens with the request in it.
	d, err := db.Open(ctx, a.Config.DBPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if n, _ := db.NewRequestStore().CountRequests(ctx, d.Reader(), db.RequestFilter{}); n != 1 {
		t.Errorf("%d requests after shutdown, want 1", n)
	}
}

func TestPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg := testConfig(t)
	cfg.Listen = taken.Addr().String()
	_, err = Start(context.Background(), cfg)
	want := "receiver address " + taken.Addr().String() + " is in use (change it with --listen)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	cfg = testConfig(t)
	cfg.API = taken.Addr().String()
	if _, err = Start(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "(change it with --api)") {
		t.Fatalf("API port taken: %v", err)
	}
	// Nothing was created: the ports are bound before the database opens.
	if _, err := os.Stat(cfg.DBPath); !os.IsNotExist(err) {
		t.Errorf("the database was created although a port was taken (%v)", err)
	}
}

func TestAPIStaysOnLoopback(t *testing.T) {
	cfg := testConfig(t)
	cfg.API = "0.0.0.0:0"
	if _, err := Start(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "loopback only") {
		t.Fatalf("err = %v", err)
	}
	cfg.API, cfg.Listen = "127.0.0.1:8089", "127.0.0.1:8089"
	if _, err := Start(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "own port") {
		t.Fatalf("err = %v", err)
	}
}

// A receiver listening on every interface is reached at 127.0.0.1: that is
// what the default endpoints are pointed at, never the wildcard address.
func TestWildcardListenGivesReachableURLs(t *testing.T) {
	cfg := testConfig(t)
	cfg.Listen = "0.0.0.0:0"
	a, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	_, port, _ := net.SplitHostPort(a.ReceiverListenAddr())
	if want := "127.0.0.1:" + port; a.ReceiverAddr() != want {
		t.Errorf("ReceiverAddr %q, want %q", a.ReceiverAddr(), want)
	}
	eps, err := a.Sender.Endpoints(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) == 0 {
		t.Fatal("no default endpoints")
	}
	for _, e := range eps {
		if !strings.HasPrefix(e.URL, "http://127.0.0.1:"+port+"/hooks/") {
			t.Errorf("endpoint %s points at %s", e.Name, e.URL)
		}
		resp, err := http.Post(e.URL, "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Errorf("endpoint %s is unreachable: %v", e.Name, err)
			continue
		}
		resp.Body.Close()
	}
}
