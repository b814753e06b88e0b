package receiver

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/validate"
)

// routeCache keeps the routes in memory so that the hot path reads no row
// for them. A copy is trusted for ttl, then reloaded, so that a change made
// by another process (`hookscope routes set` beside a running serve) takes
// effect within ttl; changes made through the receiver take effect at once.
type routeCache struct {
	d     *db.DB
	store db.RouteStore
	ttl   time.Duration
	log   *slog.Logger

	snap atomic.Pointer[routeSnapshot]
	mu   sync.Mutex // one reload at a time
}

type routeSnapshot struct {
	routes map[string]*db.Route
	at     time.Time
}

func newRouteCache(d *db.DB, store db.RouteStore, ttl time.Duration, log *slog.Logger) *routeCache {
	return &routeCache{d: d, store: store, ttl: ttl, log: log}
}

// get returns the route named name, or nil when there is none.
func (c *routeCache) get(name string) *db.Route {
	s := c.snap.Load()
	if s == nil || time.Since(s.at) > c.ttl {
		s = c.reload()
	}
	return s.routes[name]
}

func (c *routeCache) reload() *routeSnapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.snap.Load(); s != nil && time.Since(s.at) <= c.ttl {
		return s
	}
	routes, err := c.store.ListRoutes(context.Background(), c.d.Reader())
	if err != nil {
		c.log.Error("loading the receiver's routes; keeping the previous copy", "err", err)
		old := c.snap.Load()
		s := &routeSnapshot{routes: map[string]*db.Route{}, at: time.Now()}
		if old != nil {
			s.routes = old.routes
		}
		c.snap.Store(s)
		return s
	}
	s := &routeSnapshot{routes: make(map[string]*db.Route, len(routes)), at: time.Now()}
	for i := range routes {
		s.routes[routes[i].Name] = &routes[i]
	}
	c.snap.Store(s)
	return s
}

// invalidate makes the next get reload.
func (c *routeCache) invalidate() { c.snap.Store(nil) }

// DefaultRouteNames are the routes that exist out of the box: one per
// profile, named after it.
func DefaultRouteNames() []string { return fixtures.Names() }

// EnsureDefaultRoutes creates, for every profile, a route named after it
// with freshly generated credentials, unless one by that name exists (an
// existing route, its secret included, is never changed). It returns the
// names it created.
func EnsureDefaultRoutes(ctx context.Context, d *db.DB, store db.RouteStore) ([]string, error) {
	var created []string
	err := d.Write(ctx, func(tx db.Handle) error {
		created = created[:0]
		now := time.Now()
		for _, p := range fixtures.All() {
			_, err := store.GetRoute(ctx, tx, p.Name())
			if err == nil {
				continue
			}
			if !errors.Is(err, db.ErrNotFound) {
				return fmt.Errorf("reading route %s: %w", p.Name(), err)
			}
			creds := fixtures.NewCredentials(p, rand.Reader)
			r := &db.Route{Name: p.Name(), Profile: p.Name(), Secret: creds.Secret, Token: creds.Token, Header: creds.Header, CreatedAt: now, UpdatedAt: now}
			if err := store.PutRoute(ctx, tx, r); err != nil {
				return fmt.Errorf("creating route %s: %w", p.Name(), err)
			}
			created = append(created, p.Name())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("creating the default routes: %w", err)
	}
	return created, nil
}

// PutRoute validates and stores a route (creating or replacing it, its
// fail-first counter restarted), and makes the receiver use it at once.
func (rc *Receiver) PutRoute(ctx context.Context, r *db.Route) error {
	if err := validate.Route(r); err != nil {
		return err
	}
	now := rc.opts.Now()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	r.UpdatedAt = now
	r.Counters = db.RouteCounters{}
	if err := rc.db.Write(ctx, func(tx db.Handle) error { return rc.opts.Routes.PutRoute(ctx, tx, r) }); err != nil {
		return fmt.Errorf("saving route %s: %w", r.Name, err)
	}
	rc.routes.invalidate()
	rc.opts.Changes.Publish(db.Change{Kind: db.ChangeRoute, Name: r.Name})
	return nil
}

// DeleteRoute removes a route: requests to it are then answered as to an
// unknown route. Its recorded requests stay.
func (rc *Receiver) DeleteRoute(ctx context.Context, name string) error {
	if err := rc.db.Write(ctx, func(tx db.Handle) error { return rc.opts.Routes.DeleteRoute(ctx, tx, name) }); err != nil {
		return fmt.Errorf("deleting route %s: %w", name, err)
	}
	rc.routes.invalidate()
	rc.opts.Changes.Publish(db.Change{Kind: db.ChangeRoute, Name: name})
	return nil
}
