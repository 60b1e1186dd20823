package store

import "sync"

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
