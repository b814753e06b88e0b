package db

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-sqlite3"

	"github.com/hookscope/hookscope/limits"
)

// This file holds the column codecs every store, the outbox's included,
// shares: times as unix nanoseconds (UTC when read back), headers, lists
// and optional values as JSON text (not HTML-escaped, an encoding error
// returned), bodies as byte-exact BLOBs, and the mapping of driver errors
// to ErrNotFound and ErrConflict.

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// defaultLimit is the page size when a filter leaves Limit at 0.
const defaultLimit = 50

// maxLimit caps a page, whatever the caller asks.
const maxLimit = limits.Page

func pageLimit(n int) int {
	if n <= 0 {
		return defaultLimit
	}
	return min(n, maxLimit)
}

// nanos is t as unix nanoseconds; the zero time is 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNanos is the inverse of nanos, in UTC; 0 is the zero time.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// nullNanos is *t as unix nanoseconds, or NULL when t is nil.
func nullNanos(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

// fromNullNanos is the inverse of nullNanos.
func fromNullNanos(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.Unix(0, n.Int64).UTC()
	return &t
}

// blob is b ready to bind to a NOT NULL BLOB column: the driver binds a
// nil slice as NULL, so nil becomes empty.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// boolInt is b as SQLite's 0/1.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// storedHeader is how one header is kept in a JSON headers column. JSON
// strings cannot carry invalid UTF-8 (encoding/json would replace it with
// U+FFFD), so a name or value that is not valid UTF-8 is kept base64-encoded
// in name_b64 / value_b64 instead, and headers round-trip byte-exact.
type storedHeader struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	NameB64  string `json:"name_b64,omitempty"`
	ValueB64 string `json:"value_b64,omitempty"`
}

// encodeHeaders renders hs, in order, for a JSON headers column.
func encodeHeaders(hs []Header) (string, error) {
	out := make([]storedHeader, len(hs))
	for i, h := range hs {
		s := storedHeader{Name: h.Name, Value: h.Value}
		if !utf8.ValidString(h.Name) {
			s.Name, s.NameB64 = "", base64.StdEncoding.EncodeToString([]byte(h.Name))
		}
		if !utf8.ValidString(h.Value) {
			s.Value, s.ValueB64 = "", base64.StdEncoding.EncodeToString([]byte(h.Value))
		}
		out[i] = s
	}
	return encodeJSON(out)
}

// decodeHeaders is the inverse of encodeHeaders; it never returns nil.
func decodeHeaders(s string) ([]Header, error) {
	if s == "" {
		return []Header{}, nil
	}
	if hs, ok := decodePlainHeaders(s); ok {
		return hs, nil
	}
	var in []storedHeader
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, fmt.Errorf("decoding headers: %w", err)
	}
	out := make([]Header, len(in))
	for i, h := range in {
		out[i] = Header{Name: h.Name, Value: h.Value}
		if h.NameB64 != "" {
			b, err := base64.StdEncoding.DecodeString(h.NameB64)
			if err != nil {
				return nil, fmt.Errorf("decoding header name: %w", err)
			}
			out[i].Name = string(b)
		}
		if h.ValueB64 != "" {
			b, err := base64.StdEncoding.DecodeString(h.ValueB64)
			if err != nil {
				return nil, fmt.Errorf("decoding header value: %w", err)
			}
			out[i].Value = string(b)
		}
	}
	return out, nil
}

// encodeJSON marshals v without HTML escaping (so text search finds what
// was sent) and without the trailing newline.
func encodeJSON(v any) (string, error) {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(sb.String(), "\n"), nil
}

// encodeStrings renders a list for a JSON array column ('[]' for nil).
func encodeStrings(ss []string) (string, error) {
	if ss == nil {
		ss = []string{}
	}
	return encodeJSON(ss)
}

// decodeStrings is the inverse of encodeStrings; it never returns nil.
func decodeStrings(s string) ([]string, error) {
	out := []string{}
	if s == "" {
		return out, nil
	}
	if plain, ok := decodePlainStrings(s); ok {
		return plain, nil
	}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("decoding a list: %w", err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// encodeOptional renders v as JSON, or the empty string when v is nil (for the columns
// whose schema comment says an empty string means absent).
func encodeOptional[T any](v *T) (string, error) {
	if v == nil {
		return "", nil
	}
	return encodeJSON(v)
}

// decodeOptional is the inverse of encodeOptional.
func decodeOptional[T any](s string) (*T, error) {
	if s == "" {
		return nil, nil
	}
	v := new(T)
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return nil, err
	}
	return v, nil
}

// mapErr turns driver errors into the package's sentinel errors and wraps
// them with what was being done: sql.ErrNoRows becomes ErrNotFound, a
// unique-constraint violation ErrConflict, and a foreign-key failure
// ErrNotFound (see refersToGone).
func mapErr(err error, doing string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(doing, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	var se sqlite3.Error
	if errors.As(err, &se) && (se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey) {
		return fmt.Errorf("%s: %w (%v)", what, ErrConflict, err)
	}
	return refersToGone(fmt.Errorf("%s: %w", what, err))
}

// refersToGone marks a foreign-key failure as ErrNotFound: a write that
// refers to a row (an endpoint, a delivery, an event) deleted meanwhile by
// another write. err keeps what was being done; nil and other errors are
// returned as they are.
func refersToGone(err error) error {
	var se sqlite3.Error
	if err == nil || errors.Is(err, ErrNotFound) || !errors.As(err, &se) || se.ExtendedCode != sqlite3.ErrConstraintForeignKey {
		return err
	}
	return fmt.Errorf("%w: a row it refers to was deleted meanwhile: %w", err, ErrNotFound)
}

// mustAffect reports ErrNotFound when an UPDATE or DELETE touched no row.
func mustAffect(res sql.Result, doing string, args ...any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return mapErr(err, doing, args...)
	}
	if n == 0 {
		return mapErr(sql.ErrNoRows, doing, args...)
	}
	return nil
}

// where accumulates the conditions and arguments of a filtered query.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// sql is " WHERE a AND b" or "" when there are no conditions.
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// likeEscaper escapes LIKE's wildcards and its escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// addTextMatch adds "text occurs in one of cols". It is a LIKE '%text%'
// (ASCII letters match either case), measured about twice as fast as
// instr() on ~1 KB bodies, since SQLite's instr calls memcmp at every
// offset. LIKE reads a BLOB as text up to its first NUL byte, so a text
// that itself holds a NUL is matched byte-exact with instr instead.
func addTextMatch(w *where, text string, cols ...string) {
	conds := make([]string, len(cols))
	if strings.IndexByte(text, 0) >= 0 {
		for i, c := range cols {
			conds[i] = "instr(" + c + ", ?) > 0"
			w.args = append(w.args, []byte(text))
		}
	} else {
		pattern := "%" + likeEscaper.Replace(text) + "%"
		for i, c := range cols {
			conds[i] = c + ` LIKE ? ESCAPE '\'`
			w.args = append(w.args, pattern)
		}
	}
	w.conds = append(w.conds, "("+strings.Join(conds, " OR ")+")")
}
