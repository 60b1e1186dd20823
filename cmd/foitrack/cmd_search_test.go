package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/extract"
	"github.com/foitrack/foitrack/internal/testenv"
)

// TestSearchCommand: a document added on the command line is searchable as
// soon as the command returns (its text extracted and indexed); the hits
// say kind, id, title and snippet, as text and as JSON.
func TestSearchCommand(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "authority", "add", "--name", "Kent Police")
	mustCLI(t, dir, "request", "add", "--authority", "Kent Police", "--title", "ANPR cameras", "--sent", "2026-03-02")
	file := filepath.Join(t.TempDir(), "reply.html")
	os.WriteFile(file, []byte("<p>The <i>narwhal</i> database is shared with the Home Office.</p>"), 0o600)
	out := mustCLI(t, dir, "document", "add", "--request", "1", "--file", file)
	if !strings.Contains(out, "text extracted") {
		t.Fatalf("document add said %q", out)
	}
	out = mustCLI(t, dir, "search", "narwhal shared")
	if !strings.Contains(out, "document 1\treply.html\t/documents/1") || !strings.Contains(out, "[narwhal]") {
		t.Fatalf("search output %q", out)
	}
	var res struct {
		Hits []map[string]any `json:"hits"`
	}
	if err := json.Unmarshal([]byte(mustCLI(t, dir, "search", "narwhal", "--json")), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0]["kind"] != "document" || res.Hits[0]["id"] != 1.0 || res.Hits[0]["title"] != "reply.html" ||
		!strings.Contains(res.Hits[0]["snippet"].(string), "narwhal database") {
		t.Fatalf("JSON hits %v", res.Hits)
	}
	checkJSONShape(t, "search", map[string]any{"hits": res.Hits})
	// Nothing found is an empty list, not null.
	if out := mustCLI(t, dir, "search", "unicorn", "--json"); !strings.Contains(out, `"hits": []`) {
		t.Fatalf("empty JSON %s", out)
	}
	if code, _, errs := cli(t, dir, "search", "-"); code != 2 || !strings.Contains(errs, "nothing to search for") {
		t.Fatalf("empty query: %d %s", code, errs)
	}
	if extract.Available(extract.Options{}) {
		pdf := filepath.Join(t.TempDir(), "r.pdf")
		os.WriteFile(pdf, extract.SamplePDF("Operation Kingfisher minutes"), 0o600)
		mustCLI(t, dir, "document", "add", "--request", "1", "--file", pdf)
		if out := mustCLI(t, dir, "search", `"operation kingfisher"`); !strings.Contains(out, "document 2") {
			t.Fatalf("pdf search %q", out)
		}
		if out := mustCLI(t, dir, "document", "reextract", "2"); !strings.Contains(out, "text extracted") {
			t.Fatalf("reextract %q", out)
		}
	}
}

// A scanned reply added by hand is read by OCR before the command returns:
// the command says so, and a phrase only in the scan is found.
func TestDocumentAddReadsScanByOCR(t *testing.T) {
	testenv.LookPath(t, "apt-get install poppler-utils", "pdftotext")
	testenv.LookPath(t, "apt-get install tesseract-ocr", "tesseract")
	dir := t.TempDir()
	mustCLI(t, dir, "authority", "add", "--name", "Kent Police")
	mustCLI(t, dir, "request", "add", "--authority", "Kent Police", "--title", "ANPR cameras", "--sent", "2026-03-02")
	scan, err := extract.SampleScanPage("Operation Nightjar surveillance budget")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "scan.pdf")
	os.WriteFile(file, extract.SamplePDFPages(scan), 0o600)
	out := mustCLI(t, dir, "document", "add", "--request", "1", "--file", file)
	if !strings.Contains(out, "and searchable; page 1 read by OCR (words may be misread)") {
		t.Fatalf("document add said %q", out)
	}
	if out := mustCLI(t, dir, "search", `"nightjar surveillance"`); !strings.Contains(out, "document 1\tscan.pdf") {
		t.Fatalf("search output %q", out)
	}
}
