package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// matchRequest is RequestFilter's meaning, read off one stored request.
func matchRequest(r *Request, f RequestFilter) bool {
	if f.Vendor != "" && r.Vendor != f.Vendor || f.Route != "" && r.Route != f.Route || f.Signature != "" && r.Signature.Status != f.Signature {
		return false
	}
	if f.Status != "" {
		lo, hi, _ := parseStatusFilter(f.Status)
		if r.Response.Status < lo || r.Response.Status > hi {
			return false
		}
	}
	if f.Text != "" && !strings.Contains(string(r.Body), f.Text) && !strings.Contains(fmt.Sprint(r.Headers), f.Text) {
		return false
	}
	return true
}

// walkUp pages from the oldest row up with After, checking each page is
// newest first, and returns the ids oldest first.
func walkUp[T any](t *testing.T, list func(oldest bool, after int64) ([]T, error), id func(T) int64, limit int) []int64 {
	t.Helper()
	var got []int64
	oldest, after := true, int64(0)
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging up does not end")
		}
		page, err := list(oldest, after)
		if err != nil {
			t.Fatal(err)
		}
		for i := len(page) - 1; i >= 0; i-- {
			x := id(page[i])
			if i > 0 && id(page[i-1]) <= x {
				t.Fatalf("page not newest first: %d before %d", id(page[i-1]), x)
			}
			if n := len(got); n > 0 && got[n-1] >= x {
				t.Fatalf("walking up went back: %d after %d", x, got[n-1])
			}
			got = append(got, x)
		}
		if len(page) < limit {
			return got
		}
		oldest, after = false, id(page[0])
	}
}

// Paging up from the oldest row with After visits every matching request
// once, in order, for every filter: the rows reading every row finds.
func TestListRequestsPagesUpward(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	rs := NewRequestStore()
	all := seedPaging(t, d, 3000)
	for _, f := range []RequestFilter{
		{}, {Vendor: "holm"}, {Route: "route2"}, {Status: "503"}, {Status: "2xx"}, {Status: "4XX"},
		{Status: "5xx"}, {Signature: "invalid"}, {Text: "needle"}, {Text: "nee"},
		{Vendor: "cyscale", Status: "5xx", Signature: "valid"}, {Vendor: "policycortex", Text: "needle"},
		{Route: "route1", Status: "2xx", Text: "needle"}, {Status: "3xx"}, {Vendor: "nobody"},
	} {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			var want []int64
			for id, r := range all {
				if matchRequest(r, f) {
					want = append(want, id)
				}
			}
			slices.Sort(want)
			const limit = 97
			got := walkUp(t, func(oldest bool, after int64) ([]Request, error) {
				g := f
				g.Oldest, g.After, g.Limit = oldest, after, limit
				return rs.ListRequests(ctx, d.Reader(), g)
			}, func(r Request) int64 { return r.ID }, limit)
			if !slices.Equal(got, want) {
				t.Fatalf("paging up gave %d rows, want %d (first %v, want %v)", len(got), len(want), got[:min(5, len(got))], want[:min(5, len(want))])
			}
			// From the middle: the page just above an id, newest first.
			if len(want) > 10 {
				mid := want[len(want)/2]
				g := f
				g.After, g.Limit = mid, 5
				page, err := rs.ListRequests(ctx, d.Reader(), g)
				if err != nil {
					t.Fatal(err)
				}
				above := want[len(want)/2+1:]
				above = slices.Clone(above[:min(5, len(above))])
				slices.Reverse(above)
				if ids := requestIDs(page); !slices.Equal(ids, above) {
					t.Errorf("After %d: %v, want %v", mid, ids, above)
				}
				// Counting with After: how many are above, the row's place,
				// by the rowid range and by the index walk of a long one.
				for _, at := range []int64{placeScanAt, 0} {
					defer func(n int64) { placeScanAt = n }(placeScanAt)
					placeScanAt = at
					if n, err := rs.CountRequests(ctx, d.Reader(), g); err != nil || n != int64(len(want)-len(want)/2-1) {
						t.Errorf("CountRequests(After %d) = %d, %v; want %d", mid, n, err, len(want)-len(want)/2-1)
					}
				}
			}
		})
	}
}

// A text search paged upward gives, with the text index built, the rows
// a downward walk reading every row gives, in reverse.
func TestTextIndexPagesUpwardLikeAScan(t *testing.T) {
	t.Parallel()
	d, _ := indexedDB(t, 4*testBlock)
	ctx := context.Background()
	for _, text := range []string{"CVE-2031-0042", "zq-", "Outdated OpenSSL on host-4", "MiXeD"} {
		var down []int64
		f := RequestFilter{Text: text, Limit: 7}
		for range 10000 {
			got := scanList(t, d, f)
			down = append(down, got...)
			if len(got) < f.Limit {
				break
			}
			f.Before = got[len(got)-1]
		}
		slices.Reverse(down)
		up := walkUp(t, func(oldest bool, after int64) ([]Request, error) {
			return NewRequestStore().ListRequests(ctx, d.Reader(), RequestFilter{Text: text, Oldest: oldest, After: after, Limit: 7})
		}, func(r Request) int64 { return r.ID }, 7)
		if !slices.Equal(up, down) || len(up) == 0 {
			t.Fatalf("%q: paging up gave %v, reading every row %v", text, up, down)
		}
	}
}

// Deliveries page upward too, for every filter, with the text indexes
// built: the deliveries a downward walk reading every row finds.
func TestListDeliveriesPagesUpward(t *testing.T) {
	d := indexedDeliveries(t, 400)
	ctx := context.Background()
	for _, text := range []string{"", "CVE-2031-0042", "zq-", "connection refused", "critical", "zq-retry"} {
		for _, base := range []DeliveryFilter{{}, {Vendor: "holm"}, {Status: "failed"}, {EndpointID: 1}, {Vendor: "cyscale", Status: "delivered"}} {
			f := base
			f.Text, f.Limit = text, 7
			var down []int64
			for range 10000 {
				got, err := listDeliveries(ctx, d.Reader(), f)
				if err != nil {
					t.Fatal(err)
				}
				down = append(down, deliveryIDs(got)...)
				if len(got) < f.Limit {
					break
				}
				f.Before = got[len(got)-1].ID
			}
			slices.Reverse(down)
			up := walkUp(t, func(oldest bool, after int64) ([]Delivery, error) {
				g := base
				g.Text, g.Oldest, g.After, g.Limit = text, oldest, after, 7
				return NewDeliveryStore().ListDeliveries(ctx, d.Reader(), g)
			}, func(x Delivery) int64 { return x.ID }, 7)
			if !slices.Equal(up, down) {
				t.Fatalf("%q %+v: paging up gave %v, reading every row %v", text, base, up, down)
			}
			if len(up) > 2 {
				g := base
				g.Text, g.After = text, up[1]
				if n, err := NewDeliveryStore().CountDeliveries(ctx, d.Reader(), g); err != nil || n != int64(len(up)-2) {
					t.Errorf("%q %+v: CountDeliveries(After %d) = %d, %v; want %d", text, base, up[1], n, err, len(up)-2)
				}
			}
		}
	}
}
