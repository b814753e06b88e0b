package sanitize

import (
	"encoding/json"
	"testing"
)

// Escaped JSON decodes to the same values and carries no character a
// terminal acts on; JSON that needs nothing is returned as it is.
func TestEscapeJSON(t *testing.T) {
	in := map[string]string{"a": "bidi \u202e, DEL \x7f, C1 \u0085, isolate \u2066, café, emoji \U0001F600, tag \U000E0041"}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range [][]byte{EscapeJSON(raw), AppendEscapeJSON([]byte("x"), raw)[1:]} {
		var back map[string]string
		if err := json.Unmarshal(out, &back); err != nil || back["a"] != in["a"] {
			t.Fatalf("%s decodes to %q (%v)", out, back["a"], err)
		}
		if !IsSafe(string(out)) {
			t.Fatalf("unsafe output %q", out)
		}
	}
	plain := []byte(`{"a":"café"}`)
	if out := EscapeJSON(plain); &out[0] != &plain[0] {
		t.Fatal("plain JSON copied")
	}
}
