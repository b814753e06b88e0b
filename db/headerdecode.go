package db

import "strings"

// decodePlainHeaders decodes a headers column in the common case, without
// reflection: the exact shape appendHeaders and encodeHeaders write,
// [{"name":"…","value":"…"},…], with no escape in any string and no
// base64 field. ok is false for anything else, which decodeHeaders then
// decodes with encoding/json. The Header strings share s's memory.
func decodePlainHeaders(s string) (hs []Header, ok bool) {
	const (
		head = `{"name":"`
		mid  = `","value":"`
		tail = `"}`
	)
	if len(s) < 2 || s[0] != '[' {
		return nil, false
	}
	hs = make([]Header, 0, strings.Count(s, mid))
	rest := s[1:]
	if rest == "]" {
		return hs, true
	}
	for {
		var h Header
		var ok bool
		if rest, ok = strings.CutPrefix(rest, head); !ok {
			return nil, false
		}
		if h.Name, rest, ok = plainString(rest); !ok {
			return nil, false
		}
		if rest, ok = strings.CutPrefix(rest, mid); !ok {
			return nil, false
		}
		if h.Value, rest, ok = plainString(rest); !ok {
			return nil, false
		}
		if rest, ok = strings.CutPrefix(rest, tail); !ok {
			return nil, false
		}
		hs = append(hs, h)
		switch rest {
		case "]":
			return hs, true
		case "":
			return nil, false
		}
		if rest[0] != ',' {
			return nil, false
		}
		rest = rest[1:]
	}
}

// decodePlainStrings decodes a string list column in the common case,
// without reflection: ["…","…"] with no escape in any string and no
// space. ok is false for anything else, which decodeStrings then decodes
// with encoding/json. The strings share s's memory.
func decodePlainStrings(s string) (out []string, ok bool) {
	if len(s) < 2 || s[0] != '[' {
		return nil, false
	}
	out = make([]string, 0, strings.Count(s, `","`)+1)
	rest := s[1:]
	if rest == "]" {
		return out, true
	}
	for {
		if rest == "" || rest[0] != '"' {
			return nil, false
		}
		var v string
		if v, rest, ok = plainString(rest[1:]); !ok {
			return nil, false
		}
		out = append(out, v)
		rest = rest[1:] // the closing quote
		switch {
		case rest == "]":
			return out, true
		case rest == "" || rest[0] != ',':
			return nil, false
		}
		rest = rest[1:]
	}
}

// plainString reads a JSON string's contents up to its closing quote
// (left in rest); ok is false when the string has an escape or a control
// character, or does not end.
func plainString(s string) (str, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[:i], s[i:], true
		case c == '\\' || c < 0x20:
			return "", "", false
		}
	}
	return "", "", false
}
