package server

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// At a million requests there are thousands of authorities: the chooser
// offered every one (5,000 checkboxes, a 600 kB page, 85 ms to draw). It
// now offers those chosen, those compared and those a name finds, bounded.
func TestInsightChooserIsBounded(t *testing.T) {
	few := []store.AuthorityName{{ID: 1, Name: "Kent Police"}, {ID: 2, Name: "Home Office"}}
	if got, cut := insightChoices(few, map[int64]bool{}, nil, ""); len(got) != 2 || cut {
		t.Fatalf("few authorities: %v %v, want all of them", got, cut)
	}
	var all []store.AuthorityName
	for i := 1; i <= 5000; i++ {
		name := fmt.Sprintf("Borough Council %d", i)
		if i%100 == 0 {
			name = fmt.Sprintf("Police Force %d", i)
		}
		all = append(all, store.AuthorityName{ID: int64(i), Name: name})
	}
	selected := map[int64]bool{4999: true, 7: true}
	shown := []store.InsightRow{{Key: "12"}, {Key: "13"}}
	got, cut := insightChoices(all, selected, shown, "")
	if !cut || ids(got) != "7 12 13 4999" {
		t.Fatalf("no name: %v %v, want the chosen and the compared", ids(got), cut)
	}
	got, cut = insightChoices(all, selected, shown, "police")
	if !cut || len(got) != 4+50 {
		t.Fatalf("name police: %d offered (%v), want 54", len(got), cut)
	}
	got, _ = insightChoices(all, selected, shown, "council")
	if len(got) != chooserMax {
		t.Fatalf("name council: %d offered, want at most %d", len(got), chooserMax)
	}
	for _, a := range got {
		delete(selected, a.ID)
	}
	if len(selected) != 0 {
		t.Fatalf("a chosen authority was left out: %v", selected)
	}
}

func ids(as []store.AuthorityName) string {
	s := ""
	for i, a := range as {
		if i > 0 {
			s += " "
		}
		s += strconv.FormatInt(a.ID, 10)
	}
	return s
}
