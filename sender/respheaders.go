package sender

import (
	"fmt"
	"net/http"

	"github.com/hookscope/hookscope/db"
	"github.com/hookscope/hookscope/limits"
)

// CutHeaderName names the entry that closes a recorded header list cut
// short. Parentheses are not allowed in a header name (RFC 9110 §5.1), so
// it can never be mistaken for a header the endpoint sent.
const CutHeaderName = "(hookscope: cut)"

// recordHeaders is what is recorded of an answer's headers, sorted by
// name: at most limits.ResponseHeadersRecorded of them, of at most
// limits.ResponseHeaderBytesRecorded bytes in all (each counted as on the
// wire: name, ": ", value, CRLF). A value that does not fit whole is cut,
// and when anything was cut a last entry named CutHeaderName says how
// many headers and bytes were not recorded. size is the whole header
// block's size as received, counted the same way (what a vendor's limit
// on the answer counts).
func recordHeaders(h http.Header) (out []db.Header, size int64) {
	all := db.HeadersFromHTTP(h)
	for _, x := range all {
		size += lineBytes(x)
	}
	budget := int64(limits.ResponseHeaderBytesRecorded)
	out = make([]db.Header, 0, min(len(all), limits.ResponseHeadersRecorded)+1)
	var kept int64
	for _, x := range all {
		if len(out) == limits.ResponseHeadersRecorded || kept >= budget {
			break
		}
		if n := lineBytes(x); kept+n > budget {
			room := budget - kept - int64(len(x.Name)) - 4
			if room <= 0 {
				break
			}
			x.Value = x.Value[:room]
			out = append(out, x)
			kept = budget
			break
		}
		out = append(out, x)
		kept += lineBytes(x)
	}
	if kept < size || len(out) < len(all) {
		cut := db.Header{Name: CutHeaderName, Value: fmt.Sprintf("%d of %d headers recorded, %d of %d bytes (limits: %d headers, %d bytes)",
			len(out), len(all), kept, size, limits.ResponseHeadersRecorded, limits.ResponseHeaderBytesRecorded)}
		out = append(out, cut)
	}
	return out, size
}

// lineBytes is a header's size as a line of the header block.
func lineBytes(x db.Header) int64 { return int64(len(x.Name) + len(x.Value) + 4) }
