package sanitize

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// assertSafe fails when out could do anything to a terminal but print.
func assertSafe(t *testing.T, in, out string, multiline bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("output of %q is not valid UTF-8: %q", in, out)
	}
	for _, r := range out {
		switch {
		case r == '\n' && multiline:
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
			t.Fatalf("output of %q keeps control %U: %q", in, r, out)
		case r == '\u2028', r == '\u2029', unicode.Is(unicode.Cf, r):
			t.Fatalf("output of %q keeps format character %U: %q", in, r, out)
		}
	}
	if s := ansi.Strip(out); s != out {
		t.Fatalf("output of %q still parses as escape sequences: %q -> %q", in, out, s)
	}
}

func TestLineNeutralisesAttacks(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"clear screen", "a\x1b[2Jb", "a␛[2Jb"},
		{"clear and home", "\x1b[H\x1b[2J\x1b[3J", "␛[H␛[2J␛[3J"},
		{"osc 52 clipboard write (BEL)", "\x1b]52;c;ZXZpbA==\x07", "␛]52;c;ZXZpbA==␇"},
		{"osc 52 clipboard write (ST)", "\x1b]52;c;ZXZpbA==\x1b\\", "␛]52;c;ZXZpbA==␛\\"},
		{"osc 8 hyperlink", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "␛]8;;http://evil␛\\click␛]8;;␛\\"},
		{"cursor moves", "\x1b[10;10H\x1b[5A\x1b7x\x1b8", "␛[10;10H␛[5A␛7x␛8"},
		{"window title", "\x1b]0;pwned\x07", "␛]0;pwned␇"},
		{"8-bit CSI raw byte", "a\x9b2Jb", "a⟨9B⟩2Jb"},
		{"8-bit CSI as UTF-8 (U+009B)", "a\u009b2Jb", "a⟨U+9B⟩2Jb"},
		{"8-bit OSC as UTF-8 (U+009D)", "\u009d52;c;eA==\u009c", "⟨U+9D⟩52;c;eA==⟨U+9C⟩"},
		{"DCS", "\x1bPq#0\x1b\\", "␛Pq#0␛\\"},
		{"NUL and DEL", "a\x00b\x7fc", "a␀b␡c"},
		{"carriage return overwrite", "safe\rEVIL", "safe␍EVIL"},
		{"backspace", "abc\b\b\bxyz", "abc␈␈␈xyz"},
		{"newline and tab on one line", "a\nb\tc", "a␊b␉c"},
		{"bidi override", "txt\u202Egnp.exe", "txt⟨U+202E⟩gnp.exe"},
		{"bidi isolates", "\u2066a\u2069", "⟨U+2066⟩a⟨U+2069⟩"},
		{"zero-width space", "ad\u200bmin", "ad⟨U+200B⟩min"},
		{"line separator", "a\u2028b", "a⟨U+2028⟩b"},
		{"BOM", "\ufeff{}", "⟨U+FEFF⟩{}"},
		{"invalid UTF-8", "ok\xff\xfe", "ok⟨FF⟩⟨FE⟩"},
		{"truncated UTF-8", "é"[:1] + "x", "⟨C3⟩x"},
		{"ordinary unicode kept", "héllo 世界 ✓", "héllo 世界 ✓"},
		{"printable ASCII untouched", `{"a": [1, 2]}`, `{"a": [1, 2]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Line(c.in)
			if got != c.want {
				t.Fatalf("Line(%q) = %q, want %q", c.in, got, c.want)
			}
			assertSafe(t, c.in, got, false)
			if IsSafe(c.in) != (c.in == c.want) {
				t.Fatalf("IsSafe(%q) = %v", c.in, IsSafe(c.in))
			}
		})
	}
}

func TestTextKeepsLinesAndExpandsTabs(t *testing.T) {
	in := "{\n\t\"a\": 1,\r\n\tx\x1b[31m\n}"
	want := "{\n    \"a\": 1,␍\n    x␛[31m\n}"
	got := Text(in)
	if got != want {
		t.Fatalf("Text(%q) = %q, want %q", in, got, want)
	}
	assertSafe(t, in, got, true)
	if got := Text("ab\tc"); got != "ab  c" {
		t.Fatalf("tab stop: got %q", got)
	}
}

func TestMarkerStylesOnlyPlaceholders(t *testing.T) {
	mark := func(s string) string { return "[" + s + "]" }
	got := LineMarked("a\x1b[2Jb\xff", mark)
	if want := "a[␛][2Jb[⟨FF⟩]"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := TextMarked("x\ny", mark); got != "x\ny" {
		t.Fatalf("line feed was marked: %q", got)
	}
	if got := LineMarked("x\x00", nil); got != "x␀" {
		t.Fatalf("nil marker: %q", got)
	}
}

func TestEveryControlCharacterIsVisible(t *testing.T) {
	for r := rune(0); r < 0xa0; r++ {
		if r >= 0x20 && r < 0x7f {
			continue
		}
		in := "<" + string(r) + ">"
		out := Line(in)
		assertSafe(t, in, out, false)
		if out == "<>" || utf8.RuneCountInString(out) < 3 {
			t.Fatalf("%U vanished: %q", r, out)
		}
	}
	for b := 0x80; b <= 0xff; b++ {
		in := "<" + string([]byte{byte(b)}) + ">"
		out := Line(in)
		assertSafe(t, in, out, false)
		if !strings.Contains(out, "⟨") {
			t.Fatalf("byte %#x not shown: %q", b, out)
		}
	}
}

func TestInputIsNotModified(t *testing.T) {
	b := []byte("a\x1b[2J\xff")
	orig := string(b)
	_ = Bytes(b)
	if string(b) != orig {
		t.Fatalf("input changed: %q", b)
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"\x1b[2J", "\x9b31m", "\u009b", "\u202e", "\xff", "a\r\nb\tc", "\x1b]52;c;eA==\x07"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		assertSafe(t, s, Line(s), false)
		assertSafe(t, s, Text(s), true)
	})
}

func BenchmarkTextJSON(b *testing.B) {
	body := strings.Repeat(`{"id": "evt_123", "type": "policy.violated", "data": {"n": 1}}`+"\n", 200)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		_ = Text(body)
	}
}
