package main

import (
	"encoding/base64"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// fixtureView is `fixtures show --json`: the catalogue entry (vendor,
// event, documented or inferred, the fields the vendor documents) and the
// request as it would be sent (credential headers masked).
type fixtureView struct {
	fixtures.EventInfo
	// Documented is never omitted here: [] for an inferred payload.
	Documented  []string    `json:"documented_fields"`
	Seed        int64       `json:"seed"`
	RenderedAt  time.Time   `json:"rendered_at"`
	Method      string      `json:"method"`
	RequestPath string      `json:"request_path"`
	Headers     []db.Header `json:"headers"`
	// Body is the request body byte for byte (base64 in BodyBase64 were it
	// not UTF-8); JSON is the same body parsed, when it is JSON.
	Body       string          `json:"body"`
	BodyBase64 string          `json:"body_base64,omitempty"`
	JSON       json.RawMessage `json:"json,omitempty"`
}

func newFixtureView(p fixtures.Profile, event string, seed int64, now time.Time, wire fixtures.Wire) fixtureView {
	_, info, _ := fixtures.Find(p.Name(), event)
	v := fixtureView{EventInfo: info, Documented: info.Documented, Seed: seed, RenderedAt: now,
		Method: wire.Method, RequestPath: "/hooks/" + p.Name(),
		Headers: db.MapHeaderValues(wireHeaders(wire.Header), fixtures.MaskHeaderValue)}
	if v.Documented == nil {
		v.Documented = []string{}
	}
	if v.Method == "" {
		v.Method = "POST"
	}
	if utf8.Valid(wire.Body) {
		v.Body = string(wire.Body)
	} else {
		v.BodyBase64 = base64.StdEncoding.EncodeToString(wire.Body)
	}
	if json.Valid(wire.Body) {
		v.JSON = json.RawMessage(wire.Body)
	}
	return v
}

// wireHeaders is a framed request's header lines, in the vendor's order
// and spelling.
func wireHeaders(h fixtures.Header) []db.Header {
	out := make([]db.Header, 0, h.Len())
	for _, f := range h.Fields() {
		out = append(out, db.Header{Name: f.Name, Value: f.Value})
	}
	return out
}
