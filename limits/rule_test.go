package limits

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestIntCheckAndParse(t *testing.T) {
	r := Int{Field: "delay_ms", Min: 0, Max: 600000, Unit: "ms"}
	for _, ok := range []string{"0", "600000", " 42 "} {
		if _, err := r.Parse(ok); err != nil {
			t.Errorf("Parse(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"-1", "600001", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e3", "x", ""} {
		_, err := r.Parse(bad)
		var re *RangeError
		if !errors.As(err, &re) || !re.ClientError() {
			t.Errorf("Parse(%q) = %v, want a RangeError", bad, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "delay_ms: ") || !strings.Contains(err.Error(), "0..600000 ms") {
			t.Errorf("Parse(%q): %q does not name the field and its range", bad, err)
		}
	}
	if got := r.Clamp(-5); got != 0 {
		t.Errorf("Clamp(-5) = %d", got)
	}
	if got := r.Named("--delay").Check(700000); got == nil || !strings.HasPrefix(got.Error(), "--delay: ") {
		t.Errorf("Named: %v", got)
	}
}

func TestFloatRefusesWhatIsNoNumber(t *testing.T) {
	r := Float{Field: "retry.backoff_multiplier", Min: 1, Max: 10}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e308, 0.5, 10.0001} {
		if r.Check(v) == nil {
			t.Errorf("Check(%g) accepted", v)
		}
	}
	for _, s := range []string{"1e400", "nan", "inf", "abc"} {
		if _, err := r.Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
	if v, err := r.Parse("2.5"); err != nil || v != 2.5 {
		t.Errorf("Parse(2.5) = %v, %v", v, err)
	}
}
