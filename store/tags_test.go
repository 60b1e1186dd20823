package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// The tag choices and the tag filter follow every change of a request's
// tags: added, changed, removed (the schema's triggers keep them).
func TestRequestTagsFollowEveryChange(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	a := mustAuthority(t, st, "Ambridge Parish Council", tracker.JurisdictionEngland)
	mk := func(title string, tags ...string) *tracker.Request {
		r := &tracker.Request{Title: title, AuthorityID: a.ID, Tags: tags}
		if err := st.CreateRequest(ctx, r, tracker.Date{}); err != nil {
			t.Fatal(err)
		}
		return r
	}
	tagsNow := func() []string {
		t.Helper()
		l, err := st.RequestTags(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	tagged := func(tag string) []int64 {
		t.Helper()
		l, err := st.Requests(ctx, store.RequestFilter{Tag: tag, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{}
		for _, r := range l {
			ids = append(ids, r.ID)
		}
		return ids
	}
	r1 := mk("Potholes", "roads", "money")
	r2 := mk("Gritting", "roads")
	mk("Untagged")
	if got := tagsNow(); !reflect.DeepEqual(got, []string{"money", "roads"}) {
		t.Fatalf("tags = %v", got)
	}
	if got := tagged("roads"); !reflect.DeepEqual(got, []int64{r2.ID, r1.ID}) {
		t.Errorf("tagged roads = %v", got)
	}
	if l, err := st.Requests(ctx, store.RequestFilter{Tag: "roads", BeforeID: r2.ID, Limit: 50}); err != nil || len(l) != 1 || l[0].ID != r1.ID {
		t.Errorf("tagged roads before %d = %v (%v), want only %d", r2.ID, l, err, r1.ID)
	}
	// r1 loses "money" and gains "parks"; r2 loses its only tag.
	r1.Tags = []string{"roads", "parks"}
	if err := st.UpdateRequest(ctx, r1); err != nil {
		t.Fatal(err)
	}
	r2.Tags = nil
	if err := st.UpdateRequest(ctx, r2); err != nil {
		t.Fatal(err)
	}
	if got := tagsNow(); !reflect.DeepEqual(got, []string{"parks", "roads"}) {
		t.Errorf("after changes, tags = %v", got)
	}
	if got := tagged("roads"); !reflect.DeepEqual(got, []int64{r1.ID}) {
		t.Errorf("after changes, tagged roads = %v", got)
	}
	if got := tagged("money"); len(got) != 0 {
		t.Errorf("nobody is tagged money any more, yet %v", got)
	}
	// An edit that leaves the tags alone counts nothing twice.
	r1.Title = "Potholes on the green"
	if err := st.UpdateRequest(ctx, r1); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.Reader().QueryRowContext(ctx, `SELECT requests FROM request_tag_counts WHERE tag = 'roads'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("roads counted on %d requests (%v), want 1", n, err)
	}
}
