package app

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// bind listens on addr; what names the listener and flag the option that
// changes it, for the error.
func bind(addr, what, flag string) (net.Listener, error) {
	l, err := net.Listen("tcp", loopbackDefault(addr))
	switch {
	case err == nil:
		return l, nil
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("%s address %s is in use (change it with %s)", what, addr, flag)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("%s address %s is not permitted (change it with %s): %w", what, addr, flag, err)
	}
	return nil, fmt.Errorf("binding the %s to %s (change it with %s): %w", what, addr, flag, err)
}

// loopbackDefault gives an address without a host ("":0, ":8088") the
// loopback host: binding beyond this machine is always spelled out.
func loopbackDefault(addr string) string {
	if host, port, err := net.SplitHostPort(addr); err == nil && host == "" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}

// checkAPIAddr keeps the REST API on loopback unless it has a token (it
// has no other authentication) and off the receiver's address.
func checkAPIAddr(api, listen string, hasToken bool) error {
	host, port, err := net.SplitHostPort(loopbackDefault(api))
	if err != nil {
		return fmt.Errorf("--api %q: %w", api, err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); !hasToken && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--api %q: without --api-token the REST API binds loopback only (127.0.0.1 or [::1])", api)
	}
	if loopbackDefault(api) == loopbackDefault(listen) && port != "0" {
		return fmt.Errorf("--api %s is the receiver's address; the API needs its own port", api)
	}
	return nil
}

// reachable is addr as a client on this machine dials it: a wildcard host
// (0.0.0.0, [::]) becomes 127.0.0.1, which every such listener accepts.
func reachable(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}
