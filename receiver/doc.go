// Package receiver is hookscope's webhook receiver: it takes requests at
// POST /hooks/{route}, recognises and verifies them with the route's vendor
// profile, answers with the route's simulated response (or the user's own
// service's answer, with --forward-to), and records everything in SQLite.
//
// It guarantees:
//   - every request that reaches a handler is recorded (method, path,
//     query, headers in arrival order, the exact body bytes, remote
//     address, time) together with the answer it got, whatever that
//     answer is: bodies over the limit (413, first part kept, flagged),
//     other methods (405), unreadable bodies, panics in inspection (500);
//   - no answer is written before the request's row has committed, so a
//     request answered 2xx survives a crash; a request that cannot be
//     recorded is never answered 2xx: 503 with Retry-After when the
//     database cannot take it now (below the free-space floor, a full
//     disk: db.Refused, as the REST API answers), 500 otherwise;
//   - one group-committed write per request: the duplicate lookup, the
//     fail-first counter and the insert share it, so two copies of one
//     message arriving together are still told apart;
//   - untrusted bytes are bounded (body limit, header size, timeouts) and
//     stored exactly as they came.
package receiver
