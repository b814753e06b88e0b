package receiver

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/hookscope/hookscope/db"
)

// recorder gathers the requests handlers want recorded and writes each
// gathering in one db.Write: one savepoint for all of them instead of one
// each, and one trip through the committer. The write of a batch runs in
// arrival order, so a duplicate is caught even within one batch. If any
// request of a batch fails to be written, the batch is rolled back and its
// requests are written again one by one, so one bad row fails alone.
type recorder struct {
	rc   *Receiver
	jobs chan *recordJob
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// batches and jobsDone count the batches written and the requests in
	// them (their ratio is the mean batch size).
	batches, jobsDone atomic.Int64
}

type recordJob struct {
	req   *db.Request
	route *db.Route
	pre   *answer
	ans   *answer
	err   error
	done  chan struct{}
}

const maxRecordBatch = 256

func newRecorder(rc *Receiver) *recorder {
	r := &recorder{rc: rc, jobs: make(chan *recordJob, 4*maxRecordBatch), stop: make(chan struct{}), done: make(chan struct{})}
	go r.loop()
	return r
}

// record queues one request and waits until its batch has committed.
func (r *recorder) record(req *db.Request, route *db.Route, pre *answer) (*answer, error) {
	job := &recordJob{req: req, route: route, pre: pre, done: make(chan struct{})}
	select {
	case r.jobs <- job:
	case <-r.done:
		return r.rc.record(req, route, pre) // stopped: write it alone
	}
	<-job.done
	return job.ans, job.err
}

func (r *recorder) loop() {
	defer close(r.done)
	batch := make([]*recordJob, 0, maxRecordBatch)
	for {
		var first *recordJob
		select {
		case first = <-r.jobs:
		case <-r.stop:
			for {
				select {
				case j := <-r.jobs:
					r.write([]*recordJob{j})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxRecordBatch {
			select {
			case j := <-r.jobs:
				batch = append(batch, j)
			default:
				break fill
			}
		}
		r.batches.Add(1)
		r.jobsDone.Add(int64(len(batch)))
		r.write(batch)
	}
}

// write records a batch in one transaction and wakes its handlers.
func (r *recorder) write(batch []*recordJob) {
	ctx := context.Background()
	err := r.rc.db.Write(ctx, func(tx db.Handle) error {
		for _, j := range batch {
			ans, err := r.rc.decideAndInsert(ctx, tx, j.req, j.route, j.pre)
			if err != nil {
				return err
			}
			j.ans = ans
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		for _, j := range batch {
			j.ans, j.err = r.rc.record(j.req, j.route, j.pre)
			close(j.done)
		}
		return
	}
	for _, j := range batch {
		j.err = err
		close(j.done)
	}
}

// refusedAnswer is the answer to a request that could not be recorded:
// the database's refusal (db.Refused: 503, Retry-After, why), as the REST
// API answers it, or a 500 for an error that is none.
func refusedAnswer(err error) *answer {
	r, ok := db.Refused(err)
	if !ok {
		return errorAnswer(http.StatusInternalServerError, "hookscope could not record this request: "+err.Error())
	}
	a := errorAnswer(r.Status, "hookscope could not record this request: "+r.Message(err))
	a.headers = append(a.headers, db.Header{Name: "Retry-After", Value: r.RetryAfterHeader()})
	return a
}

// close writes what is queued and stops.
func (r *recorder) close() {
	r.once.Do(func() { close(r.stop) })
	<-r.done
}
