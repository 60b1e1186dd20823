package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/foitrack/foitrack/extract"
	"github.com/foitrack/foitrack/tracker"
)

// PersonalScan is what a document's text showed of personal data before it
// is published.
type PersonalScan struct {
	Findings []tracker.PersonalFinding
	// Unscanned says why the text could not be read (pdftotext missing, a
	// kind of file with no text) or not all of it trusted (pages read by
	// OCR or left unread); "" when it was.
	Unscanned string
}

// Clean says there is nothing to confirm.
func (p PersonalScan) Clean() bool { return len(p.Findings) == 0 && p.Unscanned == "" }

// Names is the findings (and an unscanned file) in words, for the
// confirmation that must name them.
func (p PersonalScan) Names() []string {
	var out []string
	for _, f := range p.Findings {
		out = append(out, f.String())
	}
	if p.Unscanned != "" {
		out = append(out, "a file that could not be scanned ("+p.Unscanned+")")
	}
	return out
}

// Token is what a confirmation must carry: it names these findings, so a
// confirmation given for other findings does not publish.
func (p PersonalScan) Token() string {
	h := sha256.Sum256([]byte(strings.Join(p.Names(), "\n")))
	return hex.EncodeToString(h[:8])
}

// ScanDocumentForPersonalData reads a document's text (the text already
// extracted for search, or now) and looks in it for personal data and the
// requester's own details.
func (s *Store) ScanDocumentForPersonalData(ctx context.Context, documentID int64, opt extract.Options) (PersonalScan, error) {
	t, err := s.DocumentTextByID(ctx, documentID)
	if err != nil && tracker.ErrorCode(err) != tracker.ENOTFOUND {
		return PersonalScan{}, err
	}
	if err != nil || t.State != extract.StateExtracted {
		if t, err = s.ExtractDocumentText(ctx, documentID, opt); err != nil {
			return PersonalScan{}, err
		}
	}
	if t.State != extract.StateExtracted {
		return PersonalScan{Unscanned: t.StateLabel()}, nil
	}
	d, err := s.GetRequesterDetails(ctx)
	if err != nil {
		return PersonalScan{}, err
	}
	scan := PersonalScan{Findings: tracker.ScanPersonalData(t.Text, d.Values())}
	if t.Reason != "" {
		// Pages read by OCR (a name may be misread and so missed) or left
		// unread: the scan cannot vouch for them, so publishing asks.
		scan.Unscanned = "not fully: " + t.Reason
	}
	return scan, nil
}
