import Foundation
import PostgresNIO

extension PostgresStore {
    /// One schema version: its statements run in order, in the migrating transaction (one statement per query:
    /// PostgreSQL's extended protocol takes no scripts).
    struct Migration: Sendable {
        var version: Int
        var name: String
        var statements: [String]
        /// Work done in Swift after the statements, in the same transaction.
        var then: (@Sendable (Transaction) async throws -> Void)? = nil
    }

    /// The newest schema version this build knows.
    public static var latestSchemaVersion: Int { migrations.map(\.version).max() ?? 0 }

    /// The schema version the database is at (0 before the first migration).
    public func schemaVersion() async throws -> Int {
        try await rows("SELECT coalesce(max(version), 0) AS version FROM schema_migrations").first.map {
            try $0["version"].decode(Int.self)
        } ?? 0
    }

    /// Brings the schema up to date. Instances starting together take turns on an advisory lock held for the
    /// migrating transaction: the first migrates, the others find nothing left to do.
    public func migrate() async throws {
        let lockKey = "switchboard.migrate." + (url.schema ?? "public")
        let schema = url.schema
        try await transaction { db in
            // Waiting for another instance's migration, or building an index on a large table, takes as long as it
            // takes: the connection's usual timeouts do not apply here.
            try await db.rows("SET LOCAL lock_timeout = 0")
            try await db.rows("SET LOCAL statement_timeout = 0")
            try await db.rows("SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))")
            if let schema { try await db.rows("CREATE SCHEMA IF NOT EXISTS \(unescaped: schema)") }
            try await db.rows(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)
                """
            )
            let applied = Set(
                try await db.rows("SELECT version FROM schema_migrations").map { try $0["version"].decode(Int.self) }
            )
            for migration in Self.migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await db.rows(PostgresQuery(unsafeSQL: statement))
                }
                try await migration.then?(db)
                let now = Date().timeIntervalSince1970
                try await db.rows(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(migration.version), \(migration.name), \(now))
                    """
                )
            }
        }
    }

    /// The schema's versions. The same tables and columns as the SQLite store (times as epoch seconds in
    /// `DOUBLE PRECISION`, exact both ways; decisions as `TEXT`, byte for byte as written), with PostgreSQL's
    /// types and indexes where they differ.
    static let migrations: [Migration] = [
        Migration(
            version: 1,
            name: "locations, leads, ledger, dedup keys, jobs, deliveries, rollout journal",
            statements: [
                """
                CREATE TABLE locations (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    postal_code TEXT,
                    latitude DOUBLE PRECISION,
                    longitude DOUBLE PRECISION,
                    status TEXT NOT NULL,
                    daily_capacity BIGINT,
                    weekly_capacity BIGINT,
                    reserved_for_hot BIGINT NOT NULL DEFAULT 0,
                    radius_miles DOUBLE PRECISION,
                    priority BIGINT NOT NULL DEFAULT 0,
                    timezone TEXT NOT NULL,
                    territory TEXT NOT NULL DEFAULT '',
                    hours TEXT,
                    ghl_location_id TEXT,
                    updated_at DOUBLE PRECISION NOT NULL)
                """,
                "CREATE TABLE locations_version (id BIGINT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
                "INSERT INTO locations_version (id, version) VALUES (1, 0)",
                // Every change to the locations, by any instance or command, bumps the counter and hints the
                // instances listening (the poll of the counter stays the truth).
                """
                CREATE FUNCTION switchboard_locations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE locations_version SET version = version + 1 WHERE id = 1;
                    PERFORM pg_notify('switchboard_locations', '');
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER locations_changed AFTER INSERT OR UPDATE OR DELETE ON locations
                FOR EACH STATEMENT EXECUTE FUNCTION switchboard_locations_changed()
                """,
                """
                CREATE TABLE leads (
                    id TEXT PRIMARY KEY,
                    channel TEXT NOT NULL,
                    received_at DOUBLE PRECISION NOT NULL,
                    first_name TEXT,
                    last_name TEXT,
                    email TEXT,
                    phone TEXT,
                    email_key TEXT,
                    phone_key TEXT,
                    postal_code TEXT,
                    latitude DOUBLE PRECISION,
                    longitude DOUBLE PRECISION,
                    score BIGINT,
                    source TEXT,
                    ghl_contact_id TEXT,
                    ghl_origin_location_id TEXT,
                    status TEXT NOT NULL,
                    outcome TEXT,
                    location_id TEXT,
                    decision TEXT,
                    routed_at DOUBLE PRECISION,
                    slot_location_id TEXT,
                    slot_day BIGINT,
                    slot_week BIGINT,
                    assigned_manually BOOLEAN NOT NULL DEFAULT FALSE,
                    intake_field TEXT,
                    intake_problem TEXT,
                    raw_body TEXT)
                """,
                "CREATE INDEX leads_by_time ON leads (received_at, id)",
                "CREATE INDEX leads_by_location ON leads (location_id, received_at)",
                "CREATE INDEX leads_by_outcome ON leads (outcome, received_at)",
                "CREATE INDEX leads_by_email ON leads (email_key, received_at) WHERE status = 'assigned'",
                "CREATE INDEX leads_by_phone ON leads (phone_key, received_at) WHERE status = 'assigned'",
                """
                CREATE TABLE capacity_ledger (
                    location_id TEXT NOT NULL,
                    window_kind TEXT NOT NULL,
                    window_index BIGINT NOT NULL,
                    used BIGINT NOT NULL,
                    PRIMARY KEY (location_id, window_kind, window_index))
                """,
                """
                CREATE TABLE seen_webhooks (
                    webhook_id TEXT PRIMARY KEY, lead_id TEXT, received_at DOUBLE PRECISION NOT NULL)
                """,
                """
                CREATE TABLE idempotency_keys (
                    key TEXT PRIMARY KEY, request_digest TEXT NOT NULL, lead_id TEXT,
                    created_at DOUBLE PRECISION NOT NULL)
                """,
                // Claims change only lease columns, which no index holds: those updates stay on the page (HOT),
                // with room left on each page for them.
                """
                CREATE TABLE jobs (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                    kind TEXT NOT NULL,
                    lead_id TEXT,
                    step TEXT,
                    status TEXT NOT NULL,
                    attempts BIGINT NOT NULL DEFAULT 0,
                    run_at DOUBLE PRECISION NOT NULL,
                    lease_owner TEXT,
                    lease_expires_at DOUBLE PRECISION,
                    last_error TEXT,
                    dead_at DOUBLE PRECISION,
                    created_at DOUBLE PRECISION NOT NULL,
                    updated_at DOUBLE PRECISION NOT NULL) WITH (fillfactor = 80)
                """,
                "CREATE INDEX jobs_due ON jobs (kind, run_at, id) WHERE status = 'queued'",
                "CREATE INDEX jobs_dead ON jobs (kind, dead_at) WHERE status = 'dead'",
                "CREATE INDEX jobs_by_lead ON jobs (lead_id)",
                """
                CREATE TABLE deliveries (
                    lead_id TEXT PRIMARY KEY,
                    ghl_location_id TEXT NOT NULL,
                    state TEXT NOT NULL,
                    contact_id TEXT,
                    opportunity_id TEXT,
                    detail TEXT,
                    updated_at DOUBLE PRECISION NOT NULL)
                """,
                "CREATE INDEX deliveries_by_state ON deliveries (state, updated_at)",
                """
                CREATE TABLE rollout (
                    location_id TEXT PRIMARY KEY, record TEXT NOT NULL, updated_at DOUBLE PRECISION NOT NULL)
                """,
            ]
        ),
        Migration(
            version: 2,
            name: "instances",
            statements: [
                // The service instances sharing this database, by heartbeat (GHL's budget is divided among them).
                "CREATE TABLE instances (id TEXT PRIMARY KEY, heartbeat_at DOUBLE PRECISION NOT NULL)"
            ]
        ),
        Migration(
            version: 3,
            name: "attempts, GHL events, funnel",
            statements: [
                // After delivery: each attempt (one per delivery of a lead), GHL's events about it (de-duplicated on
                // the webhook id; the lead's timeline), and the funnel kept as daily aggregates per location and source
                // (counts, revenue, speed-to-lead bins), updated with each change so reports never scan attempts.
                """
                CREATE TABLE attempts (
                    lead_id TEXT NOT NULL, attempt_no BIGINT NOT NULL, location_id TEXT NOT NULL, ghl_location_id TEXT NOT NULL,
                    contact_id TEXT, opportunity_id TEXT, reason TEXT NOT NULL, source TEXT NOT NULL,
                    arrived_at DOUBLE PRECISION NOT NULL, delivered_at DOUBLE PRECISION NOT NULL, speed_seconds DOUBLE PRECISION,
                    sla_due_at DOUBLE PRECISION, sla_state TEXT NOT NULL DEFAULT 'off', progress TEXT NOT NULL,
                    PRIMARY KEY (lead_id, attempt_no))
                """,
                "CREATE INDEX attempts_by_contact ON attempts (ghl_location_id, contact_id, delivered_at)",
                """
                CREATE TABLE ghl_events (
                    webhook_id TEXT PRIMARY KEY, lead_id TEXT NOT NULL, attempt_no BIGINT NOT NULL, type TEXT NOT NULL,
                    occurred_at DOUBLE PRECISION NOT NULL, received_at DOUBLE PRECISION NOT NULL, note_kind TEXT, note TEXT)
                """,
                "CREATE INDEX ghl_events_by_lead ON ghl_events (lead_id, occurred_at)",
                """
                CREATE TABLE funnel_daily (
                    day BIGINT NOT NULL, location_id TEXT NOT NULL, source TEXT NOT NULL,
                    delivered BIGINT NOT NULL DEFAULT 0, attempted BIGINT NOT NULL DEFAULT 0,
                    contacted BIGINT NOT NULL DEFAULT 0, booked BIGINT NOT NULL DEFAULT 0, showed BIGINT NOT NULL DEFAULT 0,
                    won BIGINT NOT NULL DEFAULT 0, lost BIGINT NOT NULL DEFAULT 0, rerouted BIGINT NOT NULL DEFAULT 0,
                    revenue DOUBLE PRECISION NOT NULL DEFAULT 0, PRIMARY KEY (day, location_id, source))
                """,
                """
                CREATE TABLE speed_daily (
                    day BIGINT NOT NULL, location_id TEXT NOT NULL, source TEXT NOT NULL, bin BIGINT NOT NULL,
                    leads BIGINT NOT NULL, PRIMARY KEY (day, location_id, source, bin))
                """,
                "ALTER TABLE leads ADD COLUMN review_reason TEXT",
                "ALTER TABLE attempts ADD COLUMN reconciled_at DOUBLE PRECISION",
                "CREATE INDEX attempts_by_delivery ON attempts (delivered_at)",
                "ALTER TABLE ghl_events ADD COLUMN early_event TEXT",
                "CREATE INDEX deliveries_by_contact ON deliveries (ghl_location_id, contact_id)",
                "ALTER TABLE locations ADD COLUMN sla_minutes BIGINT",
                "ALTER TABLE locations ADD COLUMN sla_exempt BOOLEAN NOT NULL DEFAULT FALSE",
            ]
        ),
        Migration(
            version: 4,
            name: "funnel by day and by month, durations as histograms",
            statements: [
                "DROP TABLE speed_daily",
                "DROP TABLE funnel_daily",
                """
                CREATE TABLE funnel_daily (
                    day BIGINT NOT NULL, location_id TEXT NOT NULL, source TEXT NOT NULL,
                    delivered BIGINT NOT NULL DEFAULT 0, attempted BIGINT NOT NULL DEFAULT 0,
                    contacted BIGINT NOT NULL DEFAULT 0, booked BIGINT NOT NULL DEFAULT 0, showed BIGINT NOT NULL DEFAULT 0,
                    won BIGINT NOT NULL DEFAULT 0, lost BIGINT NOT NULL DEFAULT 0, rerouted BIGINT NOT NULL DEFAULT 0,
                    revenue DOUBLE PRECISION NOT NULL DEFAULT 0, speed BYTEA, wait BYTEA,
                    PRIMARY KEY (day, location_id, source))
                """,
                """
                CREATE TABLE funnel_monthly (
                    month BIGINT NOT NULL, location_id TEXT NOT NULL, source TEXT NOT NULL,
                    delivered BIGINT NOT NULL DEFAULT 0, attempted BIGINT NOT NULL DEFAULT 0,
                    contacted BIGINT NOT NULL DEFAULT 0, booked BIGINT NOT NULL DEFAULT 0, showed BIGINT NOT NULL DEFAULT 0,
                    won BIGINT NOT NULL DEFAULT 0, lost BIGINT NOT NULL DEFAULT 0, rerouted BIGINT NOT NULL DEFAULT 0,
                    revenue DOUBLE PRECISION NOT NULL DEFAULT 0, speed BYTEA, wait BYTEA,
                    PRIMARY KEY (month, location_id, source))
                """,
            ],
            then: { db in try await PostgresStore.rebuildFunnel(in: db) }
        ),
        Migration(
            version: 5,
            name: "app installations",
            statements: [
                """
                CREATE TABLE ghl_installations (
                    ghl_location_id TEXT PRIMARY KEY, installed BOOLEAN NOT NULL, changed_at DOUBLE PRECISION NOT NULL)
                """
            ]
        ),
    ]
}
