// Package sender is hookscope's vendor-faithful sender: it plays a vendor
// (a fixtures.Profile) towards the endpoints a user configures.
//
// It guarantees:
//   - Durability: every event, delivery and due time lives in SQLite (the
//     db.OutboxStore) before anything is sent; workers claim due deliveries
//     under a lease, so two workers or two processes sharing the file never
//     run the same attempt at once, and after a restart (SIGKILL included)
//     every pending delivery and scheduled retry runs at its due time. A
//     claim names its process (db.Owner): a delivery in flight when its
//     process died runs again at its due time once a sender of the same
//     host finds that process gone, or, where it cannot tell (another
//     host, a reused pid), once its lease (Options.Lease) expires:
//     delivery is at-least-once. A load run's deliveries are its own: no
//     other process sends them; they are cancelled if the run stops first.
//   - Ad-hoc targets: a send or replay to a URL (SendTo, ReplayTo, Load)
//     records its target as an ad-hoc endpoint of its own, never listed
//     among the user's endpoints and never fanned out to.
//   - Fidelity: each attempt is framed by the endpoint's profile (envelope,
//     headers, signature), sent with the profile's timeout, without following
//     redirects, reading the answer up to the profile's response limit;
//     retries follow the profile's schedule (or the endpoint's retry_config),
//     batches (CodeScoring), ordering (PolicyCortex), auto-disable
//     (CodeScoring after 48 h, Standard Webhooks on 410) and escalation
//     (SecurityScorecard) are applied exactly as the vendor documents.
//   - Evidence: every attempt is recorded in full: request URL, headers and
//     body, response status, headers and body (flagged when cut), duration,
//     a classified error, and whether a person asked for it (manual).
//   - Probes (Probe, ProbeAgain, for `hookscope check`): a request framed
//     by the profile and then altered as a scenario says (re-signed only
//     through the same profile), recorded like any attempt, with the
//     altered request as sent; never retried by the outbox.
//   - Time scale: every wait (retry delays, the batching window) lasts the
//     vendor's real delay divided by Options.TimeScale. A delivery's
//     NextAttemptAt is the real-world instant its next attempt runs; its
//     Wait (db.RetryWait) keeps the vendor's own delay ("retry 3 of 7,
//     vendor wait 30m") so both can be shown. Attempt timeouts are never
//     scaled: they are about the receiver's latency, not the schedule. A
//     delivery keeps the time scale it was scheduled with
//     (db.Delivery.TimeScale): whichever process sends its next attempt
//     waits by it, and every process shows the same next attempt.
//   - Sharing (several processes on one database): one process runs the
//     outbox (db.Holder), under a lease it renews every poll or so and
//     that the others read ("sender: in serve, pid N"); only it claims
//     the deliveries no process runs alone. Another process takes it over
//     at its next poll once the holder's process is gone from this host
//     (SIGKILL included), or once the lease (HolderLease) has run out. A
//     process that takes it over points the default endpoints (local-...)
//     at its own receiver (Options.Receiver); a process started beside a
//     live holder leaves them alone. An OwnOnly sender (`hookscope send`)
//     never holds the outbox: the deliveries it creates are its alone
//     while it runs (db.NewDelivery.Runner), then fall to the holder.
//
// Every state change is published on the broker handed to New, as a
// db.Change, for the console.
package sender
