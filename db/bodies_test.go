package db

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"
)

// patterned is n bytes that differ along their length (so a cut or a
// shifted copy does not compare equal), ending with tail.
func patterned(n int, tail string) []byte {
	b := make([]byte, 0, n)
	for i := 0; len(b) < n-len(tail); i++ {
		b = fmt.Appendf(b, "%07d,", i)
	}
	return append(b[:n-len(tail)], tail...)
}

// A body over BodyPreviewBytes is kept whole out of its request's row, the
// row holding its first BodyPreviewBytes: every reader that wants the
// whole body (a request, an export, a text search, the text index) gets
// every byte, the preview gets the first ones and the whole length, and
// pruning the request removes its bodies too.
func TestLargeBodiesAreKeptWholeOutOfTheirRow(t *testing.T) {
	t.Parallel()
	d, _ := openTest(t, Options{})
	ctx := context.Background()
	rs := NewRequestStore()
	body := patterned(1<<20+3, "needle-at-the-end")
	resp := patterned(BodyPreviewBytes+1, "")
	big := &Request{Method: "POST", Path: "/hooks/big", ReceivedAt: time.Unix(1_700_000_000, 0), Body: body, BodySize: int64(len(body)),
		Response: Response{Status: 200, Body: resp},
		Forward:  &Forward{URL: "http://127.0.0.1:9/", Status: 202, Body: []byte("fwd")}}
	edge := &Request{Method: "POST", Path: "/hooks/edge", ReceivedAt: time.Unix(1_700_000_001, 0), Body: patterned(BodyPreviewBytes, "end")}
	write(t, d, func(h Handle) error {
		if err := rs.CreateRequest(ctx, h, big); err != nil {
			return err
		}
		return rs.CreateRequest(ctx, h, edge)
	})

	// Stored: the row keeps previews, request_bodies the whole bodies that
	// are longer; a body of exactly BodyPreviewBytes stays in its row.
	var outside, bodyLen, respLen, fwdLen int
	if err := d.Reader().QueryRowContext(ctx, `SELECT outside, length(body), length(resp_body), length(forward_body) FROM requests WHERE id = ?`, big.ID).
		Scan(&outside, &bodyLen, &respLen, &fwdLen); err != nil {
		t.Fatal(err)
	}
	if outside != outsideBody|outsideResp || bodyLen != BodyPreviewBytes || respLen != BodyPreviewBytes || fwdLen != 3 {
		t.Errorf("big row: outside %d, lengths %d/%d/%d; want 3, %d/%d/3", outside, bodyLen, respLen, fwdLen, BodyPreviewBytes, BodyPreviewBytes)
	}
	var n int
	if err := d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM request_bodies WHERE forward_body IS NULL`).Scan(&n); err != nil || n != 1 {
		t.Errorf("request_bodies rows: %d, %v; want the big request's alone, without its short forward body", n, err)
	}

	for _, want := range []*Request{big, edge} {
		got, err := rs.GetRequest(ctx, d.Reader(), want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Body, want.Body) || !bytes.Equal(got.Response.Body, blob(want.Response.Body)) {
			t.Errorf("GetRequest(%s): body %d bytes, response %d; want %d and %d, byte for byte",
				want.Path, len(got.Body), len(got.Response.Body), len(want.Body), len(want.Response.Body))
		}
	}
	got, _ := rs.GetRequest(ctx, d.Reader(), big.ID)
	if got.Forward == nil || string(got.Forward.Body) != "fwd" {
		t.Errorf("forward body: %+v", got.Forward)
	}

	for _, limit := range []int{100, BodyPreviewBytes, BodyPreviewBytes + 5000, 4 << 20} {
		p, err := rs.GetRequestPreview(ctx, d.Reader(), big.ID, limit)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p.Body, body[:min(limit, len(body))]) || !bytes.Equal(p.Response.Body, resp[:min(limit, len(resp))]) {
			t.Errorf("preview of %d: body %d bytes, response %d, not the first bytes", limit, len(p.Body), len(p.Response.Body))
		}
		if p.BodyLen != int64(len(body)) || p.RespBodyLen != int64(len(resp)) || p.ForwardBodyLen != 3 {
			t.Errorf("preview of %d: lengths %d/%d/%d; want %d/%d/3", limit, p.BodyLen, p.RespBodyLen, p.ForwardBodyLen, len(body), len(resp))
		}
		if p.Forward == nil || string(p.Forward.Body) != "fwd" {
			t.Errorf("preview of %d: forward %+v", limit, p.Forward)
		}
	}

	// Found by text past the preview, by the scan and by the text index.
	find := func(stage string) {
		t.Helper()
		list, err := rs.ListRequests(ctx, d.Reader(), RequestFilter{Text: "needle-at-the-end"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != big.ID {
			t.Errorf("%s: text search past the preview found %d requests", stage, len(list))
		}
	}
	find("before indexing")
	if _, err := d.IndexText(ctx); err != nil {
		t.Fatal(err)
	}
	find("indexed")

	var exported [][]byte
	if err := NewRequestStore().EachRequest(ctx, d.Reader(), RequestFilter{}, Span{}, func(r *Request) error {
		exported = append(exported, r.Body)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(exported) != 2 || !bytes.Equal(exported[0], body) || !bytes.Equal(exported[1], edge.Body) {
		t.Errorf("export: %d requests, not their whole bodies", len(exported))
	}

	if _, err := d.Prune(ctx, time.Unix(1_800_000_000, 0)); err != nil {
		t.Fatal(err)
	}
	if err := d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM request_bodies`).Scan(&n); err != nil || n != 0 {
		t.Errorf("request_bodies after pruning every request: %d rows, %v", n, err)
	}
}

