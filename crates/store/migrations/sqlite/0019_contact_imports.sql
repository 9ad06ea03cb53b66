-- CSV imports of contacts (docs/DESIGN.md, "CRM: contact import"): the
-- import with its column mapping, position and counts; the uploaded file in
-- parts of 1,000 rows; the rows it rejected, with why; and the phone
-- numbers it has seen, for finding duplicates across parts.
-- Keep in step with ../postgres/0019_contact_imports.sql (a test compares them).

CREATE TABLE contact_imports (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    -- The uploaded file's name, when the dashboard sent one.
    file_name TEXT,
    -- uploaded, running, finished, failed or cancelled.
    status TEXT NOT NULL,
    -- The file's field separator: `,`, `;` or a tab.
    delimiter TEXT NOT NULL,
    -- JSON array of the header row's cells.
    header TEXT NOT NULL,
    -- Data rows (the header aside) and the file's size.
    row_count BIGINT NOT NULL,
    size_bytes BIGINT NOT NULL,
    -- JSON array: the field each column maps to (`phone`, `attr.<key>`,
    -- `skip`, …); NULL until the import starts.
    mapping TEXT,
    -- create_only or create_or_update; NULL until the import starts.
    mode TEXT,
    -- Data rows processed: the next part to process starts after them.
    -- Moved in the transaction that writes a part's contacts.
    position BIGINT NOT NULL,
    created_count BIGINT NOT NULL,
    updated_count BIGINT NOT NULL,
    rejected_count BIGINT NOT NULL,
    -- Why it failed.
    error TEXT,
    started_at BIGINT,
    finished_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- The uploaded file, split at row boundaries: part N holds data rows
-- N * 1000 + 1 onwards, as CSV text. Removed when the import ends.
CREATE TABLE contact_import_parts (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    import_id BLOB NOT NULL,
    part BIGINT NOT NULL,
    row_count BIGINT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (tenant_id, import_id, part),
    FOREIGN KEY (tenant_id, import_id) REFERENCES contact_imports (tenant_id, id) ON DELETE CASCADE
);

-- A row the import did not apply, with its cells as uploaded.
CREATE TABLE contact_import_rejects (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    import_id BLOB NOT NULL,
    -- The row's number in the file, the header being row 1.
    row_number BIGINT NOT NULL,
    -- JSON array of the row's cells.
    cells TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (tenant_id, import_id, row_number),
    FOREIGN KEY (tenant_id, import_id) REFERENCES contact_imports (tenant_id, id) ON DELETE CASCADE
);

-- The first row of each phone number (WhatsApp id) an import has read, so
-- a later row of the same number is rejected as its duplicate, in any
-- part. Removed when the import ends.
CREATE TABLE contact_import_phones (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    import_id BLOB NOT NULL,
    wa_id TEXT NOT NULL,
    row_number BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, import_id, wa_id),
    FOREIGN KEY (tenant_id, import_id) REFERENCES contact_imports (tenant_id, id) ON DELETE CASCADE
);
