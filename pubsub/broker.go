// Package pubsub is a small typed publish/subscribe broker. Publishing never
// blocks: a subscriber too slow to keep up loses messages (and learns of it
// through Dropped), never the publisher's time. Subscriptions end with their
// context or when the broker shuts down.
package pubsub

import (
	"context"
	"sync"
	"sync/atomic"
)

// bufferSize is how many messages a subscriber may fall behind by.
const bufferSize = 256

// Broker fans messages of type T out to subscribers.
type Broker[T any] struct {
	mu      sync.RWMutex
	subs    map[chan T]struct{}
	closed  bool
	dropped atomic.Int64
}

// New makes an empty broker.
func New[T any]() *Broker[T] {
	return &Broker[T]{subs: make(map[chan T]struct{})}
}

// Subscribe returns a channel of messages published from now on, closed when
// ctx ends or the broker shuts down.
func (b *Broker[T]) Subscribe(ctx context.Context) <-chan T {
	ch := make(chan T, bufferSize)
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		close(ch)
		return ch
	}
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
		b.mu.Unlock()
	}()
	return ch
}

// Publish sends msg to every subscriber that has room for it.
func (b *Broker[T]) Publish(msg T) {
	if b == nil {
		return
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	for ch := range b.subs {
		select {
		case ch <- msg:
		default:
			b.dropped.Add(1)
		}
	}
}

// Dropped counts messages lost to full subscriber buffers.
func (b *Broker[T]) Dropped() int64 { return b.dropped.Load() }

// Shutdown closes every subscription; later Subscribes get closed channels.
func (b *Broker[T]) Shutdown() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}
