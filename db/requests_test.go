package db

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleRequest() *Request {
	return &Request{
		ReceivedAt: time.Unix(1700000000, 123456789).UTC(),
		Route:      "cyscale",
		Method:     "POST",
		Path:       "/hooks/cyscale",
		Query:      "a=1&a=2",
		Headers: []Header{
			{Name: "Content-Type", Value: "application/json"},
			{Name: "X-Dup", Value: "first"},
			{Name: "x-dup", Value: "second"},
			{Name: "X-Dup", Value: "third <&>"},
			{Name: "X-Latin1", Value: "caf\xe9"}, // obs-text, not UTF-8
		},
		Body:          []byte("{\"a\":\"\xff\xfe\x00\"}\x00tail"),
		BodySize:      19,
		BodyTruncated: true,
		RemoteAddr:    "127.0.0.1:5555",
		JSONValid:     false,
		Vendor:        "cyscale",
		EventTypes:    []string{"alert.new", "compliance"},
		Signature:     Signature{Status: "invalid", Reason: "mismatch"},
		DedupKey:      "k1",
		Duplicate:     true,
		DuplicateOf:   7,
		Stale:         true,
		StaleReason:   "older than 5m",
		ShapeIssues:   []string{"missing field x"},
		Response: Response{
			Status:    503,
			Headers:   []Header{{Name: "Retry-After", Value: "1"}, {Name: "Retry-After", Value: "2"}},
			Body:      []byte("\x00\x01busy\xc3"),
			LatencyMS: 12.5,
			Truncated: true,
		},
		Forward: &Forward{
			URL:       "http://127.0.0.1:9/x",
			Status:    502,
			Headers:   []Header{{Name: "A", Value: "b"}},
			Body:      []byte("\xffbad gateway"),
			LatencyMS: 3.25,
			Error:     "boom",
		},
		Error: "limit exceeded",
	}
}

func TestRequestRoundTrip(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	rs := NewRequestStore()
	in := sampleRequest()
	write(t, d, func(tx Handle) error { return rs.CreateRequest(ctx, tx, in) })
	if in.ID == 0 {
		t.Fatal("CreateRequest did not set the ID")
	}
	got, err := rs.GetRequest(ctx, d.Reader(), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("round trip differs:\n got %+v\nwant %+v", got, in)
	}

	// A list row is the same request without its bodies.
	page, err := rs.ListRequests(ctx, d.Reader(), RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 {
		t.Fatalf("list: %d rows, want 1", len(page))
	}
	want := *in
	want.Body, want.Response.Body = nil, nil
	fw := *in.Forward
	fw.Body = nil
	want.Forward = &fw
	if !reflect.DeepEqual(page[0], want) {
		t.Errorf("list row differs:\n got %+v\nwant %+v", page[0], want)
	}

	if _, err := rs.GetRequest(ctx, d.Reader(), in.ID+100); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetRequest(absent) = %v, want ErrNotFound", err)
	}

	// A repeat that is no duplicate keeps its note out of the error, in
	// the row and in a list.
	rep := sampleRequest()
	rep.Duplicate, rep.DuplicateOf, rep.Error = false, 0, ""
	rep.RepeatOf, rep.RepeatNote = in.ID, "repeats the id of #1 (its signature was invalid), so it is not a duplicate of it"
	write(t, d, func(tx Handle) error { return rs.CreateRequest(ctx, tx, rep) })
	if got, err = rs.GetRequest(ctx, d.Reader(), rep.ID); err != nil || !reflect.DeepEqual(got, rep) {
		t.Errorf("repeat round trip differs (%v):\n got %+v\nwant %+v", err, got, rep)
	}
	if page, err = rs.ListRequests(ctx, d.Reader(), RequestFilter{Limit: 1}); err != nil || len(page) != 1 ||
		page[0].RepeatOf != rep.RepeatOf || page[0].RepeatNote != rep.RepeatNote || page[0].Error != "" {
		t.Errorf("repeat list row (%v): %+v", err, page)
	}
}

