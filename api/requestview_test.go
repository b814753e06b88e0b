package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
)

// What the API and --json print never carries a token in full; the row
// itself keeps the exact bytes.
func TestRequestViewMasksCredentialHeaders(t *testing.T) {
	const token = "cs-token-0123456789abcdef"
	r := &db.Request{
		ID: 1, Method: "POST", Path: "/hooks/codescoring",
		Headers: []db.Header{
			{Name: "X-CodeScoring-Authentication", Value: token},
			{Name: "Authorization", Value: "Bearer " + token},
			{Name: "Content-Type", Value: "application/json"},
		},
		Forward: &db.Forward{URL: "http://127.0.0.1:1/", Headers: []db.Header{{Name: "Authorization", Value: "Bearer " + token}}},
	}
	b, err := json.Marshal(NewRequestView(r, true))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), token) {
		t.Errorf("the view prints the token in full: %s", b)
	}
	for _, want := range []string{fixtures.MaskSecret(token), "Bearer " + fixtures.MaskSecret(token), "application/json"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the view lacks %q: %s", want, b)
		}
	}
	if r.Headers[0].Value != token {
		t.Errorf("making the view changed the stored header: %q", r.Headers[0].Value)
	}
}

// A body that is not valid UTF-8 is shown as body_base64, never as text.
func TestRequestViewBodyBase64(t *testing.T) {
	r := &db.Request{ID: 1, Body: []byte("{\"a\":\"\xff\xfe\xc3\x28\"}"), Forward: &db.Forward{Body: []byte("\xff")}}
	v := NewRequestView(r, true)
	if v.Body != nil || v.BodyBase64 == nil || v.Forward.Body != nil || v.Forward.BodyBase64 == nil {
		t.Errorf("a non-UTF-8 body must be shown as body_base64: %+v", v)
	}
	if v := NewRequestView(&db.Request{Body: []byte(`{}`)}, true); v.Body == nil || *v.Body != `{}` || v.BodyBase64 != nil {
		t.Errorf("a UTF-8 body is shown as text: %+v", v)
	}
}

// shape_checked is true exactly when the request's body was checked
// against its vendor's shape, with shape_note saying why when it was not.
func TestRequestViewShapeChecked(t *testing.T) {
	for _, r := range []*db.Request{
		{Vendor: "holm", BodyTruncated: true},
		{Vendor: ""},
		{Vendor: fixtures.Unknown},
	} {
		if v := NewRequestView(r, false); v.ShapeChecked || v.ShapeNote == "" || v.ShapeNote != r.ShapeNotChecked() {
			t.Errorf("%+v: shape_checked %v, note %q", r, v.ShapeChecked, v.ShapeNote)
		}
	}
	if v := NewRequestView(&db.Request{Vendor: "policycortex"}, false); !v.ShapeChecked || v.ShapeNote != "" {
		t.Errorf("a whole body of a known vendor: shape_checked %v, note %q", v.ShapeChecked, v.ShapeNote)
	}
}
