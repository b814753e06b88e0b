package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

func TestRequestsReplayToURL(t *testing.T) {
	dbPath := senderDB(t)
	ctx := context.Background()
	p, payload, err := fixtures.RenderEvent("policycortex", "scan.completed", 7, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	creds := fixtures.Credentials{Secret: "route-secret"}
	wire, err := p.Frame([]fixtures.Outgoing{{Type: "scan.completed", Payload: payload, CreatedAt: time.Now()}}, fixtures.FrameOptions{Credentials: creds, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, dbPath, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := &db.Request{ReceivedAt: time.Now(), Route: "pc", Method: "POST", Path: "/hooks/pc", Body: wire.Body, JSONValid: true, Vendor: "policycortex"}
	err = d.Write(ctx, func(tx db.Handle) error {
		if err := db.NewRouteStore().PutRoute(ctx, tx, &db.Route{Name: "pc", Profile: "policycortex", Secret: creds.Secret}); err != nil {
			return err
		}
		return db.NewRequestStore().CreateRequest(ctx, tx, q)
	})
	d.Close()
	if err != nil {
		t.Fatal(err)
	}

	url, last := lastRequestServer(t)
	out, err := runCLI(t, "--db", dbPath, "requests", "replay", strconv.FormatInt(q.ID, 10), "--to", url)
	if err != nil || !strings.Contains(out, "succeeded") {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	hdr, body := last()
	if string(body) != string(wire.Body) {
		t.Errorf("the replay changed the body")
	}
	// Neither the replay nor a send to a URL leaves an endpoint behind.
	if out, err := runCLI(t, "--db", dbPath, "send", "policycortex", "scan.completed", "--to", url, "--secret", "s", "--no-retry"); err != nil {
		t.Fatalf("send: %v\n%s", err, out)
	}
	if out, err := runCLI(t, "--db", dbPath, "endpoints", "list", "--json"); err != nil || strings.Contains(out, url) {
		t.Errorf("endpoints list after a replay and a send to %s: %v\n%s", url, err, out)
	}
	if v := p.Verify(hdr, body, creds, time.Now()); v.Status != fixtures.Valid {
		t.Errorf("the replay is not signed with the receiving route's secret: %+v", v)
	}

	for _, args := range [][]string{
		{"requests", "replay", strconv.FormatInt(q.ID, 10)},                                 // no target
		{"requests", "replay", strconv.FormatInt(q.ID, 10), "--to", url, "--endpoint", "x"}, // two
		{"requests", "replay", "abc", "--to", url},
		{"requests", "replay", "999", "--to", url},
	} {
		_, err := runCLI(t, append([]string{"--db", dbPath}, args...)...)
		if !errors.As(err, new(usageError)) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}
