package validate

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/limits"
)

var statusFilterRE = regexp.MustCompile(`^([1-5]xx|[1-5][0-9][0-9])$`)

// RequestFilter checks the values of a requests filter (from the API, the
// command line, export or the console's Inbox filter): the vendor, spelled
// as its profile does (or fixtures.Unknown), the status (a code or a class,
// lowered), the signature verdict and the search text. Its numbers
// (before, limit) are the reader's to check as it parses them.
func RequestFilter(f *db.RequestFilter) error {
	if f.Vendor != "" && f.Vendor != fixtures.Unknown {
		p, err := fixtures.Lookup(f.Vendor)
		if err != nil {
			return fmt.Errorf("vendor: %w; or %s", err, fixtures.Unknown)
		}
		f.Vendor = p.Name()
	}
	if given := f.Status; given != "" {
		f.Status = strings.ToLower(given)
		if !statusFilterRE.MatchString(f.Status) {
			return fmt.Errorf("status %q: give a code (404) or a class (2xx, 4xx, 5xx)", given)
		}
	}
	switch fixtures.Status(f.Signature) {
	case "", fixtures.Valid, fixtures.Invalid, fixtures.Missing, fixtures.Unverifiable:
	default:
		return fmt.Errorf("signature %q: one of valid, invalid, missing, unverifiable", f.Signature)
	}
	return SearchText(f.Text)
}

// DeliveryFilter checks the values of a deliveries filter (from the API,
// the command line, export or the console's Deliveries filter) and spells
// the vendor as its profile does.
func DeliveryFilter(f *db.DeliveryFilter) error {
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
	return SearchText(f.Text)
}

// SearchText refuses a search text longer than limits.SearchText (a
// *limits.RangeError naming q): the one check of every text search, made
// where its filter is read.
func SearchText(text string) error {
	return limits.SearchText.Check(int64(len(text)))
}
