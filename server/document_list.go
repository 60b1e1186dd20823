package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// documentListPage is every document, newest first, a page at a time (?after=,
// ?before=: see cursorParam).
type documentListPage struct {
	Disposition  string
	Query        string // the search box: name, description, the text of the file
	Dispositions []struct{ Code, Label string }
	Documents    []documentRow
	Pager        pager
}

// documentRow is a document with its request's title.
type documentRow struct {
	tracker.Document
	RequestTitle string
}

// showDocumentList lists documents, optionally of one disposition.
func (s *Server) showDocumentList(c echo.Context) error {
	ctx := c.Request().Context()
	p := documentListPage{Dispositions: dispositions}
	if tracker.ValidDisposition(c.QueryParam("disposition")) {
		p.Disposition = c.QueryParam("disposition")
	}
	p.Query = strings.TrimSpace(c.QueryParam("q"))
	cur, err := cursorParam(c, false)
	if err != nil {
		return err
	}
	docs, err := s.st.Documents(ctx, store.DocumentFilter{Disposition: p.Disposition, Query: p.Query, Limit: pageSize + 1, Cursor: cur})
	if err != nil {
		return err
	}
	page := pageOf(docs, cur, pageSize, false, func(d tracker.Document) store.Cursor { return store.Cursor{ID: d.ID} })
	docs = page.Rows
	// The requests' titles in one query, not one per document.
	var ids []int64
	for _, d := range docs {
		ids = append(ids, d.RequestID)
	}
	titles := map[int64]string{}
	if len(ids) > 0 {
		reqs, err := s.st.Requests(ctx, store.RequestFilter{IDs: ids, Limit: len(ids)})
		if err != nil {
			return err
		}
		for _, r := range reqs {
			titles[r.ID] = r.Title
		}
	}
	for _, d := range docs {
		p.Documents = append(p.Documents, documentRow{Document: d, RequestTitle: titles[d.RequestID]})
	}
	p.Pager = keysetPager(c, page, -1)
	return s.render(c, http.StatusOK, "document_list", &view{Title: "Documents", Section: "documents", Data: p})
}
