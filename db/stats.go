package db

import "sync/atomic"

// Stats counts what the write path did since Open: evidence of group
// commit (Commits well below Writes under concurrency) and of failures.
type Stats struct {
	// Writes is how many Write functions ran inside a transaction.
	Writes int64
	// FailedWrites is how many of those returned an error and were rolled
	// back to their savepoint (the rest of their transaction committed).
	FailedWrites int64
	// Commits is how many write transactions committed.
	Commits int64
	// FailedTransactions is how many transactions could not begin or
	// commit (every write in them got the error).
	FailedTransactions int64
	// LargestBatch is the most writes one transaction held.
	LargestBatch int64
}

// writeStats are the committer's live counters behind Stats.
type writeStats struct {
	writes, failedWrites, commits, failedTx, largest atomic.Int64
}

// batch records one committed transaction of n writes, failed of them
// rolled back to their savepoints.
func (s *writeStats) batch(n, failed int) {
	s.writes.Add(int64(n))
	s.failedWrites.Add(int64(failed))
	s.commits.Add(1)
	for {
		cur := s.largest.Load()
		if int64(n) <= cur || s.largest.CompareAndSwap(cur, int64(n)) {
			return
		}
	}
}

func (s *writeStats) snapshot() Stats {
	return Stats{
		Writes:             s.writes.Load(),
		FailedWrites:       s.failedWrites.Load(),
		Commits:            s.commits.Load(),
		FailedTransactions: s.failedTx.Load(),
		LargestBatch:       s.largest.Load(),
	}
}

// Stats reports the write path's counters since Open.
func (d *DB) Stats() Stats { return d.commit.stats.snapshot() }
