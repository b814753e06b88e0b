package api

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/hookscope/hookscope/api/httpx"
	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
)

// MaxPage caps `limit` on a list of requests or of deliveries.
const MaxPage = limits.Page

var statusFilterRE = regexp.MustCompile(`^([1-5]xx|[1-5][0-9][0-9])$`)

// ParseRequestFilter reads the list filters from query parameters:
// vendor, route, status (a code or 2xx..5xx), signature, q (text, at most
// limits.SearchText), before (an id, limits.ID) and limit
// (limits.PageSize, default 50). Unknown parameters are refused; a number
// or a text out of its range is a *limits.RangeError naming the parameter.
// The API, `requests list`, export and the console's Inbox filter all read
// their filter here.
func ParseRequestFilter(q url.Values) (db.RequestFilter, error) {
	var f db.RequestFilter
	if err := httpx.OnlyParams(q, "vendor", "route", "status", "signature", "q", "before", "limit"); err != nil {
		return f, err
	}
	f.Vendor, f.Route, f.Text = q.Get("vendor"), q.Get("route"), q.Get("q")
	if f.Vendor != "" && f.Vendor != fixtures.Unknown {
		p, err := fixtures.Lookup(f.Vendor)
		if err != nil {
			return f, fmt.Errorf("vendor: %w; or %s", err, fixtures.Unknown)
		}
		f.Vendor = p.Name()
	}
	f.Status = strings.ToLower(q.Get("status"))
	if f.Status != "" && !statusFilterRE.MatchString(f.Status) {
		return f, fmt.Errorf("status %q: give a code (404) or a class (2xx, 4xx, 5xx)", q.Get("status"))
	}
	f.Signature = q.Get("signature")
	switch fixtures.Status(f.Signature) {
	case "", fixtures.Valid, fixtures.Invalid, fixtures.Missing, fixtures.Unverifiable:
	default:
		return f, fmt.Errorf("signature %q: one of valid, invalid, missing, unverifiable", f.Signature)
	}
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
	if err := CheckSearchText(f.Text); err != nil {
		return f, err
	}
	return f, nil
}

// CheckSearchText refuses a search text longer than limits.SearchText (a
// *limits.RangeError naming q): the one check of every text search, made
// where its filter is read.
func CheckSearchText(text string) error {
	return limits.SearchText.Check(int64(len(text)))
}
