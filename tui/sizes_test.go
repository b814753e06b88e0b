package tui

import (
	"context"
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/hookscope/hookscope/db"
)

// TestViewsAtEverySize keeps a golden frame of every view at the sizes
// people use (80×24, 120×40, 200×50), over one history: requests (a
// hostile one among them), a retrying CodeScoring batch, endpoints (one
// disabled) and the fixtures. Each frame is exactly the terminal's size and
// holds no control character.
func TestViewsAtEverySize(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	seedInbox(t, d, 30)
	seedRequest(t, d, 31, hostileBody)
	ep := seedEndpoint(t, d, "cs-prod", "codescoring", true)
	seedEndpoint(t, d, "pc-staging", "policycortex", false)
	seedDelivery(t, d, ep, 2, nil)
	seedRoutes(t, d)
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 50}} {
		for i, view := range []string{"inbox", "deliveries", "endpoints", "fixtures", "routes"} {
			t.Run(fmt.Sprintf("%s_%dx%d", view, size[0], size[1]), func(t *testing.T) {
				m := newTestModel(t, d, size[0], size[1])
				press(t, m, fmt.Sprint(i+1))
				assertSize(t, m, size[0], size[1])
				assertScreenSafe(t, m)
				golden.RequireEqual(t, screen(m))
			})
		}
	}
}

// TestHugeRequestDetailGolden: the detail of a request with a 10 MB
// one-line body, a 1 MB header value and a 100 KB path, at 120×40, the
// cut lines marked.
func TestHugeRequestDetailGolden(t *testing.T) {
	t.Parallel()
	d := openDB(t)
	seedHuge(t, d, 1)
	m := newTestModel(t, d, 120, 40)
	assertSize(t, m, 120, 40)
	assertScreenSafe(t, m)
	golden.RequireEqual(t, screen(m))
}

// seedRoutes stores the default routes and one that fails, signed.
func seedRoutes(t *testing.T, d *db.DB) {
	t.Helper()
	rs := db.NewRouteStore()
	write(t, d, func(tx db.Handle) error {
		for _, name := range []string{"policycortex", "codescoring", "holm"} {
			if err := rs.PutRoute(context.Background(), tx, &db.Route{Name: name, Profile: name, CreatedAt: t0, UpdatedAt: t0}); err != nil {
				return err
			}
		}
		return rs.PutRoute(context.Background(), tx, &db.Route{Name: "flaky-pc", Profile: "policycortex", Secret: "whsec-0123456789abcdef",
			Response: db.SimResponse{FailFirst: 3, FailStatus: 503, DelayMS: 250, Body: `{"ok":false}`,
				Headers: []db.Header{{Name: "Retry-After", Value: "5"}}}, CreatedAt: t0, UpdatedAt: t0})
	})
}
