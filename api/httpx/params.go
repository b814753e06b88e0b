package httpx

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// OnlyParams refuses a query holding a parameter not in known, naming the
// ones that are (a misspelt filter must not silently match everything).
func OnlyParams(q url.Values, known ...string) error {
	for k := range q {
		if !slices.Contains(known, k) {
			if len(known) == 0 {
				return fmt.Errorf("unknown parameter %q (this route takes none)", k)
			}
			return fmt.Errorf("unknown parameter %q (known: %s)", k, strings.Join(known, ", "))
		}
	}
	return nil
}
