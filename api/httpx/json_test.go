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
		// A form (what an HTML page can post, and curl -d without -H) is
		// not JSON, whatever it holds.
		{"application/x-www-form-urlencoded", `{"vendor":"holm"}`, `content type "application/x-www-form-urlencoded" is not application/json`},
		{"text/plain", `{"vendor":"holm"}`, `is not application/json`},
		{"application/jsonp", `{"vendor":"holm"}`, `is not application/json`},
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

// A value of the wrong JSON type is named in JSON's terms, never with a Go
// type name.
func TestDecodeJSONWrongTypeSpeaksJSON(t *testing.T) {
	type body struct {
		Name    *string           `json:"name"`
		Events  *[]string         `json:"events"`
		Timeout *int              `json:"timeout_seconds"`
		Headers map[string]string `json:"headers"`
	}
	for payload, want := range map[string]string{
		`{"name": 5}`:                   "field name: expected a string, got a number",
		`{"events": "a"}`:               "field events: expected an array, got a string",
		`{"timeout_seconds": 1.5}`:      "field timeout_seconds: expected a whole number, got a number 1.5",
		`{"headers": []}`:               "field headers: expected an object, got an array",
		`{"timeout_seconds": "thirty"}`: "field timeout_seconds: expected a whole number, got a string",
	} {
		r := httptest.NewRequest("POST", "/api/endpoints", strings.NewReader(payload))
		r.Header.Set("Content-Type", "application/json")
		var got body
		err := DecodeJSON(r, &got)
		if err == nil || err.Error() != want {
			t.Errorf("%s: error %v, want %q", payload, err, want)
		}
	}
}
