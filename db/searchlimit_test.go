package db

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/limits"
)

// A search text past limits.SearchText is refused by every list and export
// as the client's input (a *limits.RangeError, answered 400), before SQLite
// is asked (which refuses a LIKE pattern past 50,000 bytes as "pattern too
// complex"); one exactly at the limit is searched, the index path and the
// row-by-row one alike.
func TestSearchTextLimit(t *testing.T) {
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	rs := NewRequestStore()
	atLimit := strings.Repeat("x", 1023) + "y"
	r := &Request{Method: "POST", Path: "/p", Body: []byte(`{"n":"` + atLimit + `"}`)}
	write(t, d, func(tx Handle) error { return rs.CreateRequest(ctx, tx, r) })
	long := strings.Repeat("a", 100_000)
	var re *limits.RangeError
	if _, err := rs.ListRequests(ctx, d.Reader(), RequestFilter{Text: long}); !errors.As(err, &re) || re.Field != "q" {
		t.Errorf("ListRequests with a 100,000-byte text: %v, want a RangeError on q", err)
	}
	if _, err := NewDeliveryStore().ListDeliveries(ctx, d.Reader(), DeliveryFilter{Text: long}); !errors.As(err, &re) {
		t.Errorf("ListDeliveries with a 100,000-byte text: %v, want a RangeError", err)
	}
	if err := NewRequestStore().EachRequest(ctx, d.Reader(), RequestFilter{Text: long}, Span{}, func(*Request) error { return nil }); !errors.As(err, &re) {
		t.Errorf("EachRequest with a 100,000-byte text: %v, want a RangeError", err)
	}
	if err := NewDeliveryStore().EachDelivery(ctx, d.Reader(), DeliveryFilter{Text: long}, Span{}, func(*Delivery) error { return nil }); !errors.As(err, &re) {
		t.Errorf("EachDelivery with a 100,000-byte text: %v, want a RangeError", err)
	}
	for _, text := range []string{atLimit, strings.Repeat("\xff", 1024)} { // indexed, and read row by row
		page, err := rs.ListRequests(ctx, d.Reader(), RequestFilter{Text: text})
		if want := strings.Count(text, "y"); err != nil || len(page) != want {
			t.Errorf("a 1024-byte text: %d rows, %v; want %d", len(page), err, want)
		}
	}
	if _, err := rs.ListRequests(ctx, d.Reader(), RequestFilter{Text: atLimit + "z"}); !errors.As(err, &re) {
		t.Errorf("a 1025-byte text: %v, want a RangeError", err)
	}
}
