package check

import (
	"testing"

	"github.com/hookscope/hookscope/fixtures"
)

// Every vendor with scenarios of its own is a registered profile and says
// what they send (check --help lists it from here).
func TestVendorScenariosAreSummarised(t *testing.T) {
	for name, v := range vendorScenarios {
		if _, err := fixtures.Lookup(name); err != nil {
			t.Errorf("vendorScenarios[%q]: %v", name, err)
		}
		if v.build == nil || VendorSummary(name) == "" {
			t.Errorf("vendorScenarios[%q] has no builder or no summary", name)
		}
	}
}
