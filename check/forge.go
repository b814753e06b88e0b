package check

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hookscope/hookscope/fixtures"
	"github.com/hookscope/hookscope/sender"
)

// The forgeries below alter a request the vendor's profile framed. Each
// re-signs only through the profile (Framed.Reframe), never by itself.

// withHeader returns a copy of h with name set to value; an empty value
// removes it.
func withHeader(h fixtures.Header, name, value string) fixtures.Header {
	h = h.Clone()
	if value == "" {
		h.Del(name)
	} else {
		h.Set(name, value)
	}
	return h
}

// tamperBody changes one character of the body's first string value after
// signing: the JSON stays valid, the signature no longer matches.
func tamperBody(f *sender.Framed) error {
	body := bytes.Clone(f.Wire.Body)
	i := bytes.Index(body, []byte(`":"`))
	if i < 0 || i+3 >= len(body) || body[i+3] == '"' || body[i+3] == '\\' {
		return fmt.Errorf("no string value to change in the %d-byte body", len(body))
	}
	c := &body[i+3]
	if *c == 'x' {
		*c = 'y'
	} else {
		*c = 'x'
	}
	f.Wire.Body = body
	return nil
}

// dropHeader removes name from the request.
func dropHeader(name string) func(f *sender.Framed) error {
	return func(f *sender.Framed) error {
		if !f.Wire.Header.Has(name) {
			return fmt.Errorf("the framed request has no %s header to remove", name)
		}
		f.Wire.Header = withHeader(f.Wire.Header, name, "")
		return nil
	}
}

// otherCredentials are fresh credentials of the profile's kind: not the
// ones the receiver was given.
func otherCredentials(p fixtures.Profile) fixtures.Credentials {
	return fixtures.NewCredentials(p, rand.Reader)
}

// signedWithOtherSecret frames the request again with a secret the
// receiver does not know.
func signedWithOtherSecret(f *sender.Framed) error {
	w, err := f.Reframe(func(ev []fixtures.Outgoing, o *fixtures.FrameOptions) []fixtures.Outgoing {
		o.Credentials = otherCredentials(f.Profile)
		return ev
	})
	if err != nil {
		return err
	}
	f.Wire = w
	return nil
}

// withOtherToken sends a token the receiver was not given in name.
func withOtherToken(name string) func(f *sender.Framed) error {
	return func(f *sender.Framed) error {
		f.Wire.Header = withHeader(f.Wire.Header, name, otherCredentials(f.Profile).Token)
		return nil
	}
}

// signedOverReencoded sends the body indented, as bytes the signer never
// saw, with the signature computed over its compact re-encoding: what a
// signer or verifier that parses and re-serialises the JSON computes.
func signedOverReencoded(header string) func(f *sender.Framed) error {
	return func(f *sender.Framed) error {
		var compact, indented bytes.Buffer
		if err := json.Compact(&compact, f.Wire.Body); err != nil {
			return fmt.Errorf("the body is not JSON: %w", err)
		}
		if err := json.Indent(&indented, compact.Bytes(), "", "  "); err != nil {
			return fmt.Errorf("indenting the body: %w", err)
		}
		w, err := f.Reframe(func(ev []fixtures.Outgoing, _ *fixtures.FrameOptions) []fixtures.Outgoing {
			ev[0].Payload = compact.Bytes()
			return ev
		})
		if err != nil {
			return err
		}
		f.Wire.Header = withHeader(f.Wire.Header, header, w.Header.Get(header))
		f.Wire.Body = indented.Bytes()
		return nil
	}
}

// signedAt frames the request again as if sent at the attempt's time
// moved by d (Standard Webhooks signs its timestamp).
func signedAt(d time.Duration) func(f *sender.Framed) error {
	return func(f *sender.Framed) error {
		w, err := f.Reframe(func(ev []fixtures.Outgoing, o *fixtures.FrameOptions) []fixtures.Outgoing {
			o.Now = o.Now.Add(d)
			return ev
		})
		if err != nil {
			return err
		}
		f.Wire = w
		return nil
	}
}

// signedByOldSecretFirst puts a signature by a secret the receiver does
// not know ahead of the valid one, space-separated, as a sender rotating
// its secret does.
func signedByOldSecretFirst(header string) func(f *sender.Framed) error {
	return func(f *sender.Framed) error {
		old, err := f.Reframe(func(ev []fixtures.Outgoing, o *fixtures.FrameOptions) []fixtures.Outgoing {
			o.Credentials = otherCredentials(f.Profile)
			return ev
		})
		if err != nil {
			return err
		}
		both := old.Header.Get(header) + " " + f.Wire.Header.Get(header)
		f.Wire.Header = withHeader(f.Wire.Header, header, both)
		return nil
	}
}
