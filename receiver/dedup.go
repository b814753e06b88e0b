package receiver

import (
	"context"
	"hash/maphash"
	"log/slog"
	"sync"

	"github.com/hookscope/hookscope/db"
)

// dedupFilter spares the write transaction the duplicate lookup for a
// request whose (vendor, dedup key) was never seen: it holds a 64-bit
// hash of the pair for every keyed request up to the row id known. A hash
// it lacks means "no earlier copy" with certainty; a hash it holds (a
// repeat, or a collision) is settled by the exact SQLite lookup, which
// also decides whether a repeat is a duplicate (judgeRepeat: only a
// repeat of a genuine request is). The filter holds every keyed request,
// genuine or not, so that a repeat of a forgery is noted too.
//
// It describes the table only up to known: at the start of every batch
// (inside the write transaction) it reads max(id) and folds in the keys
// of the rows after known, whoever wrote them: this process's other
// writers, another process on the same file. known moves past the rows a
// batch inserted only once that batch has committed. Until the keys
// already in the file have been loaded (in the background, from New), and
// whenever max(id) goes backwards (rows deleted), every lookup goes to
// SQLite.
type dedupFilter struct {
	seed    maphash.Seed
	db      *db.DB
	log     *slog.Logger
	ctx     context.Context // ends at Shutdown, stopping a load
	loading sync.WaitGroup

	mu    sync.Mutex
	set   map[uint64]struct{}
	known int64 // every keyed row with id <= known is in set (when ready)
	ready bool
	gen   int // bumped by reset, so that a stale load is dropped
}

type dedupPair struct{ vendor, key string }

func newDedupFilter(ctx context.Context, d *db.DB, log *slog.Logger) *dedupFilter {
	f := &dedupFilter{seed: maphash.MakeSeed(), db: d, log: log, ctx: ctx, set: make(map[uint64]struct{})}
	f.startLoad()
	return f
}

func (f *dedupFilter) hash(vendor, key string) uint64 {
	return maphash.Comparable(f.seed, dedupPair{vendor, key})
}

// startLoad reads the keys already in the file, in the background. Call
// with f.mu held or before f is shared.
func (f *dedupFilter) startLoad() {
	gen := f.gen
	f.loading.Add(1)
	go func() {
		defer f.loading.Done()
		if err := f.load(gen); err != nil && f.ctx.Err() == nil {
			f.log.Warn("loading the duplicate filter failed; duplicates are looked up in the database", "err", err)
		}
	}()
}

func (f *dedupFilter) load(gen int) error {
	// One read transaction: max(id) and the keys up to it from the same
	// snapshot.
	tx, err := f.db.Reader().BeginTx(f.ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	upTo, err := db.MaxRequestID(f.ctx, tx)
	if err != nil {
		return err
	}
	set := make(map[uint64]struct{})
	if err := db.EachDedupKey(f.ctx, tx, 0, upTo, func(_ int64, vendor, key string) {
		set[f.hash(vendor, key)] = struct{}{}
	}); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gen != gen {
		return nil
	}
	for h := range f.set {
		set[h] = struct{}{}
	}
	f.set, f.known, f.ready = set, max(f.known, upTo), true
	return nil
}

// waitLoaded waits for a load in progress (tests).
func (f *dedupFilter) waitLoaded() { f.loading.Wait() }

// dedupBatch is the filter's view within one write transaction.
type dedupBatch struct {
	f   *dedupFilter
	gen int
	// last is the id up to which every keyed row is in the set once this
	// transaction commits: max(id) at its start, then each id it inserted
	// right after.
	last int64
}

// begin brings the filter up to date with the table, inside the write
// transaction tx. It returns nil when the filter cannot be used for this
// batch (not loaded yet, or the table read failed): then every lookup goes
// to SQLite.
func (f *dedupFilter) begin(ctx context.Context, tx db.Handle) *dedupBatch {
	f.mu.Lock()
	ready, known, gen := f.ready, f.known, f.gen
	f.mu.Unlock()
	if !ready {
		return nil
	}
	top, err := db.MaxRequestID(ctx, tx)
	if err != nil {
		return nil
	}
	if top < known {
		// Rows were deleted: ids may be reused, and the filter can no
		// longer tell what it has seen from what it has not. Start over.
		f.reset()
		return nil
	}
	if top > known {
		var newer []uint64
		if err := db.EachDedupKey(ctx, tx, known, top, func(_ int64, vendor, key string) {
			newer = append(newer, f.hash(vendor, key))
		}); err != nil {
			return nil
		}
		f.mu.Lock()
		for _, h := range newer {
			f.set[h] = struct{}{}
		}
		f.mu.Unlock()
	}
	return &dedupBatch{f: f, gen: gen, last: top}
}

func (f *dedupFilter) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.ready {
		return
	}
	f.gen++
	f.set, f.known, f.ready = make(map[uint64]struct{}), 0, false
	f.startLoad()
}

// mayHave is false when no request of vendor with key was seen.
func (b *dedupBatch) mayHave(vendor, key string) bool {
	h := b.f.hash(vendor, key)
	b.f.mu.Lock()
	_, ok := b.f.set[h]
	b.f.mu.Unlock()
	return ok
}

// inserted notes a row the batch wrote.
func (b *dedupBatch) inserted(id int64, vendor, key string) {
	if key != "" {
		h := b.f.hash(vendor, key)
		b.f.mu.Lock()
		b.f.set[h] = struct{}{}
		b.f.mu.Unlock()
	}
	if id == b.last+1 {
		b.last = id
	}
}

// committed is called once the batch's transaction has committed.
func (b *dedupBatch) committed() {
	b.f.mu.Lock()
	if b.f.ready && b.f.gen == b.gen {
		b.f.known = max(b.f.known, b.last)
	}
	b.f.mu.Unlock()
}
