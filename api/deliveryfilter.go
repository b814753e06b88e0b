package api

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hookscope/hookscope/api/httpx"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// ParseDeliveryFilter reads GET /api/deliveries' query: vendor,
// endpoint_id, status (a delivery status, or the last attempt's HTTP code
// or class), source (the events' source: "check RUN" for one run of
// hookscope check), q (text), before (an id) and limit (1..1000, default 50). An unknown parameter or a bad value is an error naming the
// valid ones.
func ParseDeliveryFilter(q url.Values) (db.DeliveryFilter, error) {
	f := db.DeliveryFilter{Vendor: q.Get("vendor"), Status: q.Get("status"), Source: q.Get("source"), Text: q.Get("q"), Limit: 50}
	if err := httpx.OnlyParams(q, "vendor", "endpoint_id", "status", "source", "q", "before", "limit"); err != nil {
		return f, err
	}
	for name, dst := range map[string]*int64{"endpoint_id": &f.EndpointID, "before": &f.Before} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return f, fmt.Errorf("%s %q: give an id (a positive integer)", name, v)
			}
			*dst = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return f, fmt.Errorf("limit %q: give a number from 1 to %d", v, MaxPage)
		}
		f.Limit = n
	}
	return f, CheckDeliveryFilter(&f)
}

// CheckDeliveryFilter checks the values of a deliveries filter (from the
// API or the command line) and spells the vendor as its profile does.
func CheckDeliveryFilter(f *db.DeliveryFilter) error {
	if f.Vendor != "" {
		p, err := fixtures.Lookup(f.Vendor)
		if err != nil {
			return fmt.Errorf("vendor: %w", err)
		}
		f.Vendor = p.Name()
	}
	if f.Status != "" && !slices.Contains(db.DeliveryStatuses, f.Status) {
		// An HTTP code or class is the status of the last attempt's answer.
		if _, _, err := db.ParseStatusFilter(f.Status); err != nil || f.LastHTTP != "" {
			return fmt.Errorf("status %q: one of %s, or the last attempt's HTTP status: a code (503) or a class (5xx)", f.Status, strings.Join(db.DeliveryStatuses, ", "))
		}
		f.Status, f.LastHTTP = "", strings.ToLower(f.Status)
	}
	if f.Limit < 1 || f.Limit > MaxPage {
		return fmt.Errorf("limit %d: give a number from 1 to %d", f.Limit, MaxPage)
	}
	if f.EndpointID < 0 || f.Before < 0 {
		return fmt.Errorf("endpoint and before take an id (a positive integer)")
	}
	return nil
}
