// Package validate checks what a person or a file gives hookscope (an
// endpoint, a route, a list's filter) by one rule wherever it comes in (the
// REST API, the CLI, the console's forms and filters) and wherever it is
// stored (the sender, the receiver).
//
// It guarantees: every number is checked by its range in limits (a
// *limits.RangeError naming the field); every error names the field at
// fault; text a person gives is checked to read the same wherever it is
// shown (no control or format character). It imports no part of hookscope
// that runs (no sender, receiver, API or console), so each of them can use
// it.
package validate

import (
	"fmt"

	"github.com/hookscope/hookscope/sanitize"
)

// FieldError is invalid input, naming the field at fault.
type FieldError struct {
	Field   string
	Problem string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// ClientError marks a FieldError as bad input (httpx.WriteFailure: 400).
func (e *FieldError) ClientError() bool { return true }

// Field is a *FieldError naming field, its problem written by format.
func Field(field, format string, args ...any) error {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// PlainText checks text a person gives (a name, a reason): valid UTF-8 of
// at most max bytes holding no control character (tabs and line feeds
// included), DEL, C1 control or Unicode format character (such as a bidi
// override), so that it reads the same wherever it is shown.
func PlainText(s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("%d bytes; at most %d", len(s), max)
	}
	if !sanitize.IsSafe(s) {
		return fmt.Errorf("%q holds a control or format character (shown as %s)", s, sanitize.Line(s))
	}
	return nil
}
