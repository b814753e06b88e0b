package api

import (
	"net/url"

	"github.com/hookscope/hookscope/api/httpx"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/limits"
	"github.com/hookscope/hookscope/validate"
)

// MaxPage caps `limit` on a list of requests or of deliveries.
const MaxPage = limits.Page

// ParseRequestFilter reads the list filters from query parameters:
// vendor, route, status (a code or 2xx..5xx), signature, q (text, at most
// limits.SearchText), before (an id, limits.ID) and limit
// (limits.PageSize, default 50). Unknown parameters are refused; a number
// or a text out of its range is a *limits.RangeError naming the parameter.
// The API, `requests list` and export read their filter here; its values
// are checked by validate.RequestFilter, as the console's Inbox filter's
// are.
func ParseRequestFilter(q url.Values) (db.RequestFilter, error) {
	var f db.RequestFilter
	if err := httpx.OnlyParams(q, "vendor", "route", "status", "signature", "q", "before", "limit"); err != nil {
		return f, err
	}
	f.Vendor, f.Route, f.Text = q.Get("vendor"), q.Get("route"), q.Get("q")
	f.Status, f.Signature = q.Get("status"), q.Get("signature")
	if s := q.Get("before"); s != "" {
		n, err := limits.ID.Named("before").Parse(s)
		if err != nil {
			return f, err
		}
		f.Before = n
	}
	f.Limit = 50
	if s := q.Get("limit"); s != "" {
		n, err := limits.PageSize.Parse(s)
		if err != nil {
			return f, err
		}
		f.Limit = int(n)
	}
	return f, validate.RequestFilter(&f)
}
