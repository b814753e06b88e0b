// Package check is hookscope's conformance check of an integrator's
// receiver (`hookscope check`): it plays one vendor towards a URL and runs
// every scenario that vendor, per its seed, will put the receiver through:
// each catalogue event framed and signed as the vendor sends it, and,
// where the vendor authenticates, batches or retries, the tampered,
// unsigned, replayed, batched and retried requests it will also meet.
//
// It guarantees:
//   - Fidelity: every request is framed, signed and sent by the sender
//     (sender.Probe) through the vendor's fixtures profile; a scenario that
//     forges a request frames it again through the same profile (another
//     secret, another time, other bytes) and never signs by itself.
//   - Evidence: every request is recorded as a delivery to an ad-hoc target
//     named after the run ("send:check <run>/<scenario>:URL #…"), its events
//     tagged with Event.Source "check <run>", so the console shows what was
//     sent and what was answered.
//   - Verdicts with reasons: each scenario passes, warns or fails, and says
//     why; a connection error, a timeout (the vendor's, unless
//     Config.Timeout overrides it), a 5xx or an answer over the vendor's
//     size limit fails every scenario.
//   - Untrusted answers stay inert: the receiver's bytes are kept only as a
//     short excerpt with every control and format character neutralised,
//     read no further than the vendor's response limit (1 MiB where the
//     vendor sets none).
package check
