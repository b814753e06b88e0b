package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/sanitize"
)

// The actions that change something, each asked [y/n] with its target
// named: the keys, the forms and the command line all ask through these.

func (m *Model) askEnable(e db.Endpoint) tea.Cmd {
	return m.ask(fmt.Sprintf("Enable endpoint %s (disabled: %s)? Skipped deliveries stay skipped until S sends them.", sanitize.Line(e.Name), sanitize.Line(orDash(e.DisabledReason))),
		m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.SetEndpointEnabled(ctx, e.ID, true, "") }))
}

func (m *Model) askDisable(e db.Endpoint, reason string) tea.Cmd {
	return m.ask(fmt.Sprintf("Disable %s (%s)? New events for it are then skipped; S sends them after enabling.", sanitize.Line(e.Name), sanitize.Line(reason)),
		m.runAction(func(ctx context.Context, a Actions) (string, error) {
			return a.SetEndpointEnabled(ctx, e.ID, false, reason)
		}))
}

func (m *Model) askSendSkipped(e db.Endpoint) tea.Cmd {
	when := "now"
	if !e.Enabled {
		when = "once it is enabled"
	}
	return m.ask(fmt.Sprintf("Send every delivery of %s skipped while it was disabled (%s)?", sanitize.Line(e.Name), when),
		m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.SendSkipped(ctx, e.ID) }))
}

func (m *Model) askRetryFailed(e db.Endpoint) tea.Cmd {
	return m.ask(fmt.Sprintf("Retry every failed delivery of %s?", sanitize.Line(e.Name)),
		m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.RetryFailed(ctx, e.ID) }))
}

func (m *Model) askRotate(e db.Endpoint) tea.Cmd {
	return m.ask(fmt.Sprintf("Give %s a new secret or token? Its receiver must then be given the new one.", sanitize.Line(e.Name)),
		m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.RotateCredential(ctx, e.ID) }))
}

func (m *Model) askDeleteEndpoint(e db.Endpoint) tea.Cmd {
	return m.ask(fmt.Sprintf("Delete endpoint %s and every delivery to it?", sanitize.Line(e.Name)),
		m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.DeleteEndpoint(ctx, e.ID) }))
}

func (m *Model) askTestSend(e db.Endpoint, event string) tea.Cmd {
	return m.ask(fmt.Sprintf("Send a test %s to %s (%s)?", event, sanitize.Line(e.Name), sanitize.Line(e.URL)),
		m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.TestEndpoint(ctx, e.ID, event) }))
}

func (m *Model) askDeleteRoute(name string) tea.Cmd {
	return m.ask(fmt.Sprintf("Delete route %s? Its requests stay; new ones to it are recorded unverified.", sanitize.Line(name)),
		m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.DeleteRoute(ctx, name) }))
}

func (m *Model) askRouteAnswer(name string, sim db.SimResponse) tea.Cmd {
	return m.ask(fmt.Sprintf("Route %s will answer %s — apply?", sanitize.Line(name), db.DescribeSim(sim)),
		m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.SetRouteResponse(ctx, name, sim) }))
}

// askPrune asks before deleting the history before when (a time as
// db.ParseWhen reads it, or "all").
func (m *Model) askPrune(when string) tea.Cmd {
	var before time.Time
	what := "the whole history"
	if !strings.EqualFold(strings.TrimSpace(when), "all") {
		var err error
		if before, err = db.ParseWhen(when, m.now()); err != nil {
			m.setStatus(statusError, "✗ prune: "+err.Error())
			return nil
		}
		what = "everything recorded before " + before.In(m.r.loc).Format("2006-01-02 15:04:05")
	}
	return m.ask(fmt.Sprintf("Delete %s? It cannot be undone.", what),
		m.runAction(func(ctx context.Context, a Actions) (string, error) { return a.Prune(ctx, before) }))
}
