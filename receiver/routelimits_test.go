package receiver

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
)

// TestStoredOutOfRangeRouteIsAnsweredAsRecorded: a route stored without
// the check (by an older version) with a 1xx status and a delay past
// int64 is answered 500 saying why, and the row records exactly that
// status and a latency that is not negative; before, the wire carried
// "100 Continue" then "200 OK" while the row said 100, with a negative
// latency.
func TestStoredOutOfRangeRouteIsAnsweredAsRecorded(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.Route("holm")
	r.Response = db.SimResponse{Status: 100, DelayMS: math.MaxInt64}
	if err := h.DB.Write(context.Background(), func(tx db.Handle) error { return h.Routes.PutRoute(context.Background(), tx, r) }); err != nil {
		t.Fatal(err)
	}
	h.Srv.routes.invalidate()

	c, err := net.Dial("tcp", strings.TrimPrefix(h.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /hooks/holm HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	var statuses []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			break
		}
		if strings.HasPrefix(line, "HTTP/1.1 ") {
			statuses = append(statuses, strings.TrimSpace(line))
		}
	}
	if len(statuses) != 1 || statuses[0] != "HTTP/1.1 500 Internal Server Error" {
		t.Fatalf("status lines on the wire: %q, want one 500", statuses)
	}
	rec := h.Last()
	if rec.Response.Status != 500 || rec.Response.LatencyMS < 0 || !strings.Contains(rec.Error, "response.status: 100 is outside 200..599") {
		t.Errorf("recorded status %d, latency %v ms, error %q; want 500, >= 0, naming the status", rec.Response.Status, rec.Response.LatencyMS, rec.Error)
	}
}
