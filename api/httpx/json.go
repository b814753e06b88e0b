package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/hookscope/hookscope/limits"
)

// MaxJSONBody bounds a JSON request body read by DecodeJSON.
const MaxJSONBody = limits.APIJSONBody

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
// A body declared as anything but application/json is refused (the API's
// Guard answers 415 for it before any handler runs).
func DecodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !IsJSONType(ct) {
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
		return fmt.Errorf("field %s: expected %s, got %s", field, jsonKind(typ.Type), jsonValueKind(typ.Value))
	case errors.As(err, &big):
		return fmt.Errorf("the body is larger than %d bytes", big.Limit)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return fmt.Errorf("reading the JSON body: %w", err)
}

// jsonKind names what a Go type decodes from, in JSON's terms.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "another type"
}

// jsonValueKind names the JSON value encoding/json reports ("string",
// "number 1.5", "array", ...) with an article.
func jsonValueKind(v string) string {
	switch {
	case v == "array" || v == "object":
		return "an " + v
	case strings.HasPrefix(v, "number"):
		return "a " + v
	case v == "bool":
		return "true or false"
	}
	return "a " + v
}
