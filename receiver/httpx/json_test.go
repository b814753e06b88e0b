package httpx

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDecodeJSONContentTypes(t *testing.T) {
	type body struct {
		Vendor string `json:"vendor"`
	}
	for _, tc := range []struct {
		contentType string
		payload     string
		wantErr     string
	}{
		{"application/json", `{"vendor":"holm"}`, ""},
		{"application/json; charset=utf-8", `{"vendor":"holm"}`, ""},
		{"", `{"vendor":"holm"}`, ""},
		// curl -d without -H declares a form; the body is still JSON.
		{"application/x-www-form-urlencoded", `{"vendor":"holm"}`, ""},
		{"application/x-www-form-urlencoded", `vendor=holm`, "not valid JSON"},
		{"text/xml", `{"vendor":"holm"}`, `content type "text/xml" is not application/json`},
		{"application/json", `{"vendor":"holm","extra":1}`, `unknown field "extra"`},
		{"application/json", `{"vendor":"holm"} {}`, "more than one JSON value"},
		{"application/json", ``, "the body is empty"},
	} {
		r := httptest.NewRequest("POST", "/api/events", strings.NewReader(tc.payload))
		if tc.contentType != "" {
			r.Header.Set("Content-Type", tc.contentType)
		}
		var got body
		err := DecodeJSON(r, &got)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q %q: %v", tc.contentType, tc.payload, err)
		case tc.wantErr == "" && got.Vendor != "holm":
			t.Errorf("%q %q: decoded %+v", tc.contentType, tc.payload, got)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%q %q: error %v, want one containing %q", tc.contentType, tc.payload, err, tc.wantErr)
		}
	}
}
