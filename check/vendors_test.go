package check

import (
	"testing"

	"github.com/hookscope/hookscope/fixtures"
)

// TestEveryVendorScenarioNamesAProfile: each vendor file's scenarios are
// registered under a profile the registry has (a misspelt name cannot leave
// them silently unrun) and say what they send (check --help lists it).
func TestEveryVendorScenarioNamesAProfile(t *testing.T) {
	if len(vendors) == 0 {
		t.Fatal("no vendor registered its scenarios")
	}
	for name, v := range vendors {
		p, err := fixtures.Lookup(name)
		if err != nil || p.Name() != name {
			t.Errorf("scenarios registered for %q, not a profile's name (%v)", name, err)
			continue
		}
		if v.build == nil || VendorSummary(name) == "" {
			t.Errorf("%s: no builder or no summary for check --help", name)
		}
		for ev := range v.dedicated {
			found := false
			for _, e := range p.Catalogue() {
				found = found || e.Type == ev
			}
			if !found {
				t.Errorf("%s: dedicated event %q is not in its catalogue", name, ev)
			}
		}
	}
}
