package api

import (
	"net/url"

	"github.com/hookscope/hookscope/api/httpx"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/validate"
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
	return f, validate.DeliveryFilter(&f)
}
