package tui

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/internal/testkit"
	"github.com/hookscope/hookscope/receiver"
)

// serveReceiver runs a real receiver on loopback over d.
func serveReceiver(t *testing.T, d *db.DB) (*receiver.Receiver, string) {
	t.Helper()
	routes := db.NewRouteStore()
	if _, err := receiver.EnsureDefaultRoutes(context.Background(), d, routes); err != nil {
		t.Fatal(err)
	}
	rc, err := receiver.New(receiver.Options{DB: d, Requests: db.NewRequestStore(), Routes: routes,
		Logger: testkit.QuietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); rc.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		rc.Shutdown(ctx)
		<-done
	})
	return rc, l.Addr().String()
}

// newestRequest waits for the n-th request to be recorded and loads it.
func newestRequest(t *testing.T, d *db.DB, n int64, ready func(*db.Request) bool) *db.Request {
	t.Helper()
	s := db.NewRequestStore()
	for range 1000 {
		rows, err := s.ListRequests(context.Background(), d.Reader(), db.RequestFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 1 && rows[0].ID >= n {
			q, err := s.GetRequest(context.Background(), d.Reader(), rows[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if ready(q) {
				return q
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("request %d never recorded as expected", n)
	return nil
}

// TestDetailOfRefusedAndHungRequests: over real HTTP, a request net/http
// refused before its body was read shows no shape verdict in the detail
// pane, and a simulated hang shows that no answer was sent and how long
// the connection was held, not an answer of a millisecond.
func TestDetailOfRefusedAndHungRequests(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	rc, addr := serveReceiver(t, d)
	m := newTestModel(t, d, 120, 34)

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "POST /hooks/policycortex HTTP/1.1\r\nHost: t\r\nBad Header Line\r\nContent-Length: 2\r\n\r\n{}")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	c.Close()
	if err != nil || resp.StatusCode != 400 {
		t.Fatalf("want net/http's 400, got %v %v", resp, err)
	}
	q := newestRequest(t, d, 1, func(*db.Request) bool { return true })
	text := plain(m.r.renderRequest(wholeRequest(q)))
	if strings.Contains(text, "matches the documented shape") || !strings.Contains(text, "shape") || !strings.Contains(text, "not checked") {
		t.Errorf("a request refused before its body was read shows a shape verdict:\n%s", text)
	}

	route, err := db.NewRouteStore().GetRoute(context.Background(), d.Reader(), "holm")
	if err != nil {
		t.Fatal(err)
	}
	route.Response = db.SimResponse{Hang: true}
	if err := rc.PutRoute(context.Background(), route); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 300 * time.Millisecond}
	_, err = client.Post("http://"+addr+"/hooks/holm", "application/json", bytes.NewReader([]byte(`{"scan_id":"s1"}`)))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("want a client timeout, got %v", err)
	}
	q = newestRequest(t, d, 2, func(q *db.Request) bool { return strings.Contains(q.Error, "closed") })
	text = plain(m.r.renderRequest(wholeRequest(q)))
	if !strings.Contains(text, "none sent") || !strings.Contains(text, "held open") || strings.Contains(text, "in 0.") {
		t.Errorf("a hang is not shown as held with no answer:\n%s", text)
	}
}

// TestRepeatShownAsARepeat: over real HTTP into a real file, a forged
// PolicyCortex message (signed with another secret), then the genuine
// one with its id, twice. The console shows the first genuine one as no
// duplicate but a repeat of the forgery, whose signature was invalid:
// " rep" in its Inbox row, on the detail's duplicate line, and no red
// error line. The second genuine one is a duplicate (" dup"), a copy of
// the first.
func TestRepeatShownAsARepeat(t *testing.T) {
	ctx := context.Background()
	d := openDB(t)
	_, addr := serveReceiver(t, d)
	route, err := db.NewRouteStore().GetRoute(ctx, d.Reader(), "policycortex")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	p, payload, err := fixtures.RenderEvent("policycortex", "scan.completed", 7, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"forger-secret", route.Secret, route.Secret} {
		w, err := p.Frame([]fixtures.Outgoing{{Type: "scan.completed", Payload: payload, CreatedAt: now}},
			fixtures.FrameOptions{Credentials: fixtures.Credentials{Secret: secret}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/hooks/policycortex", bytes.NewReader(w.Body))
		req.Header = w.Header.HTTP()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	newestRequest(t, d, 3, func(*db.Request) bool { return true })

	m := newTestModel(t, d, 160, 34)
	s := screen(m)
	rows := map[string]string{}
	for _, l := range strings.Split(s, "\n") {
		if f := strings.Fields(strings.Trim(l, "│ ")); len(f) > 0 {
			rows[f[0]] = l
		}
	}
	if !strings.Contains(rows["3"], "scan.completed dup") || strings.Contains(rows["3"], "rep") {
		t.Errorf("the second genuine message's row does not say it is a duplicate: %q\n%s", rows["3"], s)
	}
	if !strings.Contains(rows["2"], "scan.completed rep") || strings.Contains(rows["2"], "dup") {
		t.Errorf("the genuine message's row does not say it is a repeat: %q\n%s", rows["2"], s)
	}
	if strings.Contains(rows["1"], " rep") || strings.Contains(rows["1"], " dup") {
		t.Errorf("the forgery's row is flagged: %q", rows["1"])
	}
	if detail := detailText(m); !strings.Contains(detail, "Request #3") || !strings.Contains(detail, "duplicate  yes — a copy of #2\n") {
		t.Errorf("the detail does not say request 3 is a copy of #2:\n%s", detail)
	}

	press(t, m, "j")
	detail := detailText(m)
	if !strings.Contains(detail, "Request #2") || !strings.Contains(detail, "duplicate  no — repeats the id of #1 (its signature was invalid)") {
		t.Errorf("the detail does not say request 2 repeats #1, whose signature was invalid:\n%s", detail)
	}
	if strings.Contains(detail, "error") {
		t.Errorf("the detail shows the repeat as an error:\n%s", detail)
	}
}
