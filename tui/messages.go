package tui

import (
	"time"

	"github.com/hookscope/hookscope/db"
)

// ChangedMsg tells the console that rows changed (in this process or in
// another sharing the database); the open lists and the header reload.
type ChangedMsg struct {
	Kinds map[string]bool // db.Change* kinds; nil means "anything"
}

// tickMsg drives the countdowns and the clock in the header.
type tickMsg time.Time

// statsMsg carries the header's counts.
type statsMsg struct {
	stats Stats
	err   error
}

// requestsPageMsg is a page of the Inbox.
type requestsPageMsg struct {
	seq  int
	rows []db.Request
	err  error
}

// deliveriesPageMsg is a page of the Deliveries view.
type deliveriesPageMsg struct {
	seq  int
	rows []db.Delivery
	err  error
}

// endpointsMsg is the whole Endpoints list.
type endpointsMsg struct {
	rows []db.Endpoint
	err  error
}

// routesMsg is the receiver's routes.
type routesMsg struct {
	rows []db.Route
	err  error
}

// detailMsg carries a rendered detail pane for the row it was asked for.
type detailMsg struct {
	view    viewID
	id      int64
	content string
	// delivery is set for a delivery detail (the countdown needs it).
	delivery *DeliveryDetail
	err      error
	// anchor, when set, is text on the line the detail scrolls to (the
	// attempt [ and ] moved to).
	anchor string
}

// actionDoneMsg reports an action's outcome for the status line
// (gh-dash's TaskFinishedMsg).
type actionDoneMsg struct {
	text string
	err  error
}
