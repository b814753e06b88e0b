package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/receiver"
	"github.com/hookscope/hookscope/sender"
)

// startAttached opens the database read-mostly beside the process that
// runs its outbox (a serve): no receiver, REST API, sender loop or text
// indexer of its own, and the default endpoints left as they are. Every
// view reads the shared database; the actions still work through it: an
// event raised or a route changed here is written there, where the
// holder sends the event and its receiver picks the route up; a test send
// or retry now runs its attempt from this process. A console attached
// beside no holder says so (sender: none) and sends nothing scheduled.
func startAttached(ctx context.Context, cfg Config) (_ *App, err error) {
	a, err := newApp(cfg)
	if err != nil {
		return nil, err
	}
	cfg = a.Config
	defer func() {
		if err != nil {
			a.abort()
		}
	}()
	if a.DB, err = db.Open(ctx, cfg.DBPath, db.Options{MinFree: cfg.MinFree, Logger: cfg.Logger}); err != nil {
		return nil, err
	}
	a.Requests, a.Routes = db.NewRequestStore(), db.NewRouteStore()
	a.Receiver, err = receiver.New(receiver.Options{
		DB: a.DB, Requests: a.Requests, Routes: a.Routes, Changes: a.Changes, Logger: cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	a.Sender = sender.New(a.DB, sender.Options{Broker: a.Changes, TimeScale: cfg.TimeScale, Logger: cfg.Logger, Kind: cfg.Kind})
	h, err := a.Sender.Holder(ctx)
	if err != nil {
		return nil, err
	}
	if h != nil {
		a.attachedReceiver = h.Receiver
	}
	return a, nil
}

// stopAttached is Shutdown for an attached App: it gives up what the
// sender may have recorded and closes the database.
func (a *App) stopAttached(ctx context.Context) error {
	var errs []error
	a.Sender.Stop()
	for i := len(a.stops) - 1; i >= 0; i-- {
		if err := a.stops[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	a.Changes.Shutdown()
	if err := a.DB.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing the database: %w", err))
	}
	a.downErr = errors.Join(errs...)
	return a.downErr
}

// Attached reports whether the App runs attached (Config.Attach).
func (a *App) Attached() bool { return a.apiServer == nil && a.recvLn == nil }

// OtherHolder opens the database at path and returns the live process
// other than this one that runs its outbox (nil when none does), so that
// a console can attach beside it rather than start a receiver and sender
// of its own.
func OtherHolder(ctx context.Context, path string) (*db.Holder, error) {
	if path == "" {
		var err error
		if path, err = db.DefaultPath(); err != nil {
			return nil, err
		}
	}
	d, err := db.Open(ctx, path, db.Options{})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return sender.New(d, sender.Options{}).OtherHolder(ctx)
}
