package store

import (
	"context"
	"sync"
)

// untilCommitted keeps values worked out from the database (at most
// bound) while nothing is committed to it: a value is kept with the data
// version (dataVersion) read before it was worked out, so no older than
// it, and given back only at that version; the data version moves with
// every commit, this process's or another's, so nothing is kept past a
// change. Full, it starts again.
//
// The lists' search boxes keep what a page works out from its words and
// works out again, the same, on the next page of the same search or the
// same page viewed again: the request list's count (walking the words'
// matches for up to a thousand requests, several rows each: a third of its
// CPU), the matches of a list of one kind (itemSearchIDs), and a page of
// the search page's hits (Search).
type untilCommitted[V any] struct {
	mu      sync.Mutex
	version dataVersion
	vals    map[string]V
	bound   int
}

// get is the value kept under key at version.
func (c *untilCommitted[V]) get(key string, version dataVersion) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version {
		var none V
		return none, false
	}
	v, ok := c.vals[key]
	return v, ok
}

// keep is the value kept in c under key at the data version now, else
// work's, kept. The value is shared with the kept one: a caller that hands
// it on copies what can be changed.
func keep[V any](ctx context.Context, s *Store, c *untilCommitted[V], key string, work func() (V, error)) (V, error) {
	version, err := s.dataVersion(ctx)
	if err != nil {
		var none V
		return none, err
	}
	if v, ok := c.get(key, version); ok {
		return v, nil
	}
	v, err := work()
	if err != nil {
		return v, err
	}
	c.put(key, version, v)
	return v, nil
}

// put keeps v, worked out after version was read, under key; the values of
// another version are let go.
func (c *untilCommitted[V]) put(key string, version dataVersion, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != version || c.vals == nil || len(c.vals) >= c.bound {
		c.version, c.vals = version, make(map[string]V)
	}
	c.vals[key] = v
}
