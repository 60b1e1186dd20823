// Package evidence writes and checks evidence bundles: a zip with the
// documents an authority released, the raw mail they came in (and the mail
// they answered), the timeline events they support, and a manifest.json that
// makes all of it checkable by anyone, later, with no database and no
// network: every file's sha256, the provenance chain of each document, the
// audit-log entries concerning them (each with its hash and the hash before
// it), and the DKIM keys the mail was verified with at ingest.
//
// Layout of a bundle:
//
//	documents/<id>-<name>   released documents (withheld ones have no file)
//	messages/<id>-in.eml    raw incoming mail, byte for byte as fetched
//	messages/<id>-out.eml   raw mail we sent
//	events/<event>.md       timeline events as exported (links in sources/withheld)
//	README.txt              the same story for people
//	manifest.json           everything above, hashed and cross-referenced
//	SHA256SUMS              sha256sum -c format, for every file including manifest.json
package evidence

import (
	"time"

	"github.com/foitrack/foitrack/store"
)

// Format names the manifest layout.
const Format = "foitrack-evidence-bundle/2"

// Names of the bundle's fixed files.
const (
	ManifestName = "manifest.json"
	SumsName     = "SHA256SUMS"
	ReadmeName   = "README.txt"
	// CheckpointName is the signed checkpoint of the audit log the
	// bundle's audit entries are proven to be in.
	CheckpointName = "audit-checkpoint.txt"
)

// Manifest is manifest.json.
type Manifest struct {
	Format string `json:"format"`
	// Kind is "public" (only what the public page may show) or
	// "confidential" (everything); a bundle without one is confidential.
	Kind      string    `json:"kind"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	Scope     Scope     `json:"scope"`
	// AuditHead is the newest audit entry when the bundle was written: the
	// value to compare with the head the tracker shows and publishes.
	AuditHead  AuditHead         `json:"audit_head"`
	Files      []File            `json:"files"`
	Requests   []Request         `json:"requests"`
	Documents  []Document        `json:"documents"`
	Messages   []Message         `json:"messages"`
	Events     []Event           `json:"events"`
	Provenance []Chain           `json:"provenance"`
	DKIMKeys   map[string]string `json:"dkim_keys"` // key DNS name → TXT record, as fetched at ingest
	// Checkpoint is the signed checkpoint (file CheckpointName) of the
	// audit log's transparency log when the bundle was written.
	Checkpoint CheckpointRef `json:"checkpoint"`
	// Audit holds the audit entries concerning the requests, documents,
	// messages, events and links of the bundle, oldest first, each as its
	// leaf in the transparency log (a salted commitment per field), the
	// fields the bundle may show opened (value and salt), and the proof
	// that the leaf is in the checkpoint's tree. A confidential bundle opens
	// every field; a public one only the public ones.
	Audit []store.AuditProof `json:"audit"`
}

// CheckpointRef says which checkpoint the bundle's proofs lead to.
type CheckpointRef struct {
	Path     string `json:"path"`
	Origin   string `json:"origin"`
	TreeSize int64  `json:"tree_size"`
	Root     string `json:"root"` // base64, as in the checkpoint
}

// Scope is what the bundle was made for.
type Scope struct {
	Kind  string `json:"kind"` // request or event
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Slug  string `json:"slug,omitempty"` // an event's id
}

// AuditHead is an audit entry's id and hash.
type AuditHead struct {
	ID   int64  `json:"id"`
	Hash string `json:"hash"`
}

// File is one file of the bundle.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Kind   string `json:"kind"` // document, message, event, readme
	Of     string `json:"of"`   // what it is: "document 3", "message 2"…
}

// Request is a request the bundle concerns.
type Request struct {
	ID         int64  `json:"id"`
	Title      string `json:"title"`
	Authority  string `json:"authority"`
	Law        string `json:"law"`
	OurRef     string `json:"our_ref"`
	TheirRef   string `json:"their_ref"`
	Visibility string `json:"visibility"`
	PublicURL  string `json:"public_url,omitempty"`
	Status     string `json:"status"`
	Outcome    string `json:"outcome,omitempty"`
	SentOn     string `json:"sent_on,omitempty"`
	DueDate    string `json:"due_date,omitempty"`
}

// Document is a document of the bundle; Path is "" for a withheld one.
type Document struct {
	ID          int64    `json:"id"`
	RequestID   int64    `json:"request_id"`
	MessageID   int64    `json:"message_id,omitempty"`
	Filename    string   `json:"filename"`
	MediaType   string   `json:"media_type"`
	Size        int64    `json:"size"`
	SHA256      string   `json:"sha256"`
	Disposition string   `json:"disposition"`
	Exemptions  []string `json:"exemptions"`
	Description string   `json:"description,omitempty"`
	Path        string   `json:"path,omitempty"`
}

// Message is a mail message of the bundle, with the provenance kept at ingest.
type Message struct {
	ID          int64             `json:"id"`
	Direction   string            `json:"direction"`           // in or out
	Path        string            `json:"path,omitempty"`      // the raw message (confidential bundles)
	TextPath    string            `json:"text_path,omitempty"` // its text only (public bundles)
	RawSHA256   string            `json:"raw_sha256"`
	RawSize     int64             `json:"raw_size"`
	MessageID   string            `json:"message_id"`
	InReplyTo   string            `json:"in_reply_to,omitempty"`
	Subject     string            `json:"subject"`
	From        string            `json:"from"`
	To          []string          `json:"to"`
	Date        string            `json:"date"` // the Date header as written
	Received    []string          `json:"received,omitempty"`
	Mailbox     string            `json:"mailbox,omitempty"`
	UIDValidity uint32            `json:"uidvalidity,omitempty"`
	UID         uint32            `json:"uid,omitempty"`
	FetchedAt   *time.Time        `json:"fetched_at,omitempty"`
	RequestID   int64             `json:"request_id,omitempty"`
	DKIM        []store.DKIMCheck `json:"dkim,omitempty"` // as verified at ingest
}

// Event is a timeline event of the bundle.
type Event struct {
	ID    int64  `json:"id"`
	Slug  string `json:"slug"`
	Title string `json:"title"`
	Date  string `json:"date"`
	Path  string `json:"path"`
	Links []Link `json:"links"`
}

// Link is a link of an event.
type Link struct {
	ID         int64    `json:"id"`
	Role       string   `json:"role"`
	DocumentID int64    `json:"document_id,omitempty"`
	MessageID  int64    `json:"message_id,omitempty"`
	RequestID  int64    `json:"request_id,omitempty"`
	Exemptions []string `json:"exemptions"`
	Tier       int      `json:"tier"`
}

// Chain is one document's provenance: the request it answered, the message
// it came in, the message of ours that message answered, and the events it
// supports.
type Chain struct {
	DocumentID         int64    `json:"document_id"`
	RequestID          int64    `json:"request_id"`
	IncomingMessageID  int64    `json:"incoming_message_id,omitempty"`
	RepliedToMessageID int64    `json:"replied_to_message_id,omitempty"`
	Events             []string `json:"events"`
}
