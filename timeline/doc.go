// Package timeline reads and writes public-interest timeline events in the
// campaigners' format: one file per event, markdown with YAML front matter
// (or, less often, one JSON object whose "summary" is the body).
//
//	---
//	id: 2026-03-02--met-refuses-lfr-watchlist-request   # also the file name
//	date: '2026-03-02'                                  # YYYY-MM-DD (YYYY-MM, YYYY)
//	title: Met refuses to disclose LFR watchlist criteria
//	importance: 7                                       # 1-10
//	tags: [facial-recognition, met-police]
//	actors: [Metropolitan Police Service]
//	sources:
//	- url: https://example.org/story
//	  title: Story
//	  publisher: Example News                           # or outlet
//	  date: '2026-03-03'
//	  tier: 2                                           # 1 primary … 3 background
//	---
//
//	Markdown body.
//
// Every other key (status, location, capture_lanes, notes… about ninety in
// the wider collection) is kept, in place, with its quoting: the front
// matter is held as a yaml.Node tree, and writing an event back copies the
// original text of every part that did not change, so an import → export
// of an unchanged file gives the same bytes (see emit.go).
//
// # What foitrack adds on export
//
// Documents, messages and requests linked to an event (package store's
// event_links) appear in the exported file. A link with role "released" adds
// an entry to `sources`: url (the request's public page, when the request is
// public), title, publisher (the authority), date (the day it was released),
// tier (from the link), request (title and reference), sha256 (of the
// document) and foitrack_link (the link's number). A link with role
// "withheld" adds an entry to a `withheld` list placed after sources, so that
// a timeline can say "the Met withheld this under s31":
//
//	withheld:
//	- title: LFR watchlist criteria
//	  authority: Metropolitan Police Service
//	  law: uk-foia
//	  exemptions: [s31(1)(a), s40(2)]
//	  date: '2026-03-30'
//	  statement: Metropolitan Police Service withheld this under s31(1)(a) and s40(2)
//	  request: LFR watchlists (FT-2026-0001)
//	  url: https://foi.example.org/p/abc…
//	  foitrack_link: 7
//
// "context" links are not exported.
//
// Entries carrying foitrack_link are foitrack's own: re-importing the
// exported file into the same database drops them (they are made again from
// the links on the next export), so they never double up. Imported into
// another database, where no such link exists, they are kept as ordinary
// entries.
package timeline
