package testkit

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// Frame renders and frames one event of a vendor with creds, as the vendor
// would send it now (POST when the vendor names no method).
func Frame(t testing.TB, vendor, event string, creds fixtures.Credentials, seed uint64) fixtures.Wire {
	t.Helper()
	p, _, err := fixtures.Find(vendor, event)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	payload, err := p.Render(event, rand.New(rand.NewPCG(seed, seed+1)), now)
	if err != nil {
		t.Fatal(err)
	}
	w, err := p.Frame([]fixtures.Outgoing{{Type: event, Payload: payload, CreatedAt: now}}, fixtures.FrameOptions{Credentials: creds, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if w.Method == "" {
		w.Method = http.MethodPost
	}
	return w
}

// CredsOf are a route's credentials.
func CredsOf(r *db.Route) fixtures.Credentials {
	return fixtures.Credentials{Secret: r.Secret, Token: r.Token, Header: r.Header}
}

// Received frames events (in one request) as a vendor would have sent them
// to hookscope's receiver on 2026-03-14 09:00 UTC, signed with creds, and
// returns the body.
func Received(t testing.TB, vendor string, creds fixtures.Credentials, events ...string) []byte {
	t.Helper()
	p, err := fixtures.Lookup(vendor)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	var out []fixtures.Outgoing
	for i, e := range events {
		payload, err := p.Render(e, rand.New(rand.NewPCG(uint64(i), 3)), at)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fixtures.Outgoing{Type: e, Payload: payload, CreatedAt: at})
	}
	w, err := p.Frame(out, fixtures.FrameOptions{Credentials: creds, Now: at})
	if err != nil {
		t.Fatal(err)
	}
	return w.Body
}

// StoreRequest records a POST of body to route the way the receiver would
// have, and returns its id.
func StoreRequest(t testing.TB, d *db.DB, route, vendor string, body []byte, truncated bool) int64 {
	t.Helper()
	q := &db.Request{ReceivedAt: time.Now(), Route: route, Method: "POST", Path: "/hooks/" + route,
		Body: body, BodySize: int64(len(body)), BodyTruncated: truncated, JSONValid: json.Valid(body), Vendor: vendor}
	Write(t, d, func(tx db.Handle) error {
		return db.NewRequestStore().CreateRequest(context.Background(), tx, q)
	})
	return q.ID
}
