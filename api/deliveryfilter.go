package api

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/hookscope/hookscope/api/httpx"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
)

// ParseDeliveryFilter reads GET /api/deliveries' query: vendor,
// endpoint_id, status (a delivery status, or the last attempt's HTTP code
// or class), source (the events' source: "check RUN" for one run of
// hookscope check), q (text, at most limits.SearchText), before and
// endpoint_id (ids, limits.ID) and limit (limits.PageSize, default 50). An
// unknown parameter is an error naming the valid ones; a number or a text
// out of its range is a *limits.RangeError naming the parameter.
func ParseDeliveryFilter(q url.Values) (db.DeliveryFilter, error) {
	f := db.DeliveryFilter{Vendor: q.Get("vendor"), Status: q.Get("status"), Source: q.Get("source"), Text: q.Get("q"), Limit: 50}
	if err := httpx.OnlyParams(q, "vendor", "endpoint_id", "status", "source", "q", "before", "limit"); err != nil {
		return f, err
	}
	for name, dst := range map[string]*int64{"endpoint_id": &f.EndpointID, "before": &f.Before} {
		if v := q.Get(name); v != "" {
			n, err := limits.ID.Named(name).Parse(v)
			if err != nil {
				return f, err
			}
			*dst = n
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := limits.PageSize.Parse(v)
		if err != nil {
			return f, err
		}
		f.Limit = int(n)
	}
	return f, CheckDeliveryFilter(&f)
}

// CheckDeliveryFilter checks the values of a deliveries filter (from the
// API, the command line, export or the console's Deliveries filter) and
// spells the vendor as its profile does.
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
	if err := limits.PageSize.Check(int64(f.Limit)); err != nil {
		return err
	}
	// 0 is "not given" for the ids; anything else is an id.
	if f.EndpointID != 0 {
		if err := limits.ID.Named("endpoint_id").Check(f.EndpointID); err != nil {
			return err
		}
	}
	if f.Before != 0 {
		if err := limits.ID.Named("before").Check(f.Before); err != nil {
			return err
		}
	}
	return CheckSearchText(f.Text)
}
