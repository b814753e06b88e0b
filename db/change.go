package db

// Change kinds published when a row is written.
const (
	ChangeRequest  = "request"
	ChangeRoute    = "route"
	ChangeEndpoint = "endpoint"
	ChangeDelivery = "delivery"
)

// Change tells subscribers (the console) that a row was written in this
// process. Writes by other processes are seen by polling instead.
type Change struct {
	Kind string // one of the Change* kinds
	ID   int64  // the row's id (0 for routes, see Name)
	Name string // the route's or endpoint's name, where it has one
}
