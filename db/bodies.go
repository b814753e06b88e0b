package db

import (
	"context"
	"fmt"
)

// BodyPreviewBytes is the most of a request's body (and of its response's
// and forward's) kept in the request's row. A longer body is kept whole in
// request_bodies and its first BodyPreviewBytes bytes in the row, so that
// reading the row (a list page, a detail, any column stored after the
// body) never walks megabytes of it (migration 00017, which moved the
// bodies already stored with the same figure).
const BodyPreviewBytes = 256 << 10

// The bits of requests.outside: which of a request's bodies are out of
// its row.
const (
	outsideBody    = 1
	outsideResp    = 2
	outsideForward = 4
)

// wholeBody is the SQL for the whole of body column col ("body",
// "resp_body" or "forward_body") of the requests row named t ("requests"
// or the query's alias): the row's own value, or, when its bit of
// outside is set, the whole value from request_bodies, read only then.
func wholeBody(t, col string) string {
	bit := map[string]int{"body": outsideBody, "resp_body": outsideResp, "forward_body": outsideForward}[col]
	return fmt.Sprintf(`(CASE WHEN %[1]s.outside & %[2]d = 0 THEN %[1]s.%[3]s
		ELSE (SELECT ob.%[3]s FROM request_bodies ob WHERE ob.request_id = %[1]s.id) END)`, t, bit, col)
}

// storedBodies splits a request's three bodies into what its row holds
// and, when one is longer than BodyPreviewBytes, the outside bits and
// what request_bodies holds (nil for a body kept whole in the row).
type storedBodies struct {
	row     [3][]byte
	outside int
	whole   [3][]byte
}

func splitBodies(body, resp, forward []byte) storedBodies {
	var s storedBodies
	for i, b := range [3][]byte{body, resp, forward} {
		s.row[i] = blob(b)
		if len(b) > BodyPreviewBytes {
			s.row[i], s.whole[i] = b[:BodyPreviewBytes:BodyPreviewBytes], b
			s.outside |= 1 << i
		}
	}
	return s
}

// saveOutside writes the bodies kept out of request id's row, if any.
func (s storedBodies) saveOutside(ctx context.Context, h Handle, id int64) error {
	if s.outside == 0 {
		return nil
	}
	_, err := h.ExecContext(ctx, `INSERT INTO request_bodies (request_id, body, resp_body, forward_body) VALUES (?, ?, ?, ?)`,
		id, orNull(s.whole[0]), orNull(s.whole[1]), orNull(s.whole[2]))
	if err != nil {
		return mapErr(err, "saving request %d's bodies", id)
	}
	return nil
}

// orNull is b, or SQL NULL for a nil b.
func orNull(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}
