package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/hookscope/hookscope/db"
)

// startPrune asks how much history to delete, then asks again, naming
// what goes, before anything is deleted.
func (m *Model) startPrune() tea.Cmd {
	when := ""
	now := m.now
	f := huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Delete the history recorded before…").
			Description("a duration ago (7d, 24h), a date (2026-11-01), RFC 3339, or all. Requests, finished deliveries and unused events go; deliveries still retrying, endpoints and routes stay.").
			Value(&when).Validate(func(s string) error {
			if strings.TrimSpace(s) == "" {
				return fmt.Errorf("give a time, or all")
			}
			if strings.EqualFold(strings.TrimSpace(s), "all") {
				return nil
			}
			_, err := db.ParseWhen(s, now())
			return err
		}),
	))
	return m.startForm("Prune history", f, func() tea.Cmd { return m.askPrune(when) })
}
