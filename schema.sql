-- foitrack database schema: the single source of truth.
--
-- The file is a list of sections, each headed `-- migrate:N name`. A fresh
-- database runs every section in order; an existing one runs only the sections
-- above its PRAGMA user_version, then records the highest N. So a section,
-- once released, is never edited: a change to the schema is a new section at
-- the end, numbered one above the last.
--
-- Each section runs in one transaction with foreign keys ON, which suits
-- CREATE TABLE, CREATE INDEX, ALTER TABLE ADD COLUMN and UPDATEs. A section
-- that rebuilds a table (what SQLite needs to change a column or a
-- constraint) must be headed `-- migrate:N name [foreign_keys=off]`: with
-- foreign keys on, DROP TABLE deletes the rows of every table that refers to
-- the dropped one with ON DELETE CASCADE (a rebuilt `requests` would take
-- every request's history with it), inside a migration that reports success.
-- Such a section runs with foreign keys off (set outside its transaction) and
-- is rolled back unless PRAGMA foreign_key_check finds nothing at its end; a
-- section that says DROP TABLE without the marker is refused. Rebuild as
-- SQLite's documentation says: CREATE TABLE new_x (…); INSERT INTO new_x
-- SELECT … FROM x; DROP TABLE x; ALTER TABLE new_x RENAME TO x; then create
-- x's indexes and triggers again. store/upgrade_test.go builds a database at
-- every past version with a row in every table and checks that upgrading it
-- loses none.
--
-- Conventions: dates without time are TEXT 'YYYY-MM-DD'; instants are TEXT
-- in UTC, fixed width ('2026-03-02T10:00:05.500000Z', store.ts), so that text
-- order is time order; lists (tags, domains, exemption codes) are JSON arrays.

-- migrate:1 core
CREATE TABLE authorities (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL CHECK (name <> ''),
    short_name   TEXT NOT NULL DEFAULT '',
    url_name     TEXT NOT NULL DEFAULT '',
    jurisdiction TEXT NOT NULL,
    default_law  TEXT NOT NULL,
    email        TEXT NOT NULL DEFAULT '',
    website      TEXT NOT NULL DEFAULT '',
    tags         TEXT NOT NULL DEFAULT '[]',
    domains      TEXT NOT NULL DEFAULT '[]',
    notes        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX authorities_url_name ON authorities (url_name) WHERE url_name <> '';
CREATE INDEX authorities_name ON authorities (name COLLATE NOCASE);

CREATE TABLE requests (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL CHECK (title <> ''),
    body         TEXT NOT NULL DEFAULT '',
    authority_id INTEGER NOT NULL REFERENCES authorities (id) ON DELETE RESTRICT,
    law          TEXT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    our_ref      TEXT NOT NULL DEFAULT '',
    their_ref    TEXT NOT NULL DEFAULT '',
    visibility   TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'public')),
    reply_token  TEXT NOT NULL UNIQUE,
    notes        TEXT NOT NULL DEFAULT '',
    -- Derived from request_events by the store on every change (a cache for
    -- listing and filtering; the history is the truth).
    status       TEXT NOT NULL DEFAULT 'draft',
    outcome      TEXT NOT NULL DEFAULT '',
    sent_on      TEXT,
    due_date     TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX requests_authority ON requests (authority_id);
CREATE INDEX requests_status_due ON requests (status, due_date);

CREATE TABLE request_events (
    id           INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    date         TEXT NOT NULL,
    outcome      TEXT NOT NULL DEFAULT '',
    new_due_date TEXT,
    reason       TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    exemptions   TEXT NOT NULL DEFAULT '[]',
    message_id   INTEGER,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
);
CREATE INDEX request_events_request ON request_events (request_id, date, id);

-- Content-addressed file store: the bytes live under <data>/blobs/ab/<sha256>.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size       INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    message_id   INTEGER,
    filename     TEXT NOT NULL DEFAULT '',
    media_type   TEXT NOT NULL DEFAULT 'application/octet-stream',
    sniffed_type TEXT NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    sha256       TEXT REFERENCES blobs (sha256),
    disposition  TEXT NOT NULL CHECK (disposition IN ('released', 'released_redacted', 'withheld')),
    description  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
);
CREATE INDEX documents_request ON documents (request_id);
CREATE INDEX documents_sha256 ON documents (sha256);

-- Every exemption claimed, on a response (event_id) or on a document
-- (document_id): the source of the exemption statistics.
CREATE TABLE exemption_claims (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    event_id    INTEGER REFERENCES request_events (id) ON DELETE CASCADE,
    document_id INTEGER REFERENCES documents (id) ON DELETE CASCADE,
    law         TEXT NOT NULL,
    code        TEXT NOT NULL,
    CHECK ((event_id IS NULL) <> (document_id IS NULL))
);
CREATE INDEX exemption_claims_code ON exemption_claims (law, code);
CREATE INDEX exemption_claims_request ON exemption_claims (request_id);

-- Tamper-evident audit log: each entry's hash is sha256(prev_hash || canonical
-- entry), written in the same transaction as the change it records.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL DEFAULT 0,
    before    TEXT NOT NULL DEFAULT 'null',
    after     TEXT NOT NULL DEFAULT 'null',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

-- migrate:2 settings
-- Application settings an admin changes at run time (mailbox, schedules…):
-- key → JSON value. Secrets (passwords) are never stored here, only the name
-- of the environment variable or file that holds them.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- migrate:3 mail
-- Every mail message, incoming (synced from IMAP) or outgoing (sent by
-- foitrack). The raw RFC 5322 bytes are a blob, stored before parsing, in the
-- same transaction as the mailbox checkpoint: what was fetched is never lost
-- and never stored twice (UNIQUE mailbox/uidvalidity/uid, plus Message-ID and
-- raw hash checks when UIDVALIDITY changes).
CREATE TABLE mail_messages (
    id             INTEGER PRIMARY KEY,
    direction      TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    raw_sha256     TEXT REFERENCES blobs (sha256),
    raw_size       INTEGER NOT NULL DEFAULT 0,
    message_id     TEXT NOT NULL DEFAULT '',      -- the Message-ID header, without <>
    in_reply_to    TEXT NOT NULL DEFAULT '',
    refs           TEXT NOT NULL DEFAULT '[]',    -- References, JSON list
    subject        TEXT NOT NULL DEFAULT '',
    from_addr      TEXT NOT NULL DEFAULT '',
    from_name      TEXT NOT NULL DEFAULT '',
    to_addrs       TEXT NOT NULL DEFAULT '[]',
    cc_addrs       TEXT NOT NULL DEFAULT '[]',
    sent_at        TEXT,                          -- the Date header, RFC 3339
    date_header    TEXT NOT NULL DEFAULT '',      -- as written, for provenance
    received_chain TEXT NOT NULL DEFAULT '[]',    -- Received headers, top first
    -- Where it came from (incoming).
    mailbox        TEXT NOT NULL DEFAULT '',
    uidvalidity    INTEGER NOT NULL DEFAULT 0,
    uid            INTEGER NOT NULL DEFAULT 0,
    fetched_at     TEXT,
    dkim           TEXT NOT NULL DEFAULT '[]',    -- results with domain, selector and the key checked against
    -- What it is about.
    request_id     INTEGER REFERENCES requests (id) ON DELETE SET NULL,
    match_rule     TEXT NOT NULL DEFAULT '',      -- reply_address, in_reply_to, reference, sender_domain, manual
    state          TEXT NOT NULL DEFAULT 'new',   -- new, matched, unmatched, not_foi, failed, over_limit; out: queued, sent, send_failed
    error          TEXT NOT NULL DEFAULT '',      -- parse or send error shown to the user
    classification TEXT NOT NULL DEFAULT '',      -- JSON: proposed kind, sentence, exemptions
    text_body      TEXT NOT NULL DEFAULT '',
    html_body      TEXT NOT NULL DEFAULT '',      -- sanitised
    created_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX mail_messages_uid ON mail_messages (mailbox, uidvalidity, uid) WHERE direction = 'in';
CREATE INDEX mail_messages_message_id ON mail_messages (message_id);
CREATE INDEX mail_messages_raw ON mail_messages (raw_sha256);
CREATE INDEX mail_messages_request ON mail_messages (request_id, id);
CREATE INDEX mail_messages_state ON mail_messages (state);

-- Sync progress per mailbox: the highest UID stored under a UIDVALIDITY.
CREATE TABLE mail_checkpoints (
    mailbox     TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL,
    updated_at  TEXT NOT NULL
);

-- One row per sync pass, for the dashboard and `foitrack sync`.
CREATE TABLE mail_sync_runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    fetched     INTEGER NOT NULL DEFAULT 0,
    matched     INTEGER NOT NULL DEFAULT 0,
    unmatched   INTEGER NOT NULL DEFAULT 0,
    duplicates  INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT ''
);

-- migrate:4 accounts
-- People who use the web app. Passwords are bcrypt hashes; a session or API
-- token is stored only as the sha256 of the secret the client holds, so a
-- copy of the database does not let anyone in.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (email <> ''),
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    last_login_at TEXT
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,             -- sha256 hex of the cookie value
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,         -- sha256 hex of the bearer token
    prefix       TEXT NOT NULL,                -- its first characters, to tell tokens apart
    created_at   TEXT NOT NULL,
    last_used_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed and successful logins, for rate limiting. `at` is fixed-width
-- 'YYYY-MM-DDTHH:MM:SSZ' so that it compares as text.
CREATE TABLE login_attempts (
    id      INTEGER PRIMARY KEY,
    ip      TEXT NOT NULL,
    email   TEXT NOT NULL,
    at      TEXT NOT NULL,
    success INTEGER NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts (ip, email, at);

-- The stable, unguessable address of a public request's read-only page
-- (/p/SLUG). It does not change when the request is made private and public
-- again, and it is unrelated to the reply token.
CREATE TABLE public_pages (
    request_id INTEGER PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    slug       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- migrate:5 reminders
-- Who hears about a request: its owner and the users watching it.
ALTER TABLE requests ADD COLUMN owner_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX requests_owner ON requests (owner_id);

CREATE TABLE request_watchers (
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (request_id, user_id)
);
CREATE INDEX request_watchers_user ON request_watchers (user_id);

-- A user's own choices about reminders (no row: the defaults, email on).
CREATE TABLE user_preferences (
    user_id         INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email_reminders INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL
);

-- In-app notifications (the bell and its unread count).
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    request_id INTEGER REFERENCES requests (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    link       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, id);

-- Every reminder given, one row per person told. The UNIQUE key is what makes
-- reminders idempotent: a rerun, a restart or a second process inserts the
-- same key and is refused by the database, whatever the code does. A changed
-- due date (an extension, a clarification restarting the clock) is a new key.
-- stage orders the kinds of one deadline so that a late run gives only the
-- latest reminder due, never an earlier one after a later.
CREATE TABLE reminder_log (
    id              INTEGER PRIMARY KEY,
    request_id      INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    deadline        TEXT NOT NULL,          -- response, review, clarification, regulator_window…
    kind            TEXT NOT NULL,          -- due_soon, due_today, overdue, long_overdue…
    due_date        TEXT NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stage           INTEGER NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    notification_id INTEGER REFERENCES notifications (id) ON DELETE SET NULL,
    -- Email: none (no mail configured), off (the user turned it off), pending,
    -- sending (claimed by one process), sent (the server accepted it), failed.
    email_state     TEXT NOT NULL DEFAULT 'none'
                    CHECK (email_state IN ('none', 'off', 'pending', 'sending', 'sent', 'failed')),
    email_error     TEXT NOT NULL DEFAULT '',
    email_attempts  INTEGER NOT NULL DEFAULT 0,
    emailed_at      TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (request_id, deadline, kind, due_date, user_id)
);
CREATE INDEX reminder_log_email ON reminder_log (email_state);

-- One row per reminder run, for `foitrack remind` and the dashboard.
CREATE TABLE reminder_runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    clock       TEXT NOT NULL,              -- the "now" the rules were applied at
    given       INTEGER NOT NULL DEFAULT 0,
    emailed     INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT ''
);

-- Admin-edited letter templates; a kind with no row uses the built-in text.
-- law '' applies to every law without a template of its own.
CREATE TABLE letter_templates (
    kind       TEXT NOT NULL,               -- request, chaser, internal_review, regulator_complaint
    law        TEXT NOT NULL DEFAULT '',
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, law)
);

-- What foitrack sent by SMTP beside the mail_messages row (direction 'out')
-- that holds the message itself: why it was sent, to whom, how often it was
-- tried, and the lifecycle event recorded once the server accepted it.
CREATE TABLE outbound_sends (
    message_id      INTEGER PRIMARY KEY REFERENCES mail_messages (id) ON DELETE CASCADE,
    request_id      INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    purpose         TEXT NOT NULL,          -- request, chaser, internal_review, regulator_complaint
    envelope_from   TEXT NOT NULL,
    recipients      TEXT NOT NULL DEFAULT '[]',
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    event_id        INTEGER REFERENCES request_events (id) ON DELETE SET NULL,
    created_by      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbound_sends_request ON outbound_sends (request_id);

-- Campaigns: one request per authority, sent together, throttled.
CREATE TABLE batches (
    id               INTEGER PRIMARY KEY,
    title            TEXT NOT NULL CHECK (title <> ''),
    subject          TEXT NOT NULL DEFAULT '',
    body             TEXT NOT NULL DEFAULT '',
    tags             TEXT NOT NULL DEFAULT '[]',
    throttle_seconds INTEGER NOT NULL DEFAULT 30,
    state            TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'sending', 'paused', 'done')),
    last_error       TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE batch_requests (
    batch_id   INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    request_id INTEGER NOT NULL UNIQUE REFERENCES requests (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (batch_id, request_id)
);

-- Secret calendar feed addresses: only the sha256 of the token is kept, so a
-- copy of the database does not reveal anyone's feed; revoking keeps the row.
CREATE TABLE calendar_feeds (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);
CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id);

