package limits

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// RangeError is a number outside its field's range, or text that is not a
// number of the field's kind. It is bad input: ClientError reports true, so
// the API answers it 400.
type RangeError struct {
	Field string // the field or flag, as the user wrote it: "retry.max_attempts"
	Got   string // the value as given
	Range string // "0..100", with its unit
	NaN   bool   // the text was not a number of the field's kind
}

func (e *RangeError) Error() string {
	if e.NaN {
		return fmt.Sprintf("%s: %q is not a number in %s", e.Field, e.Got, e.Range)
	}
	return fmt.Sprintf("%s: %s is outside %s", e.Field, e.Got, e.Range)
}

// ClientError marks a RangeError as the client's input (httpx.WriteFailure: 400).
func (e *RangeError) ClientError() bool { return true }

// Int is an integer field's range, both ends included.
type Int struct {
	Field    string
	Min, Max int64
	Unit     string // "ms", "bytes", "s", or "" for a plain count
}

// Range is the range as it is written in errors and help: "0..600000 ms".
func (r Int) Range() string {
	s := strconv.FormatInt(r.Min, 10) + ".." + strconv.FormatInt(r.Max, 10)
	if r.Unit != "" {
		s += " " + r.Unit
	}
	return s
}

// Check answers a *RangeError when v is outside the range.
func (r Int) Check(v int64) error {
	if v < r.Min || v > r.Max {
		return &RangeError{Field: r.Field, Got: strconv.FormatInt(v, 10), Range: r.Range()}
	}
	return nil
}

// Parse reads a decimal integer and checks it; text that is no integer or
// overflows int64 is a *RangeError too.
func (r Int) Parse(s string) (int64, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, &RangeError{Field: r.Field, Got: s, Range: r.Range()}
		}
		return 0, &RangeError{Field: r.Field, Got: s, Range: r.Range(), NaN: true}
	}
	return v, r.Check(v)
}

// Clamp brings v into the range (for a stored value already reported).
func (r Int) Clamp(v int64) int64 { return min(max(v, r.Min), r.Max) }

// Float is a real field's range, both ends included. NaN and the
// infinities are outside every range.
type Float struct {
	Field    string
	Min, Max float64
	Unit     string
}

// Range is the range as it is written in errors and help.
func (r Float) Range() string {
	s := strconv.FormatFloat(r.Min, 'g', -1, 64) + ".." + strconv.FormatFloat(r.Max, 'g', -1, 64)
	if r.Unit != "" {
		s += " " + r.Unit
	}
	return s
}

// Check answers a *RangeError when v is NaN, infinite or outside the range.
func (r Float) Check(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < r.Min || v > r.Max {
		return &RangeError{Field: r.Field, Got: strconv.FormatFloat(v, 'g', -1, 64), Range: r.Range()}
	}
	return nil
}

// Parse reads a decimal number and checks it.
func (r Float) Parse(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, &RangeError{Field: r.Field, Got: s, Range: r.Range(), NaN: true}
	}
	if err != nil {
		return 0, &RangeError{Field: r.Field, Got: s, Range: r.Range()}
	}
	return v, r.Check(v)
}

// Named returns the same range under another field name (a flag's name
// for the CLI, "retry.max_attempts" for the API), so that one range is
// declared once and named as the user typed it.
func (r Int) Named(field string) Int { r.Field = field; return r }

// Named returns the same range under another field name.
func (r Float) Named(field string) Float { r.Field = field; return r }
