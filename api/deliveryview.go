package api

import (
	"encoding/base64"
	"time"
	"unicode/utf8"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// BodyView is a body as text, or base64 where it is not valid UTF-8.
type BodyView struct {
	Body       string `json:"body"`
	BodyBase64 string `json:"body_base64,omitempty"`
}

func viewBody(b []byte) BodyView {
	if utf8.Valid(b) {
		return BodyView{Body: string(b)}
	}
	return BodyView{BodyBase64: base64.StdEncoding.EncodeToString(b)}
}

// AttemptRequestView is an attempt's request with its body. Credential headers
// (a CodeScoring token, an Authorization bearer) are masked.
type AttemptRequestView struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Headers []db.Header `json:"headers"`
	BodyView
}

// AttemptResponseView is an attempt's response with its body.
type AttemptResponseView struct {
	Status    int         `json:"status"`
	Headers   []db.Header `json:"headers"`
	LatencyMS float64     `json:"latency_ms"`
	Truncated bool        `json:"truncated"`
	BodyView
}

// AttemptView is one attempt as printed and served.
type AttemptView struct {
	N          int                  `json:"n"`
	StartedAt  time.Time            `json:"started_at"`
	DurationMS float64              `json:"duration_ms"`
	Request    AttemptRequestView   `json:"request"`
	Response   *AttemptResponseView `json:"response"`
	Error      string               `json:"error,omitempty"`
	Manual     bool                 `json:"manual"`
	// VendorWaitMS is the vendor's wait before this retry (unscaled).
	VendorWaitMS int64  `json:"vendor_wait_ms,omitempty"`
	WaitReason   string `json:"wait_reason,omitempty"`
}

// DeliveryView is a delivery as printed and served (SPEC §7 names), with
// its attempts in full. NextAttemptAt is the real instant the next attempt
// runs; VendorWait is the vendor's own wait before it (they differ under a
// time scale).
type DeliveryView struct {
	db.Delivery
	Attempts   []AttemptView `json:"attempts"`
	VendorWait string        `json:"vendor_wait,omitempty"`
}

// ViewDelivery prepares a delivery for output.
func ViewDelivery(d db.Delivery) DeliveryView {
	v := DeliveryView{Delivery: d, Attempts: make([]AttemptView, 0, len(d.Attempts))}
	if d.EventTypes == nil {
		v.EventTypes = []string{}
	}
	if d.Wait != nil && d.NextAttemptAt != nil {
		v.VendorWait = d.Wait.VendorWait().String()
	}
	for _, a := range d.Attempts {
		av := AttemptView{
			N: a.N, StartedAt: a.StartedAt, DurationMS: a.DurationMS, Error: a.Error, Manual: a.Manual,
			VendorWaitMS: a.VendorWaitMS, WaitReason: a.WaitReason,
			Request: AttemptRequestView{Method: a.Request.Method, URL: a.Request.URL, Headers: db.MapHeaderValues(a.Request.Headers, fixtures.MaskHeaderValue), BodyView: viewBody(a.Request.Body)},
		}
		if r := a.Response; r != nil {
			av.Response = &AttemptResponseView{Status: r.Status, Headers: r.Headers, LatencyMS: r.LatencyMS, Truncated: r.Truncated, BodyView: viewBody(r.Body)}
		}
		v.Attempts = append(v.Attempts, av)
	}
	return v
}