func TestRequestMinimalRoundTrip(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	rs := NewRequestStore()
	in := &Request{Method: "GET", Path: "/"}
	write(t, d, func(tx Handle) error { return rs.CreateRequest(ctx, tx, in) })
	got, err := rs.GetRequest(ctx, d.Reader(), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Forward != nil || got.Duplicate || len(got.Body) != 0 || !got.ReceivedAt.IsZero() {
		t.Errorf("minimal request came back as %+v", got)
	}
	if got.Headers == nil || got.EventTypes == nil || got.ShapeIssues == nil {
		t.Errorf("lists should come back empty, not nil: %+v", got)
	}
	// A duplicate whose original is unknown stays a duplicate.
	dup := &Request{Method: "POST", Path: "/", Duplicate: true}
	write(t, d, func(tx Handle) error { return rs.CreateRequest(ctx, tx, dup) })
	got, err = rs.GetRequest(ctx, d.Reader(), dup.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Duplicate || got.DuplicateOf != 0 {
		t.Errorf("duplicate without original: Duplicate=%v DuplicateOf=%d", got.Duplicate, got.DuplicateOf)
	}
}

func TestFirstWithDedupKey(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	rs := NewRequestStore()
	var ids []int64
	for i, v := range []struct{ vendor, key, sig string }{
		{"holm", "a", "unverifiable"}, {"holm", "a", "valid"}, {"holm", "b", "valid"}, {"cyscale", "a", "invalid"},
		{"holm", "", "valid"}, {"cyscale", "a", "missing"}, {"cyscale", "a", "valid"}, {"cyscale", "a", "valid"},
	} {
		r := &Request{Method: "POST", Path: fmt.Sprint("/", i), Vendor: v.vendor, DedupKey: v.key, Signature: Signature{Status: v.sig}}
		write(t, d, func(tx Handle) error { return rs.CreateRequest(ctx, tx, r) })
		ids = append(ids, r.ID)
	}
	for _, c := range []struct {
		vendor, key string
		validOnly   bool
		want        DedupOrigin
	}{
		{"holm", "a", false, DedupOrigin{ids[0], "unverifiable"}},
		{"holm", "a", true, DedupOrigin{ids[1], "valid"}},
		{"holm", "b", false, DedupOrigin{ids[2], "valid"}},
		{"cyscale", "a", false, DedupOrigin{ids[3], "invalid"}},
		{"cyscale", "a", true, DedupOrigin{ids[6], "valid"}},
		{"cyscale", "b", false, DedupOrigin{}},
		{"holm", "", false, DedupOrigin{}},
		{"holm", "", true, DedupOrigin{}},
	} {
		got, err := rs.FirstWithDedupKey(ctx, d.Reader(), c.vendor, c.key, c.validOnly)
		if err != nil || got != c.want {
			t.Errorf("FirstWithDedupKey(%q, %q, validOnly %v) = %+v, %v; want %+v", c.vendor, c.key, c.validOnly, got, err, c.want)
		}
	}
}

// seedPaging writes n requests with varied vendor, route, status,
// signature and body text, returning them by id.
func seedPaging(t *testing.T, d *DB, n int) map[int64]*Request {
	t.Helper()
	ctx := context.Background()
	rs := NewRequestStore()
	vendors := []string{"cyscale", "securityscorecard", "policycortex", "holm", "codescoring"}
	statuses := []int{200, 201, 204, 400, 404, 500, 503}
	sigs := []string{"valid", "invalid", "missing", "unverifiable"}
	all := make(map[int64]*Request, n)
	const chunk = 500
	for start := 0; start < n; start += chunk {
		write(t, d, func(tx Handle) error {
			for i := start; i < min(start+chunk, n); i++ {
				r := &Request{
					ReceivedAt: time.Unix(0, int64(i)*1e6),
					Route:      fmt.Sprint("route", i%3),
					Method:     "POST",
					Path:       "/hooks/x",
					Vendor:     vendors[i%len(vendors)],
					Signature:  Signature{Status: sigs[i%len(sigs)]},
					Response:   Response{Status: statuses[i%len(statuses)]},
					Body:       fmt.Appendf(nil, `{"n":%d,"tag":"%s"}`, i, map[bool]string{true: "needle", false: "hay"}[i%11 == 0]),
				}
				if i%13 == 0 {
					r.Headers = []Header{{Name: "X-Trace", Value: "needle"}}
				}
				if err := rs.CreateRequest(ctx, tx, r); err != nil {
					return err
				}
				all[r.ID] = r
			}
			return nil
		})
	}
	return all
}

func TestListRequestsKeysetPaging(t *testing.T) {
	t.Parallel()
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	rs := NewRequestStore()
	all := seedPaging(t, d, 3000)

	match := matchRequest // RequestFilter's meaning, read off one stored request
	filters := []RequestFilter{
		{},
		{Vendor: "holm"},
		{Route: "route2"},
		{Status: "503"},
		{Status: "2xx"},
		{Status: "4XX"},
		{Status: "5xx"},
		{Signature: "invalid"},
		{Text: "needle"},
		{Vendor: "cyscale", Status: "5xx", Signature: "valid"},
		{Vendor: "policycortex", Text: "needle"},
		{Status: "3xx"},
	}
	for _, f := range filters {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			var want []int64
			for id, r := range all {
				if match(r, f) {
					want = append(want, id)
				}
			}
			seen := map[int64]bool{}
			var got []int64
			f.Limit = 97
			for pages := 0; ; pages++ {
				if pages > 200 {
					t.Fatal("paging does not end")
				}
				page, err := rs.ListRequests(ctx, d.Reader(), f)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page {
					if seen[r.ID] {
						t.Fatalf("id %d returned twice", r.ID)
					}
					seen[r.ID] = true
					if n := len(got); n > 0 && got[n-1] <= r.ID {
						t.Fatalf("not newest first: %d after %d", r.ID, got[n-1])
					}
					if !match(all[r.ID], f) {
						t.Fatalf("id %d does not match the filter", r.ID)
					}
					if r.Body != nil {
						t.Fatalf("list row %d carries its body", r.ID)
					}
					got = append(got, r.ID)
				}
				if len(page) < f.Limit {
					break
				}
				f.Before = page[len(page)-1].ID
			}
			if len(got) != len(want) {
				t.Errorf("paged %d rows, want %d", len(got), len(want))
			}
			f.Before = 0
			n, err := rs.CountRequests(ctx, d.Reader(), f)
			if err != nil || n != int64(len(want)) {
				t.Errorf("CountRequests = %d, %v; want %d", n, err, len(want))
			}
		})
	}

	if _, err := rs.ListRequests(ctx, d.Reader(), RequestFilter{Status: "teapot"}); err == nil {
		t.Error("a malformed status filter was accepted")
	}
}