-- migrate:6 timeline
-- Public-interest timeline events, one per campaigners' markdown file: YAML
-- front matter, then a markdown body. front_matter is the YAML text as last
-- imported or saved (key order, quoting and every unknown key intact) and is
-- the truth about the event; the columns beside it are derived from it on
-- every write, for listing, filtering and display. A JSON event file's
-- `summary` is its body.
CREATE TABLE timeline_events (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE CHECK (slug <> ''), -- the front matter's `id`
    date         TEXT NOT NULL,                           -- as written: YYYY-MM-DD, YYYY-MM or YYYY
    title        TEXT NOT NULL,
    importance   INTEGER,                                 -- 1-10, NULL when absent
    status       TEXT NOT NULL DEFAULT '',
    tags         TEXT NOT NULL DEFAULT '[]',
    actors       TEXT NOT NULL DEFAULT '[]',
    sources      TEXT NOT NULL DEFAULT '[]',              -- JSON list of objects, every key kept
    extra        TEXT NOT NULL DEFAULT '{}',              -- the other front-matter keys, as JSON
    front_matter TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    format       TEXT NOT NULL DEFAULT 'md' CHECK (format IN ('md', 'json')),
    file_name    TEXT NOT NULL DEFAULT '',                -- the file it was imported from (written back to it)
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX timeline_events_date ON timeline_events (date, slug);

-- What an event rests on: a document, a mail message or a whole request,
-- with its role. released: the document is the evidence (exported among the
-- event's sources); withheld: the authority refused it, citing exemptions
-- (exported in the event's `withheld` list); context: background.
CREATE TABLE event_links (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES timeline_events (id) ON DELETE CASCADE,
    document_id INTEGER REFERENCES documents (id) ON DELETE CASCADE,
    message_id  INTEGER REFERENCES mail_messages (id) ON DELETE CASCADE,
    request_id  INTEGER REFERENCES requests (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('released', 'withheld', 'context')),
    exemptions  TEXT NOT NULL DEFAULT '[]',                -- exemption codes cited (withheld)
    tier        INTEGER NOT NULL DEFAULT 1 CHECK (tier BETWEEN 1 AND 3), -- source tier on export
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK ((document_id IS NOT NULL) + (message_id IS NOT NULL) + (request_id IS NOT NULL) = 1)
);
CREATE UNIQUE INDEX event_links_target ON event_links
    (event_id, COALESCE(document_id, 0), COALESCE(message_id, 0), COALESCE(request_id, 0));
CREATE INDEX event_links_document ON event_links (document_id) WHERE document_id IS NOT NULL;
CREATE INDEX event_links_message ON event_links (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX event_links_request ON event_links (request_id) WHERE request_id IS NOT NULL;

-- migrate:7 mailsync
-- What the mail sync keeps beside the columns of section 3: the header block
-- as received (for provenance, and the only content kept of an over-limit
-- message), non-fatal problems met while processing (an attachment over its
-- limit), when processing finished, and where the proposed classification
-- stands: '' (nothing to propose), proposed, confirmed, dismissed, or
-- applied (recorded automatically: acknowledgements and bounces).
ALTER TABLE mail_messages ADD COLUMN raw_headers TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_messages ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
ALTER TABLE mail_messages ADD COLUMN processed_at TEXT;
ALTER TABLE mail_messages ADD COLUMN proposal_state TEXT NOT NULL DEFAULT '';
CREATE INDEX mail_messages_dedupe ON mail_messages (message_id, raw_sha256) WHERE direction = 'in';

-- migrate:8 publications
-- A released document an editor has chosen to publish: anyone may download
-- it from its request's public page while the request is public and the
-- document is released. Publishing is a choice per document, never a
-- default, because a reply's attachments can carry personal data (the
-- requester's own letter, a signature) that was never meant for the public.
CREATE TABLE document_publications (
    document_id  INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL DEFAULT ''
);

-- migrate:9 search
-- The text of each document, read once by the background worker (package
-- extract): state pending → extracted, failed (reason says why),
-- tool_missing (a PDF and no pdftotext), unsupported (an image) or no_file
-- (withheld, never received). A trigger adds the pending row for every new
-- document, whoever adds it.
CREATE TABLE document_texts (
    document_id INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'extracted', 'failed', 'tool_missing', 'unsupported', 'no_file')),
    reason      TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL
);
CREATE INDEX document_texts_pending ON document_texts (document_id) WHERE state = 'pending';

-- One full-text index over everything searchable. rowid = item id * 8 +
-- kind (1 request, 2 mail message, 3 document, 4 timeline event, 5
-- authority, 6 a request's history event), so a row is found by rowid,
-- never by scanning. A request's body ends with its authority's name, so
-- "data sharing police" finds the request to the police. title and body
-- are what a public page may show;
-- private holds what only signed-in users see (notes, references, senders).
-- request_id and date serve the filters. Triggers keep it in step with its
-- tables on every insert, edit and delete, whichever code makes them.
CREATE VIRTUAL TABLE search_index USING fts5 (
    title, body, private,
    request_id UNINDEXED, date UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER search_requests_ai AFTER INSERT ON requests BEGIN
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    VALUES (new.id * 8 + 1, new.title,
            new.body || char(10) || COALESCE((SELECT name FROM authorities WHERE id = new.authority_id), ''),
            new.notes || ' ' || new.our_ref || ' ' || new.their_ref,
            new.id, COALESCE(new.sent_on, substr(new.created_at, 1, 10)));
END;
CREATE TRIGGER search_requests_au AFTER UPDATE OF title, body, notes, our_ref, their_ref, sent_on, authority_id ON requests BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 1;
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    VALUES (new.id * 8 + 1, new.title,
            new.body || char(10) || COALESCE((SELECT name FROM authorities WHERE id = new.authority_id), ''),
            new.notes || ' ' || new.our_ref || ' ' || new.their_ref,
            new.id, COALESCE(new.sent_on, substr(new.created_at, 1, 10)));
END;
CREATE TRIGGER search_requests_ad AFTER DELETE ON requests BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 1;
END;

CREATE TRIGGER search_request_events_ai AFTER INSERT ON request_events
WHEN new.note <> '' OR new.reason <> '' OR new.exemptions <> '[]' BEGIN
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    VALUES (new.id * 8 + 6, replace(new.kind, '_', ' '), '',
            new.note || ' ' || new.reason || ' ' || (SELECT COALESCE(group_concat(value, ' '), '') FROM json_each(new.exemptions)),
            new.request_id, new.date);
END;
CREATE TRIGGER search_request_events_au AFTER UPDATE ON request_events BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 6;
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    SELECT new.id * 8 + 6, replace(new.kind, '_', ' '), '',
           new.note || ' ' || new.reason || ' ' || (SELECT COALESCE(group_concat(value, ' '), '') FROM json_each(new.exemptions)),
           new.request_id, new.date
    WHERE new.note <> '' OR new.reason <> '' OR new.exemptions <> '[]';
END;
CREATE TRIGGER search_request_events_ad AFTER DELETE ON request_events BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 6;
END;

CREATE TRIGGER search_mail_ai AFTER INSERT ON mail_messages BEGIN
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    VALUES (new.id * 8 + 2, new.subject, new.text_body, new.from_name || ' ' || new.from_addr,
            COALESCE(new.request_id, 0), substr(COALESCE(new.sent_at, new.created_at), 1, 10));
END;
CREATE TRIGGER search_mail_au AFTER UPDATE OF subject, text_body, from_name, from_addr, request_id, sent_at ON mail_messages BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 2;
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    VALUES (new.id * 8 + 2, new.subject, new.text_body, new.from_name || ' ' || new.from_addr,
            COALESCE(new.request_id, 0), substr(COALESCE(new.sent_at, new.created_at), 1, 10));
END;
CREATE TRIGGER search_mail_ad AFTER DELETE ON mail_messages BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 2;
END;

CREATE TRIGGER search_documents_ai AFTER INSERT ON documents BEGIN
    INSERT INTO document_texts (document_id, state, updated_at)
    VALUES (new.id, CASE WHEN new.sha256 IS NULL THEN 'no_file' ELSE 'pending' END, new.created_at);
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    VALUES (new.id * 8 + 3, new.filename, new.description, '', new.request_id, substr(new.created_at, 1, 10));
END;
CREATE TRIGGER search_documents_au AFTER UPDATE OF filename, description, request_id ON documents BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 3;
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    VALUES (new.id * 8 + 3, new.filename,
            new.description || char(10) || COALESCE((SELECT text FROM document_texts WHERE document_id = new.id), ''),
            '', new.request_id, substr(new.created_at, 1, 10));
END;
CREATE TRIGGER search_documents_ad AFTER DELETE ON documents BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 3;
END;
CREATE TRIGGER search_document_texts_au AFTER UPDATE OF text ON document_texts BEGIN
    DELETE FROM search_index WHERE rowid = new.document_id * 8 + 3;
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    SELECT d.id * 8 + 3, d.filename, d.description || char(10) || new.text, '', d.request_id, substr(d.created_at, 1, 10)
    FROM documents d WHERE d.id = new.document_id;
END;

CREATE TRIGGER search_timeline_ai AFTER INSERT ON timeline_events BEGIN
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    VALUES (new.id * 8 + 4, new.title, new.body, '', 0, new.date);
END;
CREATE TRIGGER search_timeline_au AFTER UPDATE OF title, body, date ON timeline_events BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 4;
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    VALUES (new.id * 8 + 4, new.title, new.body, '', 0, new.date);
END;
CREATE TRIGGER search_timeline_ad AFTER DELETE ON timeline_events BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 4;
END;

CREATE TRIGGER search_authorities_ai AFTER INSERT ON authorities BEGIN
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    VALUES (new.id * 8 + 5, new.name, new.short_name, new.notes, 0, '');
END;
CREATE TRIGGER search_authorities_au AFTER UPDATE OF name, short_name, notes ON authorities BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 5;
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    VALUES (new.id * 8 + 5, new.name, new.short_name, new.notes, 0, '');
    -- Re-index the authority's requests (they carry its name): a no-op
    -- update of a column the request trigger watches.
    UPDATE requests SET authority_id = authority_id WHERE authority_id = new.id AND old.name <> new.name;
END;
CREATE TRIGGER search_authorities_ad AFTER DELETE ON authorities BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 5;
END;

-- What was there before this section: indexed once, documents queued for
-- the text worker.
INSERT INTO document_texts (document_id, state, updated_at)
SELECT id, CASE WHEN sha256 IS NULL THEN 'no_file' ELSE 'pending' END, created_at FROM documents;
INSERT INTO search_index (rowid, title, body, private, request_id, date)
SELECT r.id * 8 + 1, r.title, r.body || char(10) || a.name, r.notes || ' ' || r.our_ref || ' ' || r.their_ref, r.id,
       COALESCE(r.sent_on, substr(r.created_at, 1, 10))
FROM requests r JOIN authorities a ON a.id = r.authority_id;
INSERT INTO search_index (rowid, title, body, private, request_id, date)
SELECT id * 8 + 6, replace(kind, '_', ' '), '',
       note || ' ' || reason || ' ' || (SELECT COALESCE(group_concat(value, ' '), '') FROM json_each(exemptions)), request_id, date
FROM request_events WHERE note <> '' OR reason <> '' OR exemptions <> '[]';
INSERT INTO search_index (rowid, title, body, private, request_id, date)
SELECT id * 8 + 2, subject, text_body, from_name || ' ' || from_addr, COALESCE(request_id, 0), substr(COALESCE(sent_at, created_at), 1, 10) FROM mail_messages;
INSERT INTO search_index (rowid, title, body, private, request_id, date)
SELECT id * 8 + 3, filename, description, '', request_id, substr(created_at, 1, 10) FROM documents;
INSERT INTO search_index (rowid, title, body, private, request_id, date)
SELECT id * 8 + 4, title, body, '', 0, date FROM timeline_events;
INSERT INTO search_index (rowid, title, body, private, request_id, date)
SELECT id * 8 + 5, name, short_name, notes, 0, '' FROM authorities;

-- migrate:10 next action
-- Where each request stands and who must act next, worked out by
-- tracker.PlanNextAction from its law, history and replies waiting to be
-- confirmed, and written in the same transaction as any change to those
-- (an event added or deleted, a proposal made, confirmed or dismissed, the
-- law changed), or by `foitrack recompute`. The plan never depends on
-- today: the step in force is next_* until next_by has passed, then_* after
-- it (when there is one), so pages compare the stored dates with today in
-- SQL and a day passing needs no recomputation.
-- needs_* say when the requester has something to do, for the dashboard's
-- "Needs you" panel: from needs_from ('' = at once) to needs_until (NULL =
-- until the history changes), ordered by needs_rank (0: a reply to confirm)
-- and needs_sort (the date it is due by, or became due). plan_version is
-- tracker.PlanVersion when it was worked out: a release whose rules or
-- holiday tables changed recomputes the older rows when it opens the database.
ALTER TABLE requests ADD COLUMN next_who TEXT NOT NULL DEFAULT 'none';
ALTER TABLE requests ADD COLUMN next_action TEXT NOT NULL DEFAULT 'nothing';
ALTER TABLE requests ADD COLUMN next_by TEXT;
ALTER TABLE requests ADD COLUMN next_explanation TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN then_who TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN then_action TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN then_by TEXT;
ALTER TABLE requests ADD COLUMN then_explanation TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN needs_from TEXT;
ALTER TABLE requests ADD COLUMN needs_until TEXT;
ALTER TABLE requests ADD COLUMN needs_rank INTEGER NOT NULL DEFAULT 1;
ALTER TABLE requests ADD COLUMN needs_sort TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN plan_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX requests_needs ON requests (needs_rank, needs_sort, id) WHERE needs_from IS NOT NULL;
CREATE INDEX requests_next ON requests (next_by, then_by);
CREATE INDEX requests_plan_version ON requests (plan_version);
-- Every dated window of a request (the response due, the time to ask for a
-- review, to complain, to appeal) with its state as of the history: open,
-- met, missed or not_relevant; an open one whose date has passed is read as
-- missed. Rewritten with the plan.
CREATE TABLE request_windows (
    request_id  INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    who         TEXT NOT NULL,
    label       TEXT NOT NULL,
    date        TEXT NOT NULL,
    state       TEXT NOT NULL,
    optional    INTEGER NOT NULL DEFAULT 0,
    explanation TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (request_id, seq)
) WITHOUT ROWID;
CREATE INDEX request_windows_open ON request_windows (date) WHERE state = 'open';

-- migrate:11 fixed-width timestamps
-- Instants were written as RFC 3339 with a fraction of 0 to 9 digits
-- ("…:05Z", "…:05.5Z", "…:05.123456789Z"), which do not sort as text: a
-- comparison in SQL (sessions.expires_at > now) or an ORDER BY could put
-- 10:00:05.5 before 10:00:05. Every instant is now written fixed-width
-- with microseconds ('2026-03-02T10:00:05.500000Z', store.ts); this
-- rewrites the stored ones. Left as written, because an audit entry holds
-- their text and audit verify compares them with it: audit_log.at (hashed in
-- the chain), timeline_events.created_at/updated_at and
-- document_publications.published_at; login_attempts.at has its own
-- fixed-width, second-precision form. Those are read by the same parser.
UPDATE authorities SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE authorities SET updated_at = substr(updated_at, 1, 19) || '.' || substr(replace(substr(updated_at, 20, length(updated_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(updated_at) <> 27;
UPDATE requests SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE requests SET updated_at = substr(updated_at, 1, 19) || '.' || substr(replace(substr(updated_at, 20, length(updated_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(updated_at) <> 27;
UPDATE request_events SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE blobs SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE documents SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE settings SET updated_at = substr(updated_at, 1, 19) || '.' || substr(replace(substr(updated_at, 20, length(updated_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(updated_at) <> 27;
UPDATE mail_messages SET sent_at = substr(sent_at, 1, 19) || '.' || substr(replace(substr(sent_at, 20, length(sent_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE sent_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(sent_at) <> 27;
UPDATE mail_messages SET fetched_at = substr(fetched_at, 1, 19) || '.' || substr(replace(substr(fetched_at, 20, length(fetched_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE fetched_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(fetched_at) <> 27;
UPDATE mail_messages SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE mail_messages SET processed_at = substr(processed_at, 1, 19) || '.' || substr(replace(substr(processed_at, 20, length(processed_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE processed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(processed_at) <> 27;
UPDATE mail_checkpoints SET updated_at = substr(updated_at, 1, 19) || '.' || substr(replace(substr(updated_at, 20, length(updated_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(updated_at) <> 27;
UPDATE mail_sync_runs SET started_at = substr(started_at, 1, 19) || '.' || substr(replace(substr(started_at, 20, length(started_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE started_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(started_at) <> 27;
UPDATE mail_sync_runs SET finished_at = substr(finished_at, 1, 19) || '.' || substr(replace(substr(finished_at, 20, length(finished_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE finished_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(finished_at) <> 27;
UPDATE users SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE users SET updated_at = substr(updated_at, 1, 19) || '.' || substr(replace(substr(updated_at, 20, length(updated_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(updated_at) <> 27;
UPDATE users SET last_login_at = substr(last_login_at, 1, 19) || '.' || substr(replace(substr(last_login_at, 20, length(last_login_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE last_login_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(last_login_at) <> 27;
UPDATE sessions SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE sessions SET last_seen_at = substr(last_seen_at, 1, 19) || '.' || substr(replace(substr(last_seen_at, 20, length(last_seen_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE last_seen_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(last_seen_at) <> 27;
UPDATE sessions SET expires_at = substr(expires_at, 1, 19) || '.' || substr(replace(substr(expires_at, 20, length(expires_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE expires_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(expires_at) <> 27;
UPDATE api_tokens SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE api_tokens SET last_used_at = substr(last_used_at, 1, 19) || '.' || substr(replace(substr(last_used_at, 20, length(last_used_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE last_used_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(last_used_at) <> 27;
UPDATE public_pages SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE request_watchers SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE user_preferences SET updated_at = substr(updated_at, 1, 19) || '.' || substr(replace(substr(updated_at, 20, length(updated_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(updated_at) <> 27;
UPDATE notifications SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE notifications SET read_at = substr(read_at, 1, 19) || '.' || substr(replace(substr(read_at, 20, length(read_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE read_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(read_at) <> 27;
UPDATE reminder_log SET emailed_at = substr(emailed_at, 1, 19) || '.' || substr(replace(substr(emailed_at, 20, length(emailed_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE emailed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(emailed_at) <> 27;
UPDATE reminder_log SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE reminder_runs SET started_at = substr(started_at, 1, 19) || '.' || substr(replace(substr(started_at, 20, length(started_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE started_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(started_at) <> 27;
UPDATE reminder_runs SET finished_at = substr(finished_at, 1, 19) || '.' || substr(replace(substr(finished_at, 20, length(finished_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE finished_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(finished_at) <> 27;
UPDATE letter_templates SET updated_at = substr(updated_at, 1, 19) || '.' || substr(replace(substr(updated_at, 20, length(updated_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(updated_at) <> 27;
UPDATE outbound_sends SET last_attempt_at = substr(last_attempt_at, 1, 19) || '.' || substr(replace(substr(last_attempt_at, 20, length(last_attempt_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE last_attempt_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(last_attempt_at) <> 27;
UPDATE batches SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE batches SET updated_at = substr(updated_at, 1, 19) || '.' || substr(replace(substr(updated_at, 20, length(updated_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(updated_at) <> 27;
UPDATE calendar_feeds SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE calendar_feeds SET revoked_at = substr(revoked_at, 1, 19) || '.' || substr(replace(substr(revoked_at, 20, length(revoked_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE revoked_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(revoked_at) <> 27;
UPDATE calendar_feeds SET last_used_at = substr(last_used_at, 1, 19) || '.' || substr(replace(substr(last_used_at, 20, length(last_used_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE last_used_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(last_used_at) <> 27;
UPDATE event_links SET created_at = substr(created_at, 1, 19) || '.' || substr(replace(substr(created_at, 20, length(created_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(created_at) <> 27;
UPDATE event_links SET updated_at = substr(updated_at, 1, 19) || '.' || substr(replace(substr(updated_at, 20, length(updated_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(updated_at) <> 27;
UPDATE document_texts SET updated_at = substr(updated_at, 1, 19) || '.' || substr(replace(substr(updated_at, 20, length(updated_at) - 20), '.', '') || '000000', 1, 6) || 'Z'
    WHERE updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z' AND length(updated_at) <> 27;
-- migrate:12 audit transparency log
-- Audit entries that prove without revealing, in a transparency log.
-- Each entry gets a random secret from which a salt per field is derived
-- (HMAC-SHA256(secret, field name)); the entry's leaf in the log commits
-- to each field by sha256 of its salt, name and value, so a public bundle
-- can open the public fields and show only commitments for the rest. The
-- secret never leaves the database (only the salts of opened fields do).
-- Entries written before this section get their secret here; their leaves
-- (and the tree over all entries) are built by the store on opening.
ALTER TABLE audit_log ADD COLUMN secret TEXT;
UPDATE audit_log SET secret = lower(hex(randomblob(32))) WHERE secret IS NULL;

-- The RFC 6962 Merkle tree over the leaves, as golang.org/x/mod/sumdb/tlog
-- stores it: hash number idx (tlog.StoredHashIndex) → hash. Append-only.
CREATE TABLE audit_tree (
    idx  INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
);

-- Signed checkpoints (C2SP signed notes) of the tree: the latest is served
-- at /audit/checkpoint, and every public bundle carries one.
CREATE TABLE audit_checkpoints (
    id         INTEGER PRIMARY KEY,
    tree_size  INTEGER NOT NULL,
    root_hash  TEXT NOT NULL,
    note       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- migrate:13 mail sync runs that add up
-- A pass also processes what an interrupted pass stored (resumed), and an
-- interrupted pass may store messages it did not get to process (pending,
-- processed by the next): with both, fetched + resumed = matched + unmatched
-- + failed + pending for every run.
ALTER TABLE mail_sync_runs ADD COLUMN resumed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mail_sync_runs ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;

-- migrate:14 speed at a million
-- Indexes the pages' queries lacked (each showed a full scan of a large
-- table per row, or per view, in EXPLAIN QUERY PLAN): a document's
-- exemptions (documents, timeline links, audit verify), the dashboard's
-- recent replies (events by date).
CREATE INDEX exemption_claims_document ON exemption_claims (document_id) WHERE document_id IS NOT NULL;
CREATE INDEX exemption_claims_event ON exemption_claims (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX request_events_date ON request_events (date, id);
-- The tags on requests, one row per (tag, request), and how many requests
-- carry each tag: the request list's tag choices and its tag filter read
-- these instead of unpacking every request's JSON tags on every view. Kept
-- by triggers, so no write path can forget them.
CREATE TABLE request_tags (
    tag        TEXT NOT NULL,
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    PRIMARY KEY (tag, request_id)
) WITHOUT ROWID;
CREATE INDEX request_tags_request ON request_tags (request_id);
CREATE TABLE request_tag_counts (
    tag      TEXT PRIMARY KEY,
    requests INTEGER NOT NULL
);
INSERT INTO request_tags (tag, request_id)
    SELECT DISTINCT j.value, r.id FROM requests r, json_each(r.tags) j WHERE j.type = 'text';
INSERT INTO request_tag_counts (tag, requests) SELECT tag, count(*) FROM request_tags GROUP BY tag;
CREATE TRIGGER request_tags_insert AFTER INSERT ON requests BEGIN
    INSERT OR IGNORE INTO request_tags (tag, request_id)
        SELECT j.value, NEW.id FROM json_each(NEW.tags) j WHERE j.type = 'text';
    INSERT INTO request_tag_counts (tag, requests)
        SELECT DISTINCT j.value, 1 FROM json_each(NEW.tags) j WHERE j.type = 'text'
        ON CONFLICT (tag) DO UPDATE SET requests = requests + 1;
END;
CREATE TRIGGER request_tags_update AFTER UPDATE OF tags ON requests WHEN OLD.tags IS NOT NEW.tags BEGIN
    UPDATE request_tag_counts SET requests = requests - 1
        WHERE tag IN (SELECT tag FROM request_tags WHERE request_id = OLD.id);
    DELETE FROM request_tags WHERE request_id = OLD.id;
    INSERT OR IGNORE INTO request_tags (tag, request_id)
        SELECT j.value, NEW.id FROM json_each(NEW.tags) j WHERE j.type = 'text';
    INSERT INTO request_tag_counts (tag, requests)
        SELECT DISTINCT j.value, 1 FROM json_each(NEW.tags) j WHERE j.type = 'text'
        ON CONFLICT (tag) DO UPDATE SET requests = requests + 1;
    DELETE FROM request_tag_counts WHERE requests <= 0;
END;
CREATE TRIGGER request_tags_delete BEFORE DELETE ON requests BEGIN
    UPDATE request_tag_counts SET requests = requests - 1
        WHERE tag IN (SELECT tag FROM request_tags WHERE request_id = OLD.id);
    DELETE FROM request_tag_counts WHERE requests <= 0;
END;
-- A reference typed to file a message from the holding pen.
CREATE INDEX requests_our_ref ON requests (our_ref);
-- migrate:15 censor rules
-- Text replacements applied to everything public (public request pages,
-- public evidence bundles, timeline exports): global (scope_id 0), for one
-- authority, or for one request. Audited like any change.
CREATE TABLE censor_rules (
    id          INTEGER PRIMARY KEY,
    scope       TEXT NOT NULL CHECK (scope IN ('global', 'authority', 'request')),
    scope_id    INTEGER NOT NULL DEFAULT 0,
    pattern     TEXT NOT NULL,
    is_regexp   INTEGER NOT NULL DEFAULT 0,
    replacement TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX censor_rules_scope ON censor_rules (scope, scope_id);

-- migrate:16 authority record
-- An authority's record (answered, on time, median working days) read by
-- indexed SQL over each request's first response, kept with the request's
-- derived columns on every change, instead of replaying every request of
-- the authority on every view of its page. responded_on: the first
-- response; response_due_on: the due date in force when it came;
-- response_days: working days from the date of receipt the count ran from.
ALTER TABLE requests ADD COLUMN responded_on TEXT;
ALTER TABLE requests ADD COLUMN response_due_on TEXT;
ALTER TABLE requests ADD COLUMN response_days INTEGER;
CREATE INDEX requests_authority_record ON requests
    (authority_id, response_days, sent_on, responded_on, response_due_on, next_by, then_action);
-- Worked out for existing requests when the store next opens (with their plans).
UPDATE requests SET plan_version = 0;

-- migrate:17 next action covering indexes
-- The dashboard's counts ("Needs you", late, due this week) read only these
-- indexes, never the request rows (whose text makes a scan of 100,000 of
-- them slow): each index holds every column its query tests.
DROP INDEX requests_needs;
CREATE INDEX requests_needs ON requests (needs_rank, needs_sort, id, needs_from, needs_until) WHERE needs_from IS NOT NULL;
DROP INDEX requests_next;
CREATE INDEX requests_next ON requests (next_by, then_action, next_who);

-- migrate:18 insight
-- The rest of each request's figures for the insight pages (beside section
-- 16's first response, due date then and working days): the first
-- response's outcome, working days to the internal review's outcome (-1:
-- none), and the last review and regulator outcomes. Written with the
-- request's derived columns on every change (tracker.RequestFigures), so
-- that the insight pages are indexed SQL aggregates.
ALTER TABLE requests ADD COLUMN first_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN review_days INTEGER NOT NULL DEFAULT -1;
ALTER TABLE requests ADD COLUMN review_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN regulator_outcome TEXT NOT NULL DEFAULT '';
CREATE INDEX requests_insight ON requests (authority_id, law, response_days);
CREATE INDEX requests_insight_review ON requests (authority_id, review_days) WHERE review_days >= 0;
CREATE INDEX exemption_claims_request_code ON exemption_claims (request_id, law, code);
-- Worked out for existing requests when the store next opens (with their plans).
UPDATE requests SET plan_version = 0;

-- migrate:19 requests by status, newest first
-- Lists of one status in the orders the pages ask for (newest first; due
-- soonest first, undated last), so that SQLite walks an index and stops
-- after a page, where (status, due_date) made it sort every request of the
-- status first.
CREATE INDEX requests_status_id ON requests (status, id);
CREATE INDEX requests_status_due_order ON requests (status, due_date IS NULL, due_date, id);

-- migrate:20 plan since
-- The day the step now in force began (tracker.Plan.Since): the date of
-- the last event that moved the request on, or of the newest reply waiting
-- to be confirmed. The reminder job knows an undated step by it (the
-- clarification asked for on that day). Filled by the recomputation that
-- tracker.PlanVersion 2 brings when the database is opened.
ALTER TABLE requests ADD COLUMN plan_since TEXT;

-- migrate:21 request counts by status, open requests by due date
-- How many requests stand in each status, kept by triggers, so that the
-- dashboard's count of open requests and the request list's totals read a
-- row per status, not an index entry per request (seven requests in ten
-- are open: 700,000 at a million).
CREATE TABLE request_status_counts (
    status   TEXT PRIMARY KEY,
    requests INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO request_status_counts (status, requests) SELECT status, count(*) FROM requests GROUP BY status;
CREATE TRIGGER request_status_counts_insert AFTER INSERT ON requests BEGIN
    INSERT INTO request_status_counts (status, requests) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET requests = requests + 1;
END;
CREATE TRIGGER request_status_counts_update AFTER UPDATE OF status ON requests WHEN OLD.status IS NOT NEW.status BEGIN
    UPDATE request_status_counts SET requests = requests - 1 WHERE status = OLD.status;
    INSERT INTO request_status_counts (status, requests) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET requests = requests + 1;
END;
CREATE TRIGGER request_status_counts_delete AFTER DELETE ON requests BEGIN
    UPDATE request_status_counts SET requests = requests - 1 WHERE status = OLD.status;
END;
-- The open requests (every status but draft, withdrawn and closed, in the
-- order store.openStatuses names them: SQLite uses the index only for that
-- very list) by due date, undated last: the request list's "open" view
-- walks it and stops after a page, where (status, …) made it gather and
-- sort every open request first.
CREATE INDEX requests_open_due ON requests (due_date IS NULL, due_date, id)
    WHERE status IN ('awaiting_response', 'awaiting_clarification', 'awaiting_fee', 'answered', 'internal_review',
        'review_decided', 'regulator_complaint', 'regulator_decided');

-- migrate:22 dashboard counts by index ranges
-- The dashboard's "Needs you" count and its count of late requests read
-- only the index entries they count: those still in force (no end, or an
-- end not passed) and those whose next step is a chaser, where the covering
-- indexes of section 17 made them read every request with a plan.
CREATE INDEX requests_needs_until ON requests (needs_until, needs_from) WHERE needs_from IS NOT NULL;
CREATE INDEX requests_late ON requests (then_action, next_by);

-- migrate:23 mail counts by state
-- How many messages stand in each direction and state, kept by triggers:
-- the holding pen's count (on the dashboard and the mail pages) reads a row,
-- where it read every unmatched message's row to check its direction.
CREATE TABLE mail_state_counts (
    direction TEXT NOT NULL,
    state     TEXT NOT NULL,
    messages  INTEGER NOT NULL,
    PRIMARY KEY (direction, state)
) WITHOUT ROWID;
INSERT INTO mail_state_counts (direction, state, messages)
    SELECT direction, state, count(*) FROM mail_messages GROUP BY direction, state;
CREATE TRIGGER mail_state_counts_insert AFTER INSERT ON mail_messages BEGIN
    INSERT INTO mail_state_counts (direction, state, messages) VALUES (NEW.direction, NEW.state, 1)
        ON CONFLICT (direction, state) DO UPDATE SET messages = messages + 1;
END;
CREATE TRIGGER mail_state_counts_update AFTER UPDATE OF direction, state ON mail_messages
WHEN OLD.direction IS NOT NEW.direction OR OLD.state IS NOT NEW.state BEGIN
    UPDATE mail_state_counts SET messages = messages - 1 WHERE direction = OLD.direction AND state = OLD.state;
    INSERT INTO mail_state_counts (direction, state, messages) VALUES (NEW.direction, NEW.state, 1)
        ON CONFLICT (direction, state) DO UPDATE SET messages = messages + 1;
END;
CREATE TRIGGER mail_state_counts_delete AFTER DELETE ON mail_messages BEGIN
    UPDATE mail_state_counts SET messages = messages - 1 WHERE direction = OLD.direction AND state = OLD.state;
END;

-- migrate:24 authority search entry rewritten only when its text changes
-- An update that names name, short_name and notes (every authority save
-- does) rewrote the authority's search entry even when none of them
-- changed: a re-import that changes only websites rewrote 40,000 entries.
DROP TRIGGER search_authorities_au;
CREATE TRIGGER search_authorities_au AFTER UPDATE OF name, short_name, notes ON authorities
WHEN old.name IS NOT new.name OR old.short_name IS NOT new.short_name OR old.notes IS NOT new.notes BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 5;
    INSERT INTO search_index (rowid, title, body, private, request_id, date)
    VALUES (new.id * 8 + 5, new.name, new.short_name, new.notes, 0, '');
    -- Re-index the authority's requests (they carry its name): a no-op
    -- update of a column the request trigger watches.
    UPDATE requests SET authority_id = authority_id WHERE authority_id = new.id AND old.name <> new.name;
END;

-- migrate:25 insight from one covering index
-- Every column the insight figures read (insightGroups, the percentiles),
-- in one index ordered by authority and then working days: a pass over it
-- reads a few bytes per request instead of each request's row with its
-- text, groups authorities in index order, and finds each authority's
-- median and 90th percentile without sorting.
DROP INDEX requests_insight;
CREATE INDEX requests_insight ON requests (authority_id, response_days, law, review_days, sent_on, responded_on,
    response_due_on, due_date, first_outcome, status, review_outcome, regulator_outcome);

-- migrate:26 documents by message
-- A message's attachments (the mail message page, moving a message): found
-- by their own index, not among every document.
CREATE INDEX documents_message ON documents (message_id) WHERE message_id IS NOT NULL;

-- migrate:27 standing basis
-- What a request's standing on any day is worked out from (its part of the
-- deadlines, tracker.StandingBasis), stored with the plan: the request
-- list shows "3 working days left" without replaying each row's history.
-- Filled by the plan's recompute (tracker.PlanVersion 5).
ALTER TABLE requests ADD COLUMN standing_code TEXT NOT NULL DEFAULT '';
ALTER TABLE requests ADD COLUMN standing_date TEXT;
ALTER TABLE requests ADD COLUMN standing_long TEXT;
ALTER TABLE requests ADD COLUMN standing_note TEXT NOT NULL DEFAULT '';

-- migrate:28 recompute compares fingerprints
-- plan_hash is a fingerprint of a request's derived columns and windows
-- as foitrack last wrote them (store.storeStanding, plan_version with
-- them): `foitrack recompute` reads it, not every stored column and
-- window, and writes a request only when the fingerprint of its fresh
-- standing differs, and then only the columns and windows that changed.
-- NULL (rows written before this section, or by a later section that
-- rewrites derived columns, which must set it to NULL): the stored values
-- are compared one by one, once.
ALTER TABLE requests ADD COLUMN plan_hash INTEGER;
-- The replies waiting to be confirmed, by request (read with every plan).
CREATE INDEX mail_messages_proposed ON mail_messages (request_id, id) WHERE direction = 'in' AND proposal_state = 'proposed';

-- migrate:29 public requests by id
-- The public search finds each match's request by its id and keeps it only
-- when it is public: a small index of the public ones (with the authority,
-- for its censor rules) answers that without reading the wide request row.
CREATE INDEX requests_public ON requests (id, authority_id) WHERE visibility = 'public';

-- migrate:30 what the authorities and regulators owe, by date
-- The dashboard's "due in the next 7 days" walks this in its order (date,
-- then id) and stops after a panel's rows, instead of reading every row of
-- each date in the week and sorting them by id.
CREATE INDEX requests_awaited ON requests (next_by) WHERE next_who IN ('authority', 'regulator');

-- migrate:31 a user's notifications by id
-- The notifications page lists a user's newest first, a page at a time by
-- cursor: walked in this index's order and stopped after a page (the
-- (user_id, read_at, id) index gave them sorted only within read and
-- unread, so every one of a user's notifications was read and sorted).
CREATE INDEX notifications_user_id ON notifications (user_id, id);

-- migrate:32 dashboard counts by date
-- "Needs you" and "Authority late" count requests whose stored dates are
-- on either side of today: counting their index entries grew with the
-- table (14,000 and 8,500 entries a view at 100,000 requests). These
-- counts per date, kept by triggers, answer them from the kind's total
-- (day '*') less the dates still to come, which are few whatever the
-- table's size (a deadline is weeks or months ahead, not years):
--   needs you on T = needs_from's total - needs_from after T
--                    - (needs_until's total - needs_until on or after T)
--     (needs_from <= needs_until whenever both are set)
--   late on T      = late's total - late on or after T
-- needs_until is counted only where needs_from is set; late is next_by
-- where the step after it is a chaser. A date whose count falls to 0 goes.
CREATE TABLE request_day_counts (
    kind TEXT NOT NULL,
    day  TEXT NOT NULL,
    n    INTEGER NOT NULL,
    PRIMARY KEY (kind, day)
) WITHOUT ROWID;
INSERT INTO request_day_counts (kind, day, n)
    SELECT 'needs_from', needs_from, count(*) FROM requests WHERE needs_from IS NOT NULL GROUP BY needs_from
    UNION ALL SELECT 'needs_from', '*', count(*) FROM requests WHERE needs_from IS NOT NULL
    UNION ALL SELECT 'needs_until', needs_until, count(*) FROM requests WHERE needs_from IS NOT NULL AND needs_until IS NOT NULL GROUP BY needs_until
    UNION ALL SELECT 'needs_until', '*', count(*) FROM requests WHERE needs_from IS NOT NULL AND needs_until IS NOT NULL
    UNION ALL SELECT 'late', next_by, count(*) FROM requests WHERE then_action IN ('chase_response', 'chase_review') AND next_by IS NOT NULL GROUP BY next_by
    UNION ALL SELECT 'late', '*', count(*) FROM requests WHERE then_action IN ('chase_response', 'chase_review') AND next_by IS NOT NULL;
CREATE TRIGGER request_day_counts_insert AFTER INSERT ON requests BEGIN
    INSERT INTO request_day_counts (kind, day, n)
        SELECT kind, day, 1 FROM (SELECT 'needs_from' AS kind, NEW.needs_from AS day WHERE NEW.needs_from IS NOT NULL
        UNION ALL SELECT 'needs_from', '*' WHERE NEW.needs_from IS NOT NULL
        UNION ALL SELECT 'needs_until', NEW.needs_until WHERE NEW.needs_from IS NOT NULL AND NEW.needs_until IS NOT NULL
        UNION ALL SELECT 'needs_until', '*' WHERE NEW.needs_from IS NOT NULL AND NEW.needs_until IS NOT NULL
        UNION ALL SELECT 'late', NEW.next_by WHERE NEW.then_action IN ('chase_response', 'chase_review') AND NEW.next_by IS NOT NULL
        UNION ALL SELECT 'late', '*' WHERE NEW.then_action IN ('chase_response', 'chase_review') AND NEW.next_by IS NOT NULL) WHERE true
        ON CONFLICT (kind, day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER request_day_counts_update AFTER UPDATE OF needs_from, needs_until, then_action, next_by ON requests
    WHEN OLD.needs_from IS NOT NEW.needs_from OR OLD.needs_until IS NOT NEW.needs_until
        OR OLD.then_action IS NOT NEW.then_action OR OLD.next_by IS NOT NEW.next_by BEGIN
    UPDATE request_day_counts SET n = n - 1 WHERE (kind, day) IN (SELECT 'needs_from' AS kind, OLD.needs_from AS day WHERE OLD.needs_from IS NOT NULL
        UNION ALL SELECT 'needs_from', '*' WHERE OLD.needs_from IS NOT NULL
        UNION ALL SELECT 'needs_until', OLD.needs_until WHERE OLD.needs_from IS NOT NULL AND OLD.needs_until IS NOT NULL
        UNION ALL SELECT 'needs_until', '*' WHERE OLD.needs_from IS NOT NULL AND OLD.needs_until IS NOT NULL
        UNION ALL SELECT 'late', OLD.next_by WHERE OLD.then_action IN ('chase_response', 'chase_review') AND OLD.next_by IS NOT NULL
        UNION ALL SELECT 'late', '*' WHERE OLD.then_action IN ('chase_response', 'chase_review') AND OLD.next_by IS NOT NULL);
    DELETE FROM request_day_counts WHERE n = 0 AND (kind, day) IN (SELECT 'needs_from' AS kind, OLD.needs_from AS day WHERE OLD.needs_from IS NOT NULL
        UNION ALL SELECT 'needs_from', '*' WHERE OLD.needs_from IS NOT NULL
        UNION ALL SELECT 'needs_until', OLD.needs_until WHERE OLD.needs_from IS NOT NULL AND OLD.needs_until IS NOT NULL
        UNION ALL SELECT 'needs_until', '*' WHERE OLD.needs_from IS NOT NULL AND OLD.needs_until IS NOT NULL
        UNION ALL SELECT 'late', OLD.next_by WHERE OLD.then_action IN ('chase_response', 'chase_review') AND OLD.next_by IS NOT NULL
        UNION ALL SELECT 'late', '*' WHERE OLD.then_action IN ('chase_response', 'chase_review') AND OLD.next_by IS NOT NULL);
    INSERT INTO request_day_counts (kind, day, n)
        SELECT kind, day, 1 FROM (SELECT 'needs_from' AS kind, NEW.needs_from AS day WHERE NEW.needs_from IS NOT NULL
        UNION ALL SELECT 'needs_from', '*' WHERE NEW.needs_from IS NOT NULL
        UNION ALL SELECT 'needs_until', NEW.needs_until WHERE NEW.needs_from IS NOT NULL AND NEW.needs_until IS NOT NULL
        UNION ALL SELECT 'needs_until', '*' WHERE NEW.needs_from IS NOT NULL AND NEW.needs_until IS NOT NULL
        UNION ALL SELECT 'late', NEW.next_by WHERE NEW.then_action IN ('chase_response', 'chase_review') AND NEW.next_by IS NOT NULL
        UNION ALL SELECT 'late', '*' WHERE NEW.then_action IN ('chase_response', 'chase_review') AND NEW.next_by IS NOT NULL) WHERE true
        ON CONFLICT (kind, day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER request_day_counts_delete AFTER DELETE ON requests BEGIN
    UPDATE request_day_counts SET n = n - 1 WHERE (kind, day) IN (SELECT 'needs_from' AS kind, OLD.needs_from AS day WHERE OLD.needs_from IS NOT NULL
        UNION ALL SELECT 'needs_from', '*' WHERE OLD.needs_from IS NOT NULL
        UNION ALL SELECT 'needs_until', OLD.needs_until WHERE OLD.needs_from IS NOT NULL AND OLD.needs_until IS NOT NULL
        UNION ALL SELECT 'needs_until', '*' WHERE OLD.needs_from IS NOT NULL AND OLD.needs_until IS NOT NULL
        UNION ALL SELECT 'late', OLD.next_by WHERE OLD.then_action IN ('chase_response', 'chase_review') AND OLD.next_by IS NOT NULL
        UNION ALL SELECT 'late', '*' WHERE OLD.then_action IN ('chase_response', 'chase_review') AND OLD.next_by IS NOT NULL);
    DELETE FROM request_day_counts WHERE n = 0 AND (kind, day) IN (SELECT 'needs_from' AS kind, OLD.needs_from AS day WHERE OLD.needs_from IS NOT NULL
        UNION ALL SELECT 'needs_from', '*' WHERE OLD.needs_from IS NOT NULL
        UNION ALL SELECT 'needs_until', OLD.needs_until WHERE OLD.needs_from IS NOT NULL AND OLD.needs_until IS NOT NULL
        UNION ALL SELECT 'needs_until', '*' WHERE OLD.needs_from IS NOT NULL AND OLD.needs_until IS NOT NULL
        UNION ALL SELECT 'late', OLD.next_by WHERE OLD.then_action IN ('chase_response', 'chase_review') AND OLD.next_by IS NOT NULL
        UNION ALL SELECT 'late', '*' WHERE OLD.then_action IN ('chase_response', 'chase_review') AND OLD.next_by IS NOT NULL);
END;

-- migrate:33 the inputs a stored standing was worked out from
-- plan_inputs is tracker.InputsFingerprint of the request's law, history
-- and replies awaiting confirmation when its standing was last stored;
-- plan_rules holds tracker.RulesFingerprint (plan version, laws, holiday
-- tables) as of the last recompute that worked out every request. While
-- both are the same, a recompute of every request need not work out again
-- the standing of one whose inputs are unchanged (NULL: unknown, worked
-- out). Only the rules are kept here, not in each row, so that a holiday
-- added rewrites only the requests whose dates it moves.
ALTER TABLE requests ADD COLUMN plan_inputs INTEGER;
CREATE TABLE plan_rules (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint INTEGER NOT NULL
);

-- migrate:34 public search index
-- What the public search looks in: the title and body of every public
-- request (with its authority's name, as in search_index) and of every
-- published document of one that is released (redacted or not), with
-- search_index's rowids (id * 8 + kind), columns and tokenizer, so that a
-- hit is read and shown as before. The public search walked search_index
-- newest first until it had found enough public hits among everyone's
-- (one row in five or fewer is public): its cost grew with the private
-- rows. Censor rules are applied as the public search reads its hits (Go
-- code, search_censored.go), as they were: a rule's change re-indexes
-- nothing. Not named *search_index*: a bulk load keeps these triggers
-- (they index the few public rows, some by a join).
CREATE VIRTUAL TABLE public_search USING fts5 (
    title, body, request_id UNINDEXED, date UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER public_search_requests_ai AFTER INSERT ON requests WHEN new.visibility = 'public' BEGIN
    INSERT INTO public_search (rowid, title, body, request_id, date)
    VALUES (new.id * 8 + 1, new.title,
            new.body || char(10) || COALESCE((SELECT name FROM authorities WHERE id = new.authority_id), ''),
            new.id, COALESCE(new.sent_on, substr(new.created_at, 1, 10)));
END;
-- An authority's new name reaches its requests through search_index's
-- trigger (a no-op update of authority_id), and so this one.
CREATE TRIGGER public_search_requests_au AFTER UPDATE OF title, body, sent_on, authority_id, visibility ON requests
WHEN old.visibility = 'public' OR new.visibility = 'public' BEGIN
    DELETE FROM public_search WHERE rowid = old.id * 8 + 1;
    INSERT INTO public_search (rowid, title, body, request_id, date)
    SELECT new.id * 8 + 1, new.title,
           new.body || char(10) || COALESCE((SELECT name FROM authorities WHERE id = new.authority_id), ''),
           new.id, COALESCE(new.sent_on, substr(new.created_at, 1, 10))
    WHERE new.visibility = 'public';
    -- Its published documents come and go with it.
    DELETE FROM public_search WHERE old.visibility IS NOT new.visibility
        AND rowid IN (SELECT d.id * 8 + 3 FROM documents d WHERE d.request_id = new.id);
    INSERT INTO public_search (rowid, title, body, request_id, date)
    SELECT d.id * 8 + 3, d.filename, d.description || char(10) || COALESCE(x.text, ''), d.request_id, substr(d.created_at, 1, 10)
    FROM documents d JOIN document_publications p ON p.document_id = d.id LEFT JOIN document_texts x ON x.document_id = d.id
    WHERE d.request_id = new.id AND old.visibility IS NOT new.visibility AND new.visibility = 'public'
        AND d.disposition IN ('released', 'released_redacted');
END;
CREATE TRIGGER public_search_requests_ad AFTER DELETE ON requests WHEN old.visibility = 'public' BEGIN
    DELETE FROM public_search WHERE rowid = old.id * 8 + 1;
END;

-- A document's entry, whenever what decides it changes: deleted, and
-- written again when it is published, released and its request public.
CREATE TRIGGER public_search_documents_au AFTER UPDATE OF filename, description, request_id, disposition, created_at ON documents BEGIN
    DELETE FROM public_search WHERE rowid = old.id * 8 + 3;
    INSERT INTO public_search (rowid, title, body, request_id, date)
    SELECT d.id * 8 + 3, d.filename, d.description || char(10) || COALESCE(x.text, ''), d.request_id, substr(d.created_at, 1, 10)
    FROM documents d JOIN requests r ON r.id = d.request_id JOIN document_publications p ON p.document_id = d.id
    LEFT JOIN document_texts x ON x.document_id = d.id
    WHERE d.id = new.id AND r.visibility = 'public' AND d.disposition IN ('released', 'released_redacted');
END;
CREATE TRIGGER public_search_documents_ad AFTER DELETE ON documents BEGIN
    DELETE FROM public_search WHERE rowid = old.id * 8 + 3;
END;
CREATE TRIGGER public_search_document_texts_au AFTER UPDATE OF text ON document_texts BEGIN
    DELETE FROM public_search WHERE rowid = new.document_id * 8 + 3;
    INSERT INTO public_search (rowid, title, body, request_id, date)
    SELECT d.id * 8 + 3, d.filename, d.description || char(10) || new.text, d.request_id, substr(d.created_at, 1, 10)
    FROM documents d JOIN requests r ON r.id = d.request_id JOIN document_publications p ON p.document_id = d.id
    WHERE d.id = new.document_id AND r.visibility = 'public' AND d.disposition IN ('released', 'released_redacted');
END;
CREATE TRIGGER public_search_publications_ai AFTER INSERT ON document_publications BEGIN
    DELETE FROM public_search WHERE rowid = new.document_id * 8 + 3;
    INSERT INTO public_search (rowid, title, body, request_id, date)
    SELECT d.id * 8 + 3, d.filename, d.description || char(10) || COALESCE(x.text, ''), d.request_id, substr(d.created_at, 1, 10)
    FROM documents d JOIN requests r ON r.id = d.request_id LEFT JOIN document_texts x ON x.document_id = d.id
    WHERE d.id = new.document_id AND r.visibility = 'public' AND d.disposition IN ('released', 'released_redacted');
END;
CREATE TRIGGER public_search_publications_ad AFTER DELETE ON document_publications BEGIN
    DELETE FROM public_search WHERE rowid = old.document_id * 8 + 3;
END;

INSERT INTO public_search (rowid, title, body, request_id, date)
SELECT r.id * 8 + 1, r.title, r.body || char(10) || COALESCE(a.name, ''), r.id, COALESCE(r.sent_on, substr(r.created_at, 1, 10))
FROM requests r LEFT JOIN authorities a ON a.id = r.authority_id WHERE r.visibility = 'public';
INSERT INTO public_search (rowid, title, body, request_id, date)
SELECT d.id * 8 + 3, d.filename, d.description || char(10) || COALESCE(x.text, ''), d.request_id, substr(d.created_at, 1, 10)
FROM documents d JOIN requests r ON r.id = d.request_id JOIN document_publications p ON p.document_id = d.id
LEFT JOIN document_texts x ON x.document_id = d.id
WHERE r.visibility = 'public' AND d.disposition IN ('released', 'released_redacted');

-- migrate:35 claims by exemption, then request
-- A search by exemption: alone lists the newest requests that cited it:
-- each cited (law, code) pair's claims are read in request order,
-- newest first, merged, and the walk stops at the search's bound,
-- whatever the number of claims (it read every claim of the pairs, and
-- each one's request row). The (law, code) index is this one's prefix.
CREATE INDEX exemption_claims_code_request ON exemption_claims (law, code, request_id);
DROP INDEX exemption_claims_code;

-- migrate:36 items' requests by id
-- The request list's search box finds each match's request from the
-- match's rowid and its item's request_id: read from the item's row, that
-- was a descent into the wide mail, document and history tables (their
-- text inline) for each of up to 5,000 matches, two thirds of the page.
-- These narrow copies of (id, request_id) answer it from a few pages.
CREATE INDEX mail_messages_id_request ON mail_messages (id, request_id);
CREATE INDEX documents_id_request ON documents (id, request_id);
CREATE INDEX request_events_id_request ON request_events (id, request_id);

-- migrate:37 search by kind [foreign_keys=off]
-- search_index gets a column kind holding one word, k1 to k6 (the rowid's
-- kind: id * 8 + kind), so that kind: is a part of the full-text query
-- (`… AND {kind} : k3`) and FTS5 skips the other kinds' rows: filtered
-- after the match (rowid % 8), a common word's walk newest first read
-- every kind's rows until it had enough of the one asked for (47 ms of
-- CPU for kind:document at 100,000 requests), and for a rare kind all of
-- them. The words people type are matched in the other columns only
-- ({title body private}), so no typed word finds a kind's every row.
-- FTS5 cannot add a column: the index is copied, made again with it, and
-- its triggers that write it made again with it (those that only delete
-- from it are unchanged).
DROP TRIGGER search_requests_ai;
DROP TRIGGER search_requests_au;
DROP TRIGGER search_request_events_ai;
DROP TRIGGER search_request_events_au;
DROP TRIGGER search_mail_ai;
DROP TRIGGER search_mail_au;
DROP TRIGGER search_documents_ai;
DROP TRIGGER search_documents_au;
DROP TRIGGER search_document_texts_au;
DROP TRIGGER search_timeline_ai;
DROP TRIGGER search_timeline_au;
DROP TRIGGER search_authorities_ai;
DROP TRIGGER search_authorities_au;
CREATE TABLE search_index_copy AS SELECT rowid AS rid, title, body, private, request_id, date FROM search_index;
DROP TABLE search_index;
CREATE VIRTUAL TABLE search_index USING fts5 (
    title, body, private, kind,
    request_id UNINDEXED, date UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
SELECT rid, 'k' || (rid % 8), title, body, private, request_id, date FROM search_index_copy ORDER BY rid;
DROP TABLE search_index_copy;
CREATE TRIGGER search_requests_ai AFTER INSERT ON requests BEGIN
    INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
    VALUES (new.id * 8 + 1, 'k1', new.title,
            new.body || char(10) || COALESCE((SELECT name FROM authorities WHERE id = new.authority_id), ''),
            new.notes || ' ' || new.our_ref || ' ' || new.their_ref,
            new.id, COALESCE(new.sent_on, substr(new.created_at, 1, 10)));
END;
CREATE TRIGGER search_requests_au AFTER UPDATE OF title, body, notes, our_ref, their_ref, sent_on, authority_id ON requests BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 1;
    INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
    VALUES (new.id * 8 + 1, 'k1', new.title,
            new.body || char(10) || COALESCE((SELECT name FROM authorities WHERE id = new.authority_id), ''),
            new.notes || ' ' || new.our_ref || ' ' || new.their_ref,
            new.id, COALESCE(new.sent_on, substr(new.created_at, 1, 10)));
END;
CREATE TRIGGER search_request_events_ai AFTER INSERT ON request_events
WHEN new.note <> '' OR new.reason <> '' OR new.exemptions <> '[]' BEGIN
    INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
    VALUES (new.id * 8 + 6, 'k6', replace(new.kind, '_', ' '), '',
            new.note || ' ' || new.reason || ' ' || (SELECT COALESCE(group_concat(value, ' '), '') FROM json_each(new.exemptions)),
            new.request_id, new.date);
END;
CREATE TRIGGER search_request_events_au AFTER UPDATE ON request_events BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 6;
    INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
    SELECT new.id * 8 + 6, 'k6', replace(new.kind, '_', ' '), '',
           new.note || ' ' || new.reason || ' ' || (SELECT COALESCE(group_concat(value, ' '), '') FROM json_each(new.exemptions)),
           new.request_id, new.date
    WHERE new.note <> '' OR new.reason <> '' OR new.exemptions <> '[]';
END;
CREATE TRIGGER search_mail_ai AFTER INSERT ON mail_messages BEGIN
    INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
    VALUES (new.id * 8 + 2, 'k2', new.subject, new.text_body, new.from_name || ' ' || new.from_addr,
            COALESCE(new.request_id, 0), substr(COALESCE(new.sent_at, new.created_at), 1, 10));
END;
CREATE TRIGGER search_mail_au AFTER UPDATE OF subject, text_body, from_name, from_addr, request_id, sent_at ON mail_messages BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 2;
    INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
    VALUES (new.id * 8 + 2, 'k2', new.subject, new.text_body, new.from_name || ' ' || new.from_addr,
            COALESCE(new.request_id, 0), substr(COALESCE(new.sent_at, new.created_at), 1, 10));
END;
CREATE TRIGGER search_documents_ai AFTER INSERT ON documents BEGIN
    INSERT INTO document_texts (document_id, state, updated_at)
    VALUES (new.id, CASE WHEN new.sha256 IS NULL THEN 'no_file' ELSE 'pending' END, new.created_at);
    INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
    VALUES (new.id * 8 + 3, 'k3', new.filename, new.description, '', new.request_id, substr(new.created_at, 1, 10));
END;
CREATE TRIGGER search_documents_au AFTER UPDATE OF filename, description, request_id ON documents BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 3;
    INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
    VALUES (new.id * 8 + 3, 'k3', new.filename,
            new.description || char(10) || COALESCE((SELECT text FROM document_texts WHERE document_id = new.id), ''),
            '', new.request_id, substr(new.created_at, 1, 10));
END;
CREATE TRIGGER search_document_texts_au AFTER UPDATE OF text ON document_texts BEGIN
    DELETE FROM search_index WHERE rowid = new.document_id * 8 + 3;
    INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
    SELECT d.id * 8 + 3, 'k3', d.filename, d.description || char(10) || new.text, '', d.request_id, substr(d.created_at, 1, 10)
    FROM documents d WHERE d.id = new.document_id;
END;
CREATE TRIGGER search_timeline_ai AFTER INSERT ON timeline_events BEGIN
    INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
    VALUES (new.id * 8 + 4, 'k4', new.title, new.body, '', 0, new.date);
END;
CREATE TRIGGER search_timeline_au AFTER UPDATE OF title, body, date ON timeline_events BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 4;
    INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
    VALUES (new.id * 8 + 4, 'k4', new.title, new.body, '', 0, new.date);
END;
CREATE TRIGGER search_authorities_ai AFTER INSERT ON authorities BEGIN
    INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
    VALUES (new.id * 8 + 5, 'k5', new.name, new.short_name, new.notes, 0, '');
END;
CREATE TRIGGER search_authorities_au AFTER UPDATE OF name, short_name, notes ON authorities
WHEN old.name IS NOT new.name OR old.short_name IS NOT new.short_name OR old.notes IS NOT new.notes BEGIN
    DELETE FROM search_index WHERE rowid = old.id * 8 + 5;
    INSERT INTO search_index (rowid, kind, title, body, private, request_id, date)
    VALUES (new.id * 8 + 5, 'k5', new.name, new.short_name, new.notes, 0, '');
    -- Re-index the authority's requests (they carry its name): a no-op
    -- update of a column the request trigger watches.
    UPDATE requests SET authority_id = authority_id WHERE authority_id = new.id AND old.name <> new.name;
END;

-- migrate:38 search words by request
-- The request list's search box lists the requests its words find
-- something about (the request, its mail, documents, history), newest
-- request first, a page at a time. search_index gives its matches in the
-- order of their items (id * 8 + kind), not of their requests, so the list
-- read every match to sort their requests (5,000 at most: 30 ms a page at
-- 100,000 requests, and a common word's older requests left out). This
-- index holds the same words as search_index's rows about a request, in
-- the same columns and with its tokenizer, under rowid = request id * 2^32
-- + the row's rowid in search_index: walked newest first, it gives each
-- request's matches together and in the list's order, so a page reads as
-- many matches as it shows requests (see requestsByWords). Contentless:
-- only the words, never a second copy of the text (search_index has it);
-- contentless_delete lets the triggers delete a row by rowid. Its name has
-- search_index in it: a bulk load drops these triggers and fills it at the
-- end, as it does search_index (triggerFills).
CREATE VIRTUAL TABLE request_search_index USING fts5 (
    title, body, private,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER request_search_index_requests_ai AFTER INSERT ON requests BEGIN
    INSERT INTO request_search_index (rowid, title, body, private)
    VALUES (new.id * 4294967296 + new.id * 8 + 1, new.title,
            new.body || char(10) || COALESCE((SELECT name FROM authorities WHERE id = new.authority_id), ''),
            new.notes || ' ' || new.our_ref || ' ' || new.their_ref);
END;
CREATE TRIGGER request_search_index_requests_au AFTER UPDATE OF title, body, notes, our_ref, their_ref, authority_id ON requests BEGIN
    DELETE FROM request_search_index WHERE rowid = old.id * 4294967296 + old.id * 8 + 1;
    INSERT INTO request_search_index (rowid, title, body, private)
    VALUES (new.id * 4294967296 + new.id * 8 + 1, new.title,
            new.body || char(10) || COALESCE((SELECT name FROM authorities WHERE id = new.authority_id), ''),
            new.notes || ' ' || new.our_ref || ' ' || new.their_ref);
END;
CREATE TRIGGER request_search_index_requests_ad AFTER DELETE ON requests BEGIN
    DELETE FROM request_search_index WHERE rowid = old.id * 4294967296 + old.id * 8 + 1;
END;
CREATE TRIGGER request_search_index_events_ai AFTER INSERT ON request_events
WHEN new.note <> '' OR new.reason <> '' OR new.exemptions <> '[]' BEGIN
    INSERT INTO request_search_index (rowid, title, body, private)
    VALUES (new.request_id * 4294967296 + new.id * 8 + 6, replace(new.kind, '_', ' '), '',
            new.note || ' ' || new.reason || ' ' || (SELECT COALESCE(group_concat(value, ' '), '') FROM json_each(new.exemptions)));
END;
CREATE TRIGGER request_search_index_events_au AFTER UPDATE ON request_events BEGIN
    DELETE FROM request_search_index WHERE rowid = old.request_id * 4294967296 + old.id * 8 + 6;
    INSERT INTO request_search_index (rowid, title, body, private)
    SELECT new.request_id * 4294967296 + new.id * 8 + 6, replace(new.kind, '_', ' '), '',
           new.note || ' ' || new.reason || ' ' || (SELECT COALESCE(group_concat(value, ' '), '') FROM json_each(new.exemptions))
    WHERE new.note <> '' OR new.reason <> '' OR new.exemptions <> '[]';
END;
CREATE TRIGGER request_search_index_events_ad AFTER DELETE ON request_events BEGIN
    DELETE FROM request_search_index WHERE rowid = old.request_id * 4294967296 + old.id * 8 + 6;
END;
-- Mail in the holding pen (no request) is in no request's list.
CREATE TRIGGER request_search_index_mail_ai AFTER INSERT ON mail_messages WHEN new.request_id IS NOT NULL BEGIN
    INSERT INTO request_search_index (rowid, title, body, private)
    VALUES (new.request_id * 4294967296 + new.id * 8 + 2, new.subject, new.text_body, new.from_name || ' ' || new.from_addr);
END;
CREATE TRIGGER request_search_index_mail_au AFTER UPDATE OF subject, text_body, from_name, from_addr, request_id ON mail_messages BEGIN
    DELETE FROM request_search_index WHERE old.request_id IS NOT NULL AND rowid = old.request_id * 4294967296 + old.id * 8 + 2;
    INSERT INTO request_search_index (rowid, title, body, private)
    SELECT new.request_id * 4294967296 + new.id * 8 + 2, new.subject, new.text_body, new.from_name || ' ' || new.from_addr
    WHERE new.request_id IS NOT NULL;
END;
CREATE TRIGGER request_search_index_mail_ad AFTER DELETE ON mail_messages WHEN old.request_id IS NOT NULL BEGIN
    DELETE FROM request_search_index WHERE rowid = old.request_id * 4294967296 + old.id * 8 + 2;
END;
CREATE TRIGGER request_search_index_documents_ai AFTER INSERT ON documents BEGIN
    INSERT INTO request_search_index (rowid, title, body, private)
    VALUES (new.request_id * 4294967296 + new.id * 8 + 3, new.filename, new.description, '');
END;
CREATE TRIGGER request_search_index_documents_au AFTER UPDATE OF filename, description, request_id ON documents BEGIN
    DELETE FROM request_search_index WHERE rowid = old.request_id * 4294967296 + old.id * 8 + 3;
    INSERT INTO request_search_index (rowid, title, body, private)
    VALUES (new.request_id * 4294967296 + new.id * 8 + 3, new.filename,
            new.description || char(10) || COALESCE((SELECT text FROM document_texts WHERE document_id = new.id), ''), '');
END;
CREATE TRIGGER request_search_index_documents_ad AFTER DELETE ON documents BEGIN
    DELETE FROM request_search_index WHERE rowid = old.request_id * 4294967296 + old.id * 8 + 3;
END;
CREATE TRIGGER request_search_index_document_texts_au AFTER UPDATE OF text ON document_texts BEGIN
    DELETE FROM request_search_index WHERE rowid = (SELECT d.request_id * 4294967296 + d.id * 8 + 3 FROM documents d WHERE d.id = new.document_id);
    INSERT INTO request_search_index (rowid, title, body, private)
    SELECT d.request_id * 4294967296 + d.id * 8 + 3, d.filename, d.description || char(10) || new.text, ''
    FROM documents d WHERE d.id = new.document_id;
END;
-- What is there already, kind by kind, each in the index's rowid order
-- (FTS5 writes its pending words out whenever a rowid is not above the
-- last one): requests by id, the others by (request_id, id).
INSERT INTO request_search_index (rowid, title, body, private)
SELECT r.id * 4294967296 + r.id * 8 + 1, r.title, r.body || char(10) || COALESCE(a.name, ''), r.notes || ' ' || r.our_ref || ' ' || r.their_ref
FROM requests r LEFT JOIN authorities a ON a.id = r.authority_id ORDER BY r.id;
INSERT INTO request_search_index (rowid, title, body, private)
SELECT m.request_id * 4294967296 + m.id * 8 + 2, m.subject, m.text_body, m.from_name || ' ' || m.from_addr
FROM mail_messages m INDEXED BY mail_messages_request WHERE m.request_id IS NOT NULL ORDER BY m.request_id, m.id;
INSERT INTO request_search_index (rowid, title, body, private)
SELECT d.request_id * 4294967296 + d.id * 8 + 3, d.filename, d.description || char(10) || COALESCE(x.text, ''), ''
FROM documents d LEFT JOIN document_texts x ON x.document_id = d.id ORDER BY d.request_id, d.id;
INSERT INTO request_search_index (rowid, title, body, private)
SELECT e.request_id * 4294967296 + e.id * 8 + 6, replace(e.kind, '_', ' '), '',
       e.note || ' ' || e.reason || ' ' || (SELECT COALESCE(group_concat(value, ' '), '') FROM json_each(e.exemptions))
FROM request_events e WHERE e.note <> '' OR e.reason <> '' OR e.exemptions <> '[]' ORDER BY e.request_id, e.id;

-- migrate:39 the days a stored standing read, and the rules it was worked out under
-- plan_read_from and plan_read_to are the first and last days of the
-- request's law's calendar whose holidays its standing read when it was
-- last stored (tracker.Derived.Read; both '' when it read none, NULL:
-- unknown, as in every row from before this section); plan_rules.rules is
-- the tracker.RuleSet (JSON) whose fingerprint plan_rules holds. After a
-- release changes the rules, a recompute of every request works out again
-- only those the change can affect (tracker.RulesChange): a holiday added
-- on a day no standing of its calendar read changes none of them. Adding
-- columns rewrites no row.
ALTER TABLE requests ADD COLUMN plan_read_from TEXT;
ALTER TABLE requests ADD COLUMN plan_read_to TEXT;
ALTER TABLE plan_rules ADD COLUMN rules TEXT;

-- migrate:40 insight counts
-- The insight figures that do not depend on the day, per authority and law,
-- kept by triggers in the transaction of each write to a request, and the
-- working days to each first response and review outcome as counts per
-- number of days (medians and 90th percentiles are read off them): the
-- insight pages read a row per authority and law and per distinct number
-- of days, where they aggregated every request (2 to 6 s of CPU at
-- 100,000 requests, redone after each write). Filled from the requests in
-- one pass over the requests_insight index.
CREATE TABLE insight_counts (
    authority_id         INTEGER NOT NULL,
    law                  TEXT NOT NULL,
    requests             INTEGER NOT NULL,
    sent                 INTEGER NOT NULL,
    answered             INTEGER NOT NULL,
    on_time              INTEGER NOT NULL,
    late                 INTEGER NOT NULL,
    released_in_full     INTEGER NOT NULL,
    released_in_part     INTEGER NOT NULL,
    refused              INTEGER NOT NULL,
    not_held             INTEGER NOT NULL,
    ncnd                 INTEGER NOT NULL,
    awaiting             INTEGER NOT NULL,
    reviews              INTEGER NOT NULL,
    reviews_overturned   INTEGER NOT NULL,
    regulator            INTEGER NOT NULL,
    regulator_overturned INTEGER NOT NULL,
    PRIMARY KEY (authority_id, law)
) WITHOUT ROWID;
INSERT INTO insight_counts (authority_id, law, requests, sent, answered, on_time, late, released_in_full, released_in_part, refused, not_held, ncnd, awaiting, reviews, reviews_overturned, regulator, regulator_overturned)
SELECT r.authority_id, r.law,
    count(*),
    sum(r.sent_on IS NOT NULL),
    sum(r.responded_on IS NOT NULL),
    sum(COALESCE(r.responded_on <= r.response_due_on, 0)),
    sum(COALESCE(r.responded_on > r.response_due_on, 0)),
    sum(r.first_outcome = 'released_in_full'),
    sum(r.first_outcome = 'released_in_part'),
    sum(r.first_outcome = 'refused'),
    sum(r.first_outcome = 'not_held'),
    sum(r.first_outcome = 'neither_confirm_nor_deny'),
    sum(r.sent_on IS NOT NULL AND r.responded_on IS NULL AND r.status NOT IN ('withdrawn', 'closed')),
    sum(r.review_outcome <> ''),
    sum(r.review_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld')),
    sum(r.regulator_outcome <> ''),
    sum(r.regulator_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld'))
FROM requests r GROUP BY r.authority_id, r.law;
CREATE TABLE insight_days (
    kind         TEXT NOT NULL CHECK (kind IN ('response', 'review')),
    authority_id INTEGER NOT NULL,
    law          TEXT NOT NULL,
    days         INTEGER NOT NULL,
    requests     INTEGER NOT NULL,
    PRIMARY KEY (kind, authority_id, law, days)
) WITHOUT ROWID;
INSERT INTO insight_days (kind, authority_id, law, days, requests)
SELECT 'response', authority_id, law, response_days, count(*) FROM requests WHERE response_days >= 0 GROUP BY authority_id, law, response_days;
INSERT INTO insight_days (kind, authority_id, law, days, requests)
SELECT 'review', authority_id, law, review_days, count(*) FROM requests WHERE review_days >= 0 GROUP BY authority_id, law, review_days;
CREATE TRIGGER insight_counts_insert AFTER INSERT ON requests BEGIN
    INSERT INTO insight_counts (authority_id, law, requests, sent, answered, on_time, late, released_in_full, released_in_part, refused, not_held, ncnd, awaiting, reviews, reviews_overturned, regulator, regulator_overturned)
    VALUES (NEW.authority_id, NEW.law,
        (1),
        (NEW.sent_on IS NOT NULL),
        (NEW.responded_on IS NOT NULL),
        (COALESCE(NEW.responded_on <= NEW.response_due_on, 0)),
        (COALESCE(NEW.responded_on > NEW.response_due_on, 0)),
        (NEW.first_outcome = 'released_in_full'),
        (NEW.first_outcome = 'released_in_part'),
        (NEW.first_outcome = 'refused'),
        (NEW.first_outcome = 'not_held'),
        (NEW.first_outcome = 'neither_confirm_nor_deny'),
        (NEW.sent_on IS NOT NULL AND NEW.responded_on IS NULL AND NEW.status NOT IN ('withdrawn', 'closed')),
        (NEW.review_outcome <> ''),
        (NEW.review_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld')),
        (NEW.regulator_outcome <> ''),
        (NEW.regulator_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld')))
        ON CONFLICT (authority_id, law) DO UPDATE SET
            requests = requests + excluded.requests,
            sent = sent + excluded.sent,
            answered = answered + excluded.answered,
            on_time = on_time + excluded.on_time,
            late = late + excluded.late,
            released_in_full = released_in_full + excluded.released_in_full,
            released_in_part = released_in_part + excluded.released_in_part,
            refused = refused + excluded.refused,
            not_held = not_held + excluded.not_held,
            ncnd = ncnd + excluded.ncnd,
            awaiting = awaiting + excluded.awaiting,
            reviews = reviews + excluded.reviews,
            reviews_overturned = reviews_overturned + excluded.reviews_overturned,
            regulator = regulator + excluded.regulator,
            regulator_overturned = regulator_overturned + excluded.regulator_overturned;
    INSERT INTO insight_days (kind, authority_id, law, days, requests)
    SELECT 'response', NEW.authority_id, NEW.law, NEW.response_days, 1 WHERE NEW.response_days >= 0
        ON CONFLICT (kind, authority_id, law, days) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_days (kind, authority_id, law, days, requests)
    SELECT 'review', NEW.authority_id, NEW.law, NEW.review_days, 1 WHERE NEW.review_days >= 0
        ON CONFLICT (kind, authority_id, law, days) DO UPDATE SET requests = requests + excluded.requests;
END;
CREATE TRIGGER insight_counts_update AFTER UPDATE OF authority_id, law, sent_on, responded_on, response_due_on, first_outcome, status, review_outcome, regulator_outcome,
    response_days, review_days ON requests
WHEN OLD.authority_id IS NOT NEW.authority_id OR OLD.law IS NOT NEW.law OR OLD.sent_on IS NOT NEW.sent_on
    OR OLD.responded_on IS NOT NEW.responded_on OR OLD.response_due_on IS NOT NEW.response_due_on
    OR OLD.first_outcome IS NOT NEW.first_outcome OR OLD.status IS NOT NEW.status
    OR OLD.review_outcome IS NOT NEW.review_outcome OR OLD.regulator_outcome IS NOT NEW.regulator_outcome
    OR OLD.response_days IS NOT NEW.response_days OR OLD.review_days IS NOT NEW.review_days BEGIN
    INSERT INTO insight_counts (authority_id, law, requests, sent, answered, on_time, late, released_in_full, released_in_part, refused, not_held, ncnd, awaiting, reviews, reviews_overturned, regulator, regulator_overturned)
    VALUES (OLD.authority_id, OLD.law,
        -(1),
        -(OLD.sent_on IS NOT NULL),
        -(OLD.responded_on IS NOT NULL),
        -(COALESCE(OLD.responded_on <= OLD.response_due_on, 0)),
        -(COALESCE(OLD.responded_on > OLD.response_due_on, 0)),
        -(OLD.first_outcome = 'released_in_full'),
        -(OLD.first_outcome = 'released_in_part'),
        -(OLD.first_outcome = 'refused'),
        -(OLD.first_outcome = 'not_held'),
        -(OLD.first_outcome = 'neither_confirm_nor_deny'),
        -(OLD.sent_on IS NOT NULL AND OLD.responded_on IS NULL AND OLD.status NOT IN ('withdrawn', 'closed')),
        -(OLD.review_outcome <> ''),
        -(OLD.review_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld')),
        -(OLD.regulator_outcome <> ''),
        -(OLD.regulator_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld')))
        ON CONFLICT (authority_id, law) DO UPDATE SET
            requests = requests + excluded.requests,
            sent = sent + excluded.sent,
            answered = answered + excluded.answered,
            on_time = on_time + excluded.on_time,
            late = late + excluded.late,
            released_in_full = released_in_full + excluded.released_in_full,
            released_in_part = released_in_part + excluded.released_in_part,
            refused = refused + excluded.refused,
            not_held = not_held + excluded.not_held,
            ncnd = ncnd + excluded.ncnd,
            awaiting = awaiting + excluded.awaiting,
            reviews = reviews + excluded.reviews,
            reviews_overturned = reviews_overturned + excluded.reviews_overturned,
            regulator = regulator + excluded.regulator,
            regulator_overturned = regulator_overturned + excluded.regulator_overturned;
    INSERT INTO insight_counts (authority_id, law, requests, sent, answered, on_time, late, released_in_full, released_in_part, refused, not_held, ncnd, awaiting, reviews, reviews_overturned, regulator, regulator_overturned)
    VALUES (NEW.authority_id, NEW.law,
        (1),
        (NEW.sent_on IS NOT NULL),
        (NEW.responded_on IS NOT NULL),
        (COALESCE(NEW.responded_on <= NEW.response_due_on, 0)),
        (COALESCE(NEW.responded_on > NEW.response_due_on, 0)),
        (NEW.first_outcome = 'released_in_full'),
        (NEW.first_outcome = 'released_in_part'),
        (NEW.first_outcome = 'refused'),
        (NEW.first_outcome = 'not_held'),
        (NEW.first_outcome = 'neither_confirm_nor_deny'),
        (NEW.sent_on IS NOT NULL AND NEW.responded_on IS NULL AND NEW.status NOT IN ('withdrawn', 'closed')),
        (NEW.review_outcome <> ''),
        (NEW.review_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld')),
        (NEW.regulator_outcome <> ''),
        (NEW.regulator_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld')))
        ON CONFLICT (authority_id, law) DO UPDATE SET
            requests = requests + excluded.requests,
            sent = sent + excluded.sent,
            answered = answered + excluded.answered,
            on_time = on_time + excluded.on_time,
            late = late + excluded.late,
            released_in_full = released_in_full + excluded.released_in_full,
            released_in_part = released_in_part + excluded.released_in_part,
            refused = refused + excluded.refused,
            not_held = not_held + excluded.not_held,
            ncnd = ncnd + excluded.ncnd,
            awaiting = awaiting + excluded.awaiting,
            reviews = reviews + excluded.reviews,
            reviews_overturned = reviews_overturned + excluded.reviews_overturned,
            regulator = regulator + excluded.regulator,
            regulator_overturned = regulator_overturned + excluded.regulator_overturned;
    INSERT INTO insight_days (kind, authority_id, law, days, requests)
    SELECT 'response', OLD.authority_id, OLD.law, OLD.response_days, -1 WHERE OLD.response_days >= 0
        ON CONFLICT (kind, authority_id, law, days) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_days (kind, authority_id, law, days, requests)
    SELECT 'review', OLD.authority_id, OLD.law, OLD.review_days, -1 WHERE OLD.review_days >= 0
        ON CONFLICT (kind, authority_id, law, days) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_days (kind, authority_id, law, days, requests)
    SELECT 'response', NEW.authority_id, NEW.law, NEW.response_days, 1 WHERE NEW.response_days >= 0
        ON CONFLICT (kind, authority_id, law, days) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_days (kind, authority_id, law, days, requests)
    SELECT 'review', NEW.authority_id, NEW.law, NEW.review_days, 1 WHERE NEW.review_days >= 0
        ON CONFLICT (kind, authority_id, law, days) DO UPDATE SET requests = requests + excluded.requests;
END;
CREATE TRIGGER insight_counts_delete AFTER DELETE ON requests BEGIN
    INSERT INTO insight_counts (authority_id, law, requests, sent, answered, on_time, late, released_in_full, released_in_part, refused, not_held, ncnd, awaiting, reviews, reviews_overturned, regulator, regulator_overturned)
    VALUES (OLD.authority_id, OLD.law,
        -(1),
        -(OLD.sent_on IS NOT NULL),
        -(OLD.responded_on IS NOT NULL),
        -(COALESCE(OLD.responded_on <= OLD.response_due_on, 0)),
        -(COALESCE(OLD.responded_on > OLD.response_due_on, 0)),
        -(OLD.first_outcome = 'released_in_full'),
        -(OLD.first_outcome = 'released_in_part'),
        -(OLD.first_outcome = 'refused'),
        -(OLD.first_outcome = 'not_held'),
        -(OLD.first_outcome = 'neither_confirm_nor_deny'),
        -(OLD.sent_on IS NOT NULL AND OLD.responded_on IS NULL AND OLD.status NOT IN ('withdrawn', 'closed')),
        -(OLD.review_outcome <> ''),
        -(OLD.review_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld')),
        -(OLD.regulator_outcome <> ''),
        -(OLD.regulator_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld')))
        ON CONFLICT (authority_id, law) DO UPDATE SET
            requests = requests + excluded.requests,
            sent = sent + excluded.sent,
            answered = answered + excluded.answered,
            on_time = on_time + excluded.on_time,
            late = late + excluded.late,
            released_in_full = released_in_full + excluded.released_in_full,
            released_in_part = released_in_part + excluded.released_in_part,
            refused = refused + excluded.refused,
            not_held = not_held + excluded.not_held,
            ncnd = ncnd + excluded.ncnd,
            awaiting = awaiting + excluded.awaiting,
            reviews = reviews + excluded.reviews,
            reviews_overturned = reviews_overturned + excluded.reviews_overturned,
            regulator = regulator + excluded.regulator,
            regulator_overturned = regulator_overturned + excluded.regulator_overturned;
    INSERT INTO insight_days (kind, authority_id, law, days, requests)
    SELECT 'response', OLD.authority_id, OLD.law, OLD.response_days, -1 WHERE OLD.response_days >= 0
        ON CONFLICT (kind, authority_id, law, days) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_days (kind, authority_id, law, days, requests)
    SELECT 'review', OLD.authority_id, OLD.law, OLD.review_days, -1 WHERE OLD.review_days >= 0
        ON CONFLICT (kind, authority_id, law, days) DO UPDATE SET requests = requests + excluded.requests;
END;
-- The requests with a due date (the open ones), for the figures that
-- depend on the day: those overdue now, of all authorities and of one.
CREATE INDEX requests_overdue ON requests (due_date, authority_id, law) WHERE due_date IS NOT NULL;
CREATE INDEX requests_overdue_authority ON requests (authority_id, due_date, law) WHERE due_date IS NOT NULL;

-- migrate:41 insight exemption counts
-- The requests citing each exemption (each request once, however many of
-- its responses, reviews and documents cite it), and the refused requests
-- citing each section (s31 for s31(1)(a)), per authority and law of the
-- request, kept by triggers as migrate:40's counts are: the insight pages
-- counted distinct requests over every claim. A request's deletion
-- removes its claims after the request (they no longer find it), so it
-- takes its counts away before.
CREATE TABLE insight_exemptions (
    authority_id INTEGER NOT NULL,
    law          TEXT NOT NULL,
    claim_law    TEXT NOT NULL,
    code         TEXT NOT NULL,
    requests     INTEGER NOT NULL,
    PRIMARY KEY (authority_id, law, claim_law, code)
) WITHOUT ROWID;
INSERT INTO insight_exemptions (authority_id, law, claim_law, code, requests)
SELECT r.authority_id, r.law, c.law, c.code, count(DISTINCT c.request_id)
FROM exemption_claims c JOIN requests r ON r.id = c.request_id GROUP BY r.authority_id, r.law, c.law, c.code;
CREATE TABLE insight_refused (
    authority_id INTEGER NOT NULL,
    law          TEXT NOT NULL,
    section      TEXT NOT NULL,
    requests     INTEGER NOT NULL,
    PRIMARY KEY (authority_id, law, section)
) WITHOUT ROWID;
INSERT INTO insight_refused (authority_id, law, section, requests)
SELECT r.authority_id, r.law, CASE WHEN instr(c.code, '(') > 1 THEN substr(c.code, 1, instr(c.code, '(') - 1) ELSE c.code END AS s,
    count(DISTINCT r.id)
FROM requests r JOIN exemption_claims c ON c.request_id = r.id WHERE r.first_outcome = 'refused' GROUP BY r.authority_id, r.law, s;
-- A claim counts when it is its request's first of that exemption (or
-- section), and stops counting with its last.
CREATE TRIGGER insight_exemptions_insert AFTER INSERT ON exemption_claims BEGIN
    INSERT INTO insight_exemptions (authority_id, law, claim_law, code, requests)
    SELECT r.authority_id, r.law, NEW.law, NEW.code, 1 FROM requests r
    WHERE r.id = NEW.request_id AND NOT EXISTS (SELECT 1 FROM exemption_claims c
        WHERE c.request_id = NEW.request_id AND c.law = NEW.law AND c.code = NEW.code AND c.id <> NEW.id)
        ON CONFLICT (authority_id, law, claim_law, code) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_refused (authority_id, law, section, requests)
    SELECT r.authority_id, r.law, CASE WHEN instr(NEW.code, '(') > 1 THEN substr(NEW.code, 1, instr(NEW.code, '(') - 1) ELSE NEW.code END, 1
    FROM requests r
    WHERE r.id = NEW.request_id AND r.first_outcome = 'refused' AND NOT EXISTS (SELECT 1 FROM exemption_claims c
        WHERE c.request_id = NEW.request_id AND c.id <> NEW.id
        AND CASE WHEN instr(c.code, '(') > 1 THEN substr(c.code, 1, instr(c.code, '(') - 1) ELSE c.code END
          = CASE WHEN instr(NEW.code, '(') > 1 THEN substr(NEW.code, 1, instr(NEW.code, '(') - 1) ELSE NEW.code END)
        ON CONFLICT (authority_id, law, section) DO UPDATE SET requests = requests + excluded.requests;
END;
CREATE TRIGGER insight_exemptions_delete AFTER DELETE ON exemption_claims BEGIN
    INSERT INTO insight_exemptions (authority_id, law, claim_law, code, requests)
    SELECT r.authority_id, r.law, OLD.law, OLD.code, -1 FROM requests r
    WHERE r.id = OLD.request_id AND NOT EXISTS (SELECT 1 FROM exemption_claims c
        WHERE c.request_id = OLD.request_id AND c.law = OLD.law AND c.code = OLD.code)
        ON CONFLICT (authority_id, law, claim_law, code) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_refused (authority_id, law, section, requests)
    SELECT r.authority_id, r.law, CASE WHEN instr(OLD.code, '(') > 1 THEN substr(OLD.code, 1, instr(OLD.code, '(') - 1) ELSE OLD.code END, -1
    FROM requests r
    WHERE r.id = OLD.request_id AND r.first_outcome = 'refused' AND NOT EXISTS (SELECT 1 FROM exemption_claims c
        WHERE c.request_id = OLD.request_id
        AND CASE WHEN instr(c.code, '(') > 1 THEN substr(c.code, 1, instr(c.code, '(') - 1) ELSE c.code END
          = CASE WHEN instr(OLD.code, '(') > 1 THEN substr(OLD.code, 1, instr(OLD.code, '(') - 1) ELSE OLD.code END)
        ON CONFLICT (authority_id, law, section) DO UPDATE SET requests = requests + excluded.requests;
END;
-- A claim moved (to another request, or another code): the old one's
-- last, then the new one's first.
CREATE TRIGGER insight_exemptions_update AFTER UPDATE OF request_id, law, code ON exemption_claims
WHEN OLD.request_id IS NOT NEW.request_id OR OLD.law IS NOT NEW.law OR OLD.code IS NOT NEW.code BEGIN
    INSERT INTO insight_exemptions (authority_id, law, claim_law, code, requests)
    SELECT r.authority_id, r.law, OLD.law, OLD.code, -1 FROM requests r
    WHERE r.id = OLD.request_id AND NOT EXISTS (SELECT 1 FROM exemption_claims c
        WHERE c.request_id = OLD.request_id AND c.law = OLD.law AND c.code = OLD.code)
        ON CONFLICT (authority_id, law, claim_law, code) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_refused (authority_id, law, section, requests)
    SELECT r.authority_id, r.law, CASE WHEN instr(OLD.code, '(') > 1 THEN substr(OLD.code, 1, instr(OLD.code, '(') - 1) ELSE OLD.code END, -1
    FROM requests r
    WHERE r.id = OLD.request_id AND r.first_outcome = 'refused' AND NOT EXISTS (SELECT 1 FROM exemption_claims c
        WHERE c.request_id = OLD.request_id
        AND CASE WHEN instr(c.code, '(') > 1 THEN substr(c.code, 1, instr(c.code, '(') - 1) ELSE c.code END
          = CASE WHEN instr(OLD.code, '(') > 1 THEN substr(OLD.code, 1, instr(OLD.code, '(') - 1) ELSE OLD.code END)
        ON CONFLICT (authority_id, law, section) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_exemptions (authority_id, law, claim_law, code, requests)
    SELECT r.authority_id, r.law, NEW.law, NEW.code, 1 FROM requests r
    WHERE r.id = NEW.request_id AND NOT EXISTS (SELECT 1 FROM exemption_claims c
        WHERE c.request_id = NEW.request_id AND c.law = NEW.law AND c.code = NEW.code AND c.id <> NEW.id)
        ON CONFLICT (authority_id, law, claim_law, code) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_refused (authority_id, law, section, requests)
    SELECT r.authority_id, r.law, CASE WHEN instr(NEW.code, '(') > 1 THEN substr(NEW.code, 1, instr(NEW.code, '(') - 1) ELSE NEW.code END, 1
    FROM requests r
    WHERE r.id = NEW.request_id AND r.first_outcome = 'refused' AND NOT EXISTS (SELECT 1 FROM exemption_claims c
        WHERE c.request_id = NEW.request_id AND c.id <> NEW.id
        AND CASE WHEN instr(c.code, '(') > 1 THEN substr(c.code, 1, instr(c.code, '(') - 1) ELSE c.code END
          = CASE WHEN instr(NEW.code, '(') > 1 THEN substr(NEW.code, 1, instr(NEW.code, '(') - 1) ELSE NEW.code END)
        ON CONFLICT (authority_id, law, section) DO UPDATE SET requests = requests + excluded.requests;
END;
-- A request moved to another authority or law, or refused or no longer:
-- its exemptions and sections counted again under what it is now.
CREATE TRIGGER insight_exemptions_request_update AFTER UPDATE OF authority_id, law, first_outcome ON requests
WHEN OLD.authority_id IS NOT NEW.authority_id OR OLD.law IS NOT NEW.law
    OR (OLD.first_outcome = 'refused') IS NOT (NEW.first_outcome = 'refused') BEGIN
    INSERT INTO insight_exemptions (authority_id, law, claim_law, code, requests)
    SELECT OLD.authority_id, OLD.law, c.law, c.code, -1 FROM (SELECT DISTINCT law, code FROM exemption_claims WHERE request_id = OLD.id) c
    WHERE true
        ON CONFLICT (authority_id, law, claim_law, code) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_exemptions (authority_id, law, claim_law, code, requests)
    SELECT NEW.authority_id, NEW.law, c.law, c.code, 1 FROM (SELECT DISTINCT law, code FROM exemption_claims WHERE request_id = NEW.id) c
    WHERE true
        ON CONFLICT (authority_id, law, claim_law, code) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_refused (authority_id, law, section, requests)
    SELECT OLD.authority_id, OLD.law, s.section, -1 FROM (SELECT DISTINCT
        CASE WHEN instr(code, '(') > 1 THEN substr(code, 1, instr(code, '(') - 1) ELSE code END AS section
        FROM exemption_claims WHERE request_id = OLD.id) s
    WHERE OLD.first_outcome = 'refused'
        ON CONFLICT (authority_id, law, section) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_refused (authority_id, law, section, requests)
    SELECT NEW.authority_id, NEW.law, s.section, 1 FROM (SELECT DISTINCT
        CASE WHEN instr(code, '(') > 1 THEN substr(code, 1, instr(code, '(') - 1) ELSE code END AS section
        FROM exemption_claims WHERE request_id = NEW.id) s
    WHERE NEW.first_outcome = 'refused'
        ON CONFLICT (authority_id, law, section) DO UPDATE SET requests = requests + excluded.requests;
END;
CREATE TRIGGER insight_exemptions_request_delete BEFORE DELETE ON requests BEGIN
    INSERT INTO insight_exemptions (authority_id, law, claim_law, code, requests)
    SELECT OLD.authority_id, OLD.law, c.law, c.code, -1 FROM (SELECT DISTINCT law, code FROM exemption_claims WHERE request_id = OLD.id) c
    WHERE true
        ON CONFLICT (authority_id, law, claim_law, code) DO UPDATE SET requests = requests + excluded.requests;
    INSERT INTO insight_refused (authority_id, law, section, requests)
    SELECT OLD.authority_id, OLD.law, s.section, -1 FROM (SELECT DISTINCT
        CASE WHEN instr(code, '(') > 1 THEN substr(code, 1, instr(code, '(') - 1) ELSE code END AS section
        FROM exemption_claims WHERE request_id = OLD.id) s
    WHERE OLD.first_outcome = 'refused'
        ON CONFLICT (authority_id, law, section) DO UPDATE SET requests = requests + excluded.requests;
END;

-- migrate:42 exemption counts by exemption
-- Who claimed one exemption (the exemptions catalogue), from the kept
-- counts by (exemption, authority): a search, not a pass over them all.
CREATE INDEX insight_exemptions_code ON insight_exemptions (claim_law, code, authority_id);

-- migrate:43 the fingerprints of the standings, apart
-- What a recompute reads of each request (store.Recompute): a covering
-- index, so that a pass over every request reads these few columns, not
-- the whole rows (about 1 kB each). Building it reads the table once and
-- copies no row of it.
CREATE INDEX requests_plan ON requests (id, law, plan_hash, plan_version, plan_inputs, plan_read_from, plan_read_to);

-- migrate:44 indexed words, for prefixes
-- A prefix (survei*) is searched as an OR of the indexed words it stands
-- for, read from search_terms: FTS5, with no prefix index on search_index
-- (made again with one: GBs and minutes at a million rows), merged the
-- posting lists of every such word before it gave the first match, a cost
-- that grows with the rows (store/search_terms.go). search_terms holds
-- each word (token, as FTS5 stores it) of search_index once, and query:
-- what FTS5 makes of the word when a query holds it (the porter stemmer
-- is not idempotent: "respons" becomes "respon"), filled by the background
-- worker in chunks of words from search_words (search_terms_fill.after is
-- the last word read, NULL once done: until then prefixes are searched as
-- before). Words never leave it: one that no row holds any longer finds
-- nothing.
CREATE TABLE search_terms (
    term  TEXT PRIMARY KEY,
    query TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE search_terms_fill (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    after   TEXT,
    written INTEGER NOT NULL -- the last rowid given in search_terms_new
);
INSERT INTO search_terms_fill (id, after, written) VALUES (1, '', 0);
CREATE VIRTUAL TABLE search_words USING fts5vocab (search_index, row);
-- The words written since the worker last looked: every text the
-- search_index triggers write is also written here (same tokenizer; no
-- content or positions kept: the words only), the worker moves its
-- words into search_terms and empties it, and a search reads both, so a
-- word is found from the moment its row is. Its rowids only ever grow
-- (search_terms_fill.written): FTS5 writes its pending words out as a
-- segment whenever a rowid is not above the last one.
CREATE VIRTUAL TABLE search_terms_new USING fts5 (
    title, body, private,
    content = '', contentless_delete = 1, detail = none,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE search_terms_new_words USING fts5vocab (search_terms_new, row);
-- Each writes the text its search_index trigger (section 37) writes.
CREATE TRIGGER search_terms_requests_ai AFTER INSERT ON requests BEGIN
    UPDATE search_terms_fill SET written = written + 1 WHERE id = 1;
    INSERT INTO search_terms_new (rowid, title, body, private)
    VALUES ((SELECT written FROM search_terms_fill WHERE id = 1), new.title, new.body || char(10) || COALESCE((SELECT name FROM authorities WHERE id = new.authority_id), ''),
            new.notes || ' ' || new.our_ref || ' ' || new.their_ref);
END;
CREATE TRIGGER search_terms_requests_au AFTER UPDATE OF title, body, notes, our_ref, their_ref, authority_id ON requests BEGIN
    UPDATE search_terms_fill SET written = written + 1 WHERE id = 1;
    INSERT INTO search_terms_new (rowid, title, body, private)
    VALUES ((SELECT written FROM search_terms_fill WHERE id = 1), new.title, new.body || char(10) || COALESCE((SELECT name FROM authorities WHERE id = new.authority_id), ''),
            new.notes || ' ' || new.our_ref || ' ' || new.their_ref);
END;
CREATE TRIGGER search_terms_request_events_ai AFTER INSERT ON request_events
WHEN new.note <> '' OR new.reason <> '' OR new.exemptions <> '[]' BEGIN
    UPDATE search_terms_fill SET written = written + 1 WHERE id = 1;
    INSERT INTO search_terms_new (rowid, title, body, private)
    VALUES ((SELECT written FROM search_terms_fill WHERE id = 1), replace(new.kind, '_', ' '), '',
            new.note || ' ' || new.reason || ' ' || (SELECT COALESCE(group_concat(value, ' '), '') FROM json_each(new.exemptions)));
END;
CREATE TRIGGER search_terms_request_events_au AFTER UPDATE ON request_events
WHEN new.note <> '' OR new.reason <> '' OR new.exemptions <> '[]' BEGIN
    UPDATE search_terms_fill SET written = written + 1 WHERE id = 1;
    INSERT INTO search_terms_new (rowid, title, body, private)
    VALUES ((SELECT written FROM search_terms_fill WHERE id = 1), replace(new.kind, '_', ' '), '',
            new.note || ' ' || new.reason || ' ' || (SELECT COALESCE(group_concat(value, ' '), '') FROM json_each(new.exemptions)));
END;
CREATE TRIGGER search_terms_mail_ai AFTER INSERT ON mail_messages BEGIN
    UPDATE search_terms_fill SET written = written + 1 WHERE id = 1;
    INSERT INTO search_terms_new (rowid, title, body, private)
    VALUES ((SELECT written FROM search_terms_fill WHERE id = 1), new.subject, new.text_body, new.from_name || ' ' || new.from_addr);
END;
CREATE TRIGGER search_terms_mail_au AFTER UPDATE OF subject, text_body, from_name, from_addr ON mail_messages BEGIN
    UPDATE search_terms_fill SET written = written + 1 WHERE id = 1;
    INSERT INTO search_terms_new (rowid, title, body, private)
    VALUES ((SELECT written FROM search_terms_fill WHERE id = 1), new.subject, new.text_body, new.from_name || ' ' || new.from_addr);
END;
CREATE TRIGGER search_terms_documents_ai AFTER INSERT ON documents BEGIN
    UPDATE search_terms_fill SET written = written + 1 WHERE id = 1;
    INSERT INTO search_terms_new (rowid, title, body, private) VALUES ((SELECT written FROM search_terms_fill WHERE id = 1), new.filename, new.description, '');
END;
-- Its text's words reach search_index by the document_texts trigger, and
-- here by the one after.
CREATE TRIGGER search_terms_documents_au AFTER UPDATE OF filename, description ON documents BEGIN
    UPDATE search_terms_fill SET written = written + 1 WHERE id = 1;
    INSERT INTO search_terms_new (rowid, title, body, private) VALUES ((SELECT written FROM search_terms_fill WHERE id = 1), new.filename, new.description, '');
END;
CREATE TRIGGER search_terms_document_texts_au AFTER UPDATE OF text ON document_texts BEGIN
    UPDATE search_terms_fill SET written = written + 1 WHERE id = 1;
    INSERT INTO search_terms_new (rowid, title, body, private) VALUES ((SELECT written FROM search_terms_fill WHERE id = 1), '', new.text, '');
END;
CREATE TRIGGER search_terms_timeline_ai AFTER INSERT ON timeline_events BEGIN
    UPDATE search_terms_fill SET written = written + 1 WHERE id = 1;
    INSERT INTO search_terms_new (rowid, title, body, private) VALUES ((SELECT written FROM search_terms_fill WHERE id = 1), new.title, new.body, '');
END;
CREATE TRIGGER search_terms_timeline_au AFTER UPDATE OF title, body ON timeline_events BEGIN
    UPDATE search_terms_fill SET written = written + 1 WHERE id = 1;
    INSERT INTO search_terms_new (rowid, title, body, private) VALUES ((SELECT written FROM search_terms_fill WHERE id = 1), new.title, new.body, '');
END;
CREATE TRIGGER search_terms_authorities_ai AFTER INSERT ON authorities BEGIN
    UPDATE search_terms_fill SET written = written + 1 WHERE id = 1;
    INSERT INTO search_terms_new (rowid, title, body, private) VALUES ((SELECT written FROM search_terms_fill WHERE id = 1), new.name, new.short_name, new.notes);
END;
CREATE TRIGGER search_terms_authorities_au AFTER UPDATE OF name, short_name, notes ON authorities BEGIN
    UPDATE search_terms_fill SET written = written + 1 WHERE id = 1;
    INSERT INTO search_terms_new (rowid, title, body, private) VALUES ((SELECT written FROM search_terms_fill WHERE id = 1), new.name, new.short_name, new.notes);
END;

-- migrate:45 audit hashes unique by a named index [foreign_keys=off]
-- audit_log.hash was UNIQUE in its column (section 1), enforced by an
-- index SQLite makes itself and never lets go: a bulk load (dev seed,
-- store/bulk.go) had to keep it up entry by entry, and its keys are random
-- (sha256), so each transaction of a load changed thousands of pages of it
-- anywhere in the file (most of a million-request seed's commits). Nothing
-- looks an entry up by its hash: the index only keeps the hashes unique.
-- As a named index it is the same constraint, and a load drops it and
-- makes it again at its end by one sort (which fails on a duplicate).
-- The table is rebuilt as SQLite's documentation says, its columns in the
-- same order (secret, section 12's, last); INSERT … SELECT * copies each
-- row's record as stored, in id order (the rowid's), and nothing refers to
-- the table (no foreign key, trigger or view), so only its own indexes are
-- made again. Once, on upgrade: about the time of writing the audit log
-- again (bench/HISTORY.md, "Session 11: audit hash index").
CREATE TABLE new_audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER NOT NULL DEFAULT 0,
    before    TEXT NOT NULL DEFAULT 'null',
    after     TEXT NOT NULL DEFAULT 'null',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    secret    TEXT
);
INSERT INTO new_audit_log SELECT * FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE new_audit_log RENAME TO audit_log;
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE UNIQUE INDEX audit_log_hash ON audit_log (hash);

-- migrate:46 histories in order, from an index
-- What a recompute reads of every request's history (store.Recompute): a
-- covering index, in the order it replays them, so a pass over every
-- request reads these few columns from pages in key order rather than
-- each event's row from the table, wherever in the file it lies (a bulk
-- load writes the events beside the mail of the same requests: a cold
-- pass read the database's pages one at a time, and read ahead of each
-- many it did not need). A bulk load makes it at its end by one sort.
CREATE INDEX request_events_history ON request_events (request_id, date, id, kind, outcome, new_due_date, reason);

-- migrate:47 what the timeline downloads read, versioned
-- The whole-timeline downloads (/timeline.json, /timeline/timelinejs.json)
-- are kept in a file once written (server/timeline_export_kept.go) and
-- sent again while nothing they read has changed: export_version.n, moved
-- by these triggers on every change to every table but those the downloads
-- never read (store.ExportVersion), each time to a random value (a
-- database restored from a copy, then changed, never comes back to a
-- version it had). Any commit at all (a session's last
-- use, the indexed words' worker, an audit checkpoint, a message fetched)
-- wrote a 5 MB download afresh at a million requests. A table is covered unless it is listed here as exempt, with
-- why (store.exportVersionExempt is the same list: its test fails on a
-- table that is neither covered nor exempt, and the version falls back to
-- every commit while one is):
--   sessions, login_attempts, api_tokens, users, user_preferences: who
--     signs in (a request's owner is requests.owner_id, covered);
--   notifications, reminder_log, reminder_runs, request_watchers,
--     calendar_feeds: reminders and feeds;
--   mail_checkpoints, mail_sync_runs: where a mail sync got to;
--   blobs, document_texts: files' records and the text found in them
--     (a document's name, hash and disposition are in documents, covered);
--   audit_log, audit_tree, audit_checkpoints: the audit log;
--   search_terms, search_terms_fill: the indexed words, which a download
--     filtered by words (?q=) reads: such a download is kept only while
--     nothing at all is committed (the full-text tables have no triggers);
--   mail_state_counts, request_day_counts, request_status_counts,
--     request_tags, request_tag_counts, request_windows, plan_rules,
--     insight_counts, insight_days, insight_exemptions, insight_refused:
--     counts and standings kept from covered tables' rows.
-- A new message is read by a download only through a document or a link
-- that names its id, and neither can before it exists (event_links refers
-- to it; documents.message_id has no reference and could name a deleted
-- one's id): its INSERT moves the version only when one does, so mail that
-- a sync fetches does not (its processing, an UPDATE, does). What a download reads: the events, their links,
-- the linked documents (their claims, publications, message), mail,
-- requests (their history's dates, public page) and authorities, and the
-- censor rules.
CREATE TABLE export_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO export_version (id, n) VALUES (1, random());
CREATE TRIGGER export_version_authorities_ai AFTER INSERT ON authorities BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_authorities_au AFTER UPDATE ON authorities BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_authorities_ad AFTER DELETE ON authorities BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_batch_requests_ai AFTER INSERT ON batch_requests BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_batch_requests_au AFTER UPDATE ON batch_requests BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_batch_requests_ad AFTER DELETE ON batch_requests BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_batches_ai AFTER INSERT ON batches BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_batches_au AFTER UPDATE ON batches BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_batches_ad AFTER DELETE ON batches BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_censor_rules_ai AFTER INSERT ON censor_rules BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_censor_rules_au AFTER UPDATE ON censor_rules BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_censor_rules_ad AFTER DELETE ON censor_rules BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_document_publications_ai AFTER INSERT ON document_publications BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_document_publications_au AFTER UPDATE ON document_publications BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_document_publications_ad AFTER DELETE ON document_publications BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_documents_ai AFTER INSERT ON documents BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_documents_au AFTER UPDATE ON documents BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_documents_ad AFTER DELETE ON documents BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_event_links_ai AFTER INSERT ON event_links BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_event_links_au AFTER UPDATE ON event_links BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_event_links_ad AFTER DELETE ON event_links BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_exemption_claims_ai AFTER INSERT ON exemption_claims BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_exemption_claims_au AFTER UPDATE ON exemption_claims BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_exemption_claims_ad AFTER DELETE ON exemption_claims BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_letter_templates_ai AFTER INSERT ON letter_templates BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_letter_templates_au AFTER UPDATE ON letter_templates BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_letter_templates_ad AFTER DELETE ON letter_templates BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_mail_messages_ai AFTER INSERT ON mail_messages
WHEN EXISTS (SELECT 1 FROM documents WHERE message_id = new.id) OR EXISTS (SELECT 1 FROM event_links WHERE message_id = new.id) BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_mail_messages_au AFTER UPDATE ON mail_messages BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_mail_messages_ad AFTER DELETE ON mail_messages BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_outbound_sends_ai AFTER INSERT ON outbound_sends BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_outbound_sends_au AFTER UPDATE ON outbound_sends BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_outbound_sends_ad AFTER DELETE ON outbound_sends BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_public_pages_ai AFTER INSERT ON public_pages BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_public_pages_au AFTER UPDATE ON public_pages BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_public_pages_ad AFTER DELETE ON public_pages BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_request_events_ai AFTER INSERT ON request_events BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_request_events_au AFTER UPDATE ON request_events BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_request_events_ad AFTER DELETE ON request_events BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_requests_ai AFTER INSERT ON requests BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_requests_au AFTER UPDATE ON requests BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_requests_ad AFTER DELETE ON requests BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_settings_ai AFTER INSERT ON settings BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_settings_au AFTER UPDATE ON settings BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_settings_ad AFTER DELETE ON settings BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_timeline_events_ai AFTER INSERT ON timeline_events BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_timeline_events_au AFTER UPDATE ON timeline_events BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_timeline_events_ad AFTER DELETE ON timeline_events BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;

-- migrate:48 a message's changes version the downloads only when they read it
-- A download reads a message only through a document or a link that names
-- its id (section 47's INSERT trigger already waits for one): a mail sync's
-- processing of the mail it fetched (an UPDATE of each message) and the
-- removal of a message neither names moved the version, and the next
-- download was written afresh (seconds at a million requests). A change of
-- a message's id (never made) still moves it: what named the old id no
-- longer finds it. A message deleted under a link takes the link with it
-- (ON DELETE CASCADE), whose own trigger moves the version too.
DROP TRIGGER export_version_mail_messages_au;
DROP TRIGGER export_version_mail_messages_ad;
CREATE TRIGGER export_version_mail_messages_au AFTER UPDATE ON mail_messages
WHEN old.id <> new.id OR EXISTS (SELECT 1 FROM documents WHERE message_id = new.id) OR EXISTS (SELECT 1 FROM event_links WHERE message_id = new.id) BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;
CREATE TRIGGER export_version_mail_messages_ad AFTER DELETE ON mail_messages
WHEN EXISTS (SELECT 1 FROM documents WHERE message_id = old.id) OR EXISTS (SELECT 1 FROM event_links WHERE message_id = old.id) BEGIN
    UPDATE export_version SET n = random() WHERE id = 1;
END;

-- migrate:49 timeline front matter kept parsed
-- Each markdown event's front matter as the node tree yaml.v3 makes of it
-- (timeline.Nodes: an encoding of every node, read back by copying, not
-- parsing), written beside the text on every write, so that the timeline
-- downloads and pages read events without parsing YAML (two fifths of a
-- download's writing). NULL (a JSON event; a front matter that does not
-- parse; a row written by something else than foitrack) reads the text.
-- Existing rows are filled by the Go step of this section (store/migrate.go,
-- migrationFills). The trigger keeps a tree from outliving its text: a
-- change of the text or the format that leaves the tree as it was (a
-- writer that knows nothing of it) clears it.
ALTER TABLE timeline_events ADD COLUMN front_matter_nodes BLOB;
CREATE TRIGGER timeline_events_nodes_stale AFTER UPDATE OF front_matter, format ON timeline_events
WHEN new.front_matter_nodes IS old.front_matter_nodes AND new.front_matter_nodes IS NOT NULL
    AND (new.front_matter IS NOT old.front_matter OR new.format IS NOT old.format) BEGIN
    UPDATE timeline_events SET front_matter_nodes = NULL WHERE id = new.id;
END;

-- migrate:50 awaited counts by date
-- The dashboard's "due in the next 7 days" total counted the entries of
-- requests_awaited in the week, reading each one's row (the index does not
-- hold next_who): ~17,000 entries a view at a million requests, growing
-- with the table. Kept per date here (request_day_counts, as section 32's
-- counts), it is the sum of the window's dates, a few rows whatever the
-- table's size: kind 'awaited' is next_by where next_who is the
-- authority's or the regulator's (requests_awaited's rows). Its own
-- triggers, named as section 32's so that a bulk load drops and fills them
-- with the table; the update also fires on next_who, which moves a request
-- in or out of the count with no change of date. Emptied first: a bulk
-- load into a database at an older version fills the kind already (it
-- runs every fill of the table schema.sql has), with no trigger to keep it.
DELETE FROM request_day_counts WHERE kind = 'awaited';
INSERT INTO request_day_counts (kind, day, n)
    SELECT 'awaited', next_by, count(*) FROM requests WHERE next_who IN ('authority', 'regulator') AND next_by IS NOT NULL GROUP BY next_by;
CREATE TRIGGER request_day_counts_awaited_insert AFTER INSERT ON requests
    WHEN NEW.next_who IN ('authority', 'regulator') AND NEW.next_by IS NOT NULL BEGIN
    INSERT INTO request_day_counts (kind, day, n) VALUES ('awaited', NEW.next_by, 1)
        ON CONFLICT (kind, day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER request_day_counts_awaited_update AFTER UPDATE OF next_who, next_by ON requests
    WHEN (OLD.next_who IS NOT NEW.next_who OR OLD.next_by IS NOT NEW.next_by)
        AND ((OLD.next_who IN ('authority', 'regulator') AND OLD.next_by IS NOT NULL)
            OR (NEW.next_who IN ('authority', 'regulator') AND NEW.next_by IS NOT NULL)) BEGIN
    UPDATE request_day_counts SET n = n - 1
        WHERE kind = 'awaited' AND day = OLD.next_by AND OLD.next_who IN ('authority', 'regulator');
    DELETE FROM request_day_counts WHERE kind = 'awaited' AND day = OLD.next_by AND n = 0;
    INSERT INTO request_day_counts (kind, day, n)
        SELECT 'awaited', NEW.next_by, 1 WHERE NEW.next_who IN ('authority', 'regulator') AND NEW.next_by IS NOT NULL
        ON CONFLICT (kind, day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER request_day_counts_awaited_delete AFTER DELETE ON requests
    WHEN OLD.next_who IN ('authority', 'regulator') AND OLD.next_by IS NOT NULL BEGIN
    UPDATE request_day_counts SET n = n - 1 WHERE kind = 'awaited' AND day = OLD.next_by;
    DELETE FROM request_day_counts WHERE kind = 'awaited' AND day = OLD.next_by AND n = 0;
END;
