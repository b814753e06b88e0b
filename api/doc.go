// Package api is hookscope's local REST API (SPEC §7), served on gorilla/mux,
// and the JSON views it answers with: the same views `--json` prints and
// exports write, so a request, route, endpoint or delivery reads the same
// wherever it is shown.
//
// It guarantees: every route answers JSON (errors as {"error": "..."}, with
// the status their kind calls for: 400 naming the bad field or parameter,
// 404, 409, 503 when the database cannot be written); a list refuses a
// query parameter it does not know; credentials (secrets, tokens,
// credential headers) are always shown masked, while the stored bytes stay
// exact; bodies come as text in "body", or base64 in "body_base64" when
// they are not valid UTF-8. The HTTP plumbing it shares with the receiver
// (guard, middleware, JSON answers and decoding) is in api/httpx.
package api
