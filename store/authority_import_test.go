package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// WhatDoTheyKnow's CSV has no jurisdiction or law column: re-importing it
// keeps the ones set by hand (they decide every deadline), while a column
// that says so, in foitrack's own layout, is taken.
func TestReimportKeepsAJurisdictionSetByHand(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := tracker.Authority{Name: "Borsetshire Health Board", URLName: "borsetshire_health_board", Jurisdiction: tracker.JurisdictionScotland,
		DefaultLaw: tracker.ScotEISR}
	if err := st.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	importCSV := func(text string) {
		t.Helper()
		list, err := tracker.ParseAuthoritiesCSV(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ImportAuthorities(ctx, list); err != nil {
			t.Fatal(err)
		}
	}
	importCSV("Name,Short name,URL name,Tags,Home page\n" +
		"Borsetshire Health Board,BHB,borsetshire_health_board,health,https://bhb.example.org\n" +
		"Felpersham Council,,felpersham_council,local_council,\n")
	got, _ := st.AuthorityByID(ctx, a.ID)
	if got.Jurisdiction != tracker.JurisdictionScotland || got.DefaultLaw != tracker.ScotEISR || got.ShortName != "BHB" {
		t.Errorf("after a WhatDoTheyKnow re-import: %s, %s, %q; want uk-scotland, scot-eisr and the new short name", got.Jurisdiction, got.DefaultLaw, got.ShortName)
	}
	list, _ := st.Authorities(ctx, store.AuthorityFilter{Query: "Felpersham"})
	if len(list) != 1 || list[0].Jurisdiction != tracker.JurisdictionEngland || list[0].DefaultLaw != tracker.UKFOIA {
		t.Errorf("a new authority from the same file: %+v", list)
	}
	importCSV("Name,Short name,URL name,Tags,Home page,Notes,Jurisdiction,Default law\n" +
		"Borsetshire Health Board,BHB,borsetshire_health_board,health,,,uk-wales,uk-foia\n")
	got, _ = st.AuthorityByID(ctx, a.ID)
	if got.Jurisdiction != tracker.JurisdictionWales || got.DefaultLaw != tracker.UKFOIA {
		t.Errorf("after an import that names them: %s, %s; want uk-wales, uk-foia", got.Jurisdiction, got.DefaultLaw)
	}
}
