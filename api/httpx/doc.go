// Package httpx holds the HTTP plumbing hookscope's servers share: request
// logging, panic recovery, and JSON answers and errors.
//
// It guarantees: a panicking handler never takes the process down (the
// client gets a 500 with a JSON error when nothing was written yet, and the
// panic is logged with its stack); every JSON error has the shape
// {"error": "..."} with a message that names the problem; JSON input is
// bounded in size and refuses unknown fields.
package httpx