// A database from before migration 00017 holds long bodies in their rows.
// Opening it moves each body over BodyPreviewBytes out, leaves the
// others, and every body still reads back whole.
func TestMigrationMovesLongBodiesOutOfTheirRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn, path := migratedTo(t, 16)
	long := patterned(BodyPreviewBytes+10, "tail")
	longResp := patterned(300_000, "resp")
	rows := []struct{ body, resp, forward []byte }{
		{[]byte(`{"small":true}`), []byte(`ok`), []byte{}},
		{long, []byte(`ok`), []byte{}},
		{[]byte(`x`), longResp, long},
		{patterned(BodyPreviewBytes, ""), []byte{}, []byte{}},
	}
	for _, r := range rows {
		if _, err := conn.ExecContext(ctx, `INSERT INTO requests (received_at, method, path, body, resp_body, forward_body, forward)
			VALUES (1, 'POST', '/hooks/x', ?, ?, ?, ?)`, r.body, r.resp, r.forward, map[bool]string{true: `{"url":"http://127.0.0.1:9/"}`}[len(r.forward) > 0]); err != nil {
			t.Fatal(err)
		}
	}
	d := openMigrated(t, conn, path)
	defer d.Close()
	wantOutside := []int{0, outsideBody, outsideResp | outsideForward, 0}
	for i, r := range rows {
		id := int64(i + 1)
		var outside int
		if err := d.Reader().QueryRowContext(ctx, `SELECT outside FROM requests WHERE id = ?`, id).Scan(&outside); err != nil {
			t.Fatal(err)
		}
		if outside != wantOutside[i] {
			t.Errorf("request %d: outside %d, want %d", id, outside, wantOutside[i])
		}
		got, err := NewRequestStore().GetRequest(ctx, d.Reader(), id)
		if err != nil {
			t.Fatal(err)
		}
		var fwd []byte
		if got.Forward != nil {
			fwd = got.Forward.Body
		}
		if !bytes.Equal(got.Body, r.body) || !bytes.Equal(got.Response.Body, r.resp) || (len(r.forward) > 0 && !bytes.Equal(fwd, r.forward)) {
			t.Errorf("request %d: bodies of %d/%d/%d bytes read back as %d/%d/%d", id,
				len(r.body), len(r.resp), len(r.forward), len(got.Body), len(got.Response.Body), len(fwd))
		}
	}
	list, err := NewRequestStore().ListRequests(ctx, d.Reader(), RequestFilter{Text: "tail"})
	if err != nil || len(list) != 1 || list[0].ID != 2 {
		t.Errorf("text past a moved body's preview: found %d requests, %v; want request 2", len(list), err)
	}
	d.Close()

	// Down puts every body back whole in its row.
	conn = migratedDownTo(t, path, 16)
	for i, r := range rows {
		var body, resp, fwd []byte
		if err := conn.QueryRowContext(ctx, `SELECT body, resp_body, forward_body FROM requests WHERE id = ?`, i+1).Scan(&body, &resp, &fwd); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(body, r.body) || !bytes.Equal(resp, r.resp) || !bytes.Equal(fwd, r.forward) {
			t.Errorf("after Down, request %d holds %d/%d/%d bytes of bodies of %d/%d/%d", i+1,
				len(body), len(resp), len(fwd), len(r.body), len(r.resp), len(r.forward))
		}
	}
}
