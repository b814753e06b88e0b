package tui

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/sanitize"
	"github.com/hookscope/hookscope/tui/keys"
)

// fixtureRow is one catalogue entry with its profile.
type fixtureRow struct {
	profile fixtures.Profile
	info    fixtures.EventInfo
}

// fixturesView browses every profile's catalogue (held whole: it is a few
// dozen entries compiled into the binary).
type fixturesView struct {
	rows   []fixtureRow
	cursor int
	offset int
	keys   keys.Fixtures
}

func newFixturesView(profiles []fixtures.Profile) fixturesView {
	v := fixturesView{keys: keys.DefaultFixtures()}
	for _, p := range profiles {
		for _, e := range p.Catalogue() {
			v.rows = append(v.rows, fixtureRow{profile: p, info: e})
		}
	}
	return v
}

func (v *fixturesView) selected() (fixtureRow, bool) {
	if v.cursor < 0 || v.cursor >= len(v.rows) {
		return fixtureRow{}, false
	}
	return v.rows[v.cursor], true
}

func (v *fixturesView) head() string { return fmt.Sprintf("%-18s %s", "vendor", "event") }

func (v *fixturesView) lines(h int) ([]string, int) {
	v.offset = scrollWindow(v.cursor, v.offset, h, len(v.rows))
	end := min(len(v.rows), v.offset+h)
	out := make([]string, 0, end-v.offset)
	for _, f := range v.rows[v.offset:end] {
		mark := ""
		switch {
		case f.info.User:
			mark = " (yours)"
		case f.info.Inferred:
			mark = " (inferred)"
		}
		out = append(out, fmt.Sprintf("%-18s %s%s", sanitize.Line(f.profile.Name()), sanitize.Line(f.info.Type), mark))
	}
	return out, v.cursor - v.offset
}

// renderFixture previews a fixture: what the vendor documents and a
// freshly rendered payload (seeded, so the preview is stable).
func (r renderer) renderFixture(f fixtureRow, now time.Time) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	line(r.st.Section.Render(f.profile.Title()) + "  " + r.safe(f.info.Type))
	if f.info.Name != "" {
		line(r.field("name", r.safe(f.info.Name)))
	}
	if f.info.Group != "" {
		line(r.field("group", r.safe(f.info.Group)))
	}
	line(r.field("auth", string(f.profile.Auth())))
	switch {
	case f.info.User:
		line(r.field("shape", r.st.Info.Render("yours: ")+r.safe(f.info.Path)))
	case f.info.Inferred:
		line(r.field("shape", r.st.Warn.Render("inferred: the vendor only names this event")))
	default:
		line(r.field("shape", r.st.OK.Render("documented by the vendor")))
	}
	if f.info.Note != "" {
		line(r.st.Muted.Render(r.safe(f.info.Note)))
	}
	if len(f.info.Documented) > 0 {
		line(r.section("Documented fields"))
		line(r.safe(strings.Join(f.info.Documented, ", ")))
	}
	line(r.section("Payload preview"))
	payload, err := f.profile.Render(f.info.Type, rand.New(rand.NewPCG(1, 2)), now)
	if err != nil {
		line(r.st.Bad.Render("rendering failed: " + r.safe(err.Error())))
	} else {
		r.body(&b, payload, int64(len(payload)), false)
	}
	line(r.section("Delivery policy"))
	r.policy(&b, f.profile.Policy())
	return strings.TrimRight(b.String(), "\n")
}