func TestListRequestsTextFindsBinaryBodies(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	rs := NewRequestStore()
	r := &Request{Method: "POST", Path: "/p", Body: []byte("\xffneedle 100%_done\x00xtail\xfe")}
	write(t, d, func(tx Handle) error { return rs.CreateRequest(ctx, tx, r) })
	other := &Request{Method: "POST", Path: "/q", Body: []byte("100 percent-done")}
	write(t, d, func(tx Handle) error { return rs.CreateRequest(ctx, tx, other) })
	// Case-insensitive for ASCII, wildcards taken literally, a NUL-bearing
	// text matched byte-exact.
	for _, text := range []string{"needle", "NeEdLe", "100%_d", "\x00xt", "/p"} {
		page, err := rs.ListRequests(ctx, d.Reader(), RequestFilter{Text: text})
		if err != nil || len(page) != 1 {
			t.Errorf("Text %q: %d rows, %v; want 1", text, len(page), err)
		}
	}
	page, err := rs.ListRequests(ctx, d.Reader(), RequestFilter{Text: "%"})
	if err != nil || len(page) != 1 || page[0].ID != r.ID {
		t.Errorf("Text %%: %d rows, %v; want only the body holding a %%", len(page), err)
	}
	page, err = rs.ListRequests(ctx, d.Reader(), RequestFilter{Text: "absent"})
	if err != nil || len(page) != 0 {
		t.Errorf("Text absent: %d rows, %v; want 0", len(page), err)
	}
}

// No list filter makes SQLite sort: every page is an index (or rowid) walk
// in id order that stops at the limit, whatever the table size.
func TestListRequestsPlansNeverSort(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	seedPaging(t, d, 300)
	for _, f := range []RequestFilter{
		{}, {Before: 100}, {Vendor: "holm"}, {Route: "route1", Before: 50}, {Status: "500"},
		{Status: "2xx"}, {Status: "5xx", Before: 200}, {Signature: "valid"}, {Text: "needle"},
		{Vendor: "holm", Status: "4xx", Signature: "invalid", Text: "x"},
		// Upward, from the oldest or a cursor: the same walks the other way.
		{Oldest: true}, {After: 100}, {Vendor: "holm", After: 10}, {Status: "5xx", After: 20},
		{Status: "2xx", Oldest: true}, {Signature: "valid", Text: "needle", After: 5},
	} {
		q, args, err := listRequestsQuery(ctx, d.Reader(), f, 0)
		if err != nil || q == "" {
			t.Fatalf("%+v: %q, %v", f, q, err)
		}
		rows, err := d.Reader().QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, "; ")
		if strings.Contains(joined, "TEMP B-TREE") {
			t.Errorf("%+v sorts: %s", f, joined)
		}
		if f.Status != "" && strings.Contains(f.Status, "x") && !strings.Contains(joined, "MERGE") {
			t.Errorf("%+v does not merge index walks: %s", f, joined)
		}
		t.Logf("%+v: %s", f, joined)
	}
}
