package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// MaxJSONBody bounds a JSON request body read by DecodeJSON.
const MaxJSONBody = 1 << 20

// Error is the body of every JSON error answer.
type Error struct {
	Error string `json:"error"`
}

// WriteJSON answers status with v encoded as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		WriteError(w, http.StatusInternalServerError, "encoding the answer: %v", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// WriteError answers status with {"error": message}.
func WriteError(w http.ResponseWriter, status int, format string, args ...any) {
	b, _ := json.Marshal(Error{Error: fmt.Sprintf(format, args...)})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// DecodeJSON reads r's body (at most MaxJSONBody bytes) into v, refusing
// unknown fields and trailing data. The error is phrased for the client.
// A body sent as application/x-www-form-urlencoded is read as JSON too:
// that is what `curl -d '{...}'` declares when no -H is given.
func DecodeJSON(r *http.Request, v any) error {
	if ct := strings.ToLower(r.Header.Get("Content-Type")); ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return fmt.Errorf("content type %q is not application/json", ct)
	}
	body := http.MaxBytesReader(nil, r.Body, MaxJSONBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describeJSONError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("the body holds more than one JSON value")
	}
	return nil
}

func describeJSONError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("the body is empty; expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the body is truncated JSON")
	case errors.As(err, &syn):
		return fmt.Errorf("the body is not valid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the body"
		}
		return fmt.Errorf("field %s: expected %s, got JSON %s", field, typ.Type, typ.Value)
	case errors.As(err, &big):
		return fmt.Errorf("the body is larger than %d bytes", big.Limit)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return fmt.Errorf("reading the JSON body: %w", err)
}
