package check

import (
	"net/http"
	"strings"
	"testing"
)

// SecurityScorecard's 100 KB is the whole answer's: a small body behind a
// 5 MiB header (over what is read at all) or a 150 KB one (read, but over
// the vendor's limit) fails "answer within 100 KB".
func TestOversizedAnswerHeadersFail(t *testing.T) {
	t.Parallel()
	s, _ := openSender(t)
	for _, size := range []int{5 << 20, 150 << 10} {
		rc := newReceiver(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header().Set("X-Padding", strings.Repeat("a", size))
			w.Write([]byte(`{"ok":true}`))
		})
		rep := run(t, s, Config{Vendor: "securityscorecard", URL: rc.URL, Events: []string{firstEvent(t, "securityscorecard")}})
		for _, r := range rep.Results {
			if r.Verdict != Fail || !strings.Contains(r.Reason, "over the vendor's 100 KB limit") {
				t.Errorf("%d-byte header: %s: %s %q", size, r.ID, r.Verdict, r.Reason)
			}
		}
	}
}
