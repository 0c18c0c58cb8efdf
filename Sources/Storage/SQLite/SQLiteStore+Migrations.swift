import GRDB

extension SQLiteStore {
    /// The schema, one versioned migration at a time. Only portable SQL: the PostgreSQL store runs the same
    /// statements (with its own types).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: locations, leads, ledger, dedup keys, jobs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE locations (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        postal_code TEXT,
                        latitude DOUBLE PRECISION,
                        longitude DOUBLE PRECISION,
                        status TEXT NOT NULL,
                        daily_capacity INTEGER,
                        weekly_capacity INTEGER,
                        reserved_for_hot INTEGER NOT NULL DEFAULT 0,
                        radius_miles DOUBLE PRECISION,
                        priority INTEGER NOT NULL DEFAULT 0,
                        timezone TEXT NOT NULL,
                        territory TEXT NOT NULL DEFAULT '',
                        hours TEXT,
                        ghl_location_id TEXT,
                        updated_at DOUBLE PRECISION NOT NULL
                    );
                    CREATE TABLE leads (
                        id TEXT PRIMARY KEY NOT NULL,
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
                        score INTEGER,
                        source TEXT,
                        ghl_contact_id TEXT,
                        ghl_origin_location_id TEXT,
                        status TEXT NOT NULL,
                        outcome TEXT,
                        location_id TEXT,
                        decision TEXT,
                        routed_at DOUBLE PRECISION,
                        slot_location_id TEXT,
                        slot_day INTEGER,
                        slot_week INTEGER,
                        assigned_manually INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX leads_by_time ON leads (received_at, id);
                    CREATE INDEX leads_by_location ON leads (location_id, received_at);
                    CREATE INDEX leads_by_outcome ON leads (outcome, received_at);
                    CREATE INDEX leads_by_email ON leads (email_key, received_at);
                    CREATE INDEX leads_by_phone ON leads (phone_key, received_at);
                    CREATE TABLE capacity_ledger (
                        location_id TEXT NOT NULL,
                        window_kind TEXT NOT NULL,
                        window_index INTEGER NOT NULL,
                        used INTEGER NOT NULL,
                        PRIMARY KEY (location_id, window_kind, window_index)
                    );
                    CREATE TABLE seen_webhooks (
                        webhook_id TEXT PRIMARY KEY NOT NULL,
                        lead_id TEXT,
                        received_at DOUBLE PRECISION NOT NULL
                    );
                    CREATE TABLE idempotency_keys (
                        key TEXT PRIMARY KEY NOT NULL,
                        request_digest TEXT NOT NULL,
                        lead_id TEXT,
                        created_at DOUBLE PRECISION NOT NULL
                    );
                    CREATE TABLE jobs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,
                        lead_id TEXT,
                        status TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        run_at DOUBLE PRECISION NOT NULL,
                        lease_owner TEXT,
                        lease_expires_at DOUBLE PRECISION,
                        last_error TEXT,
                        created_at DOUBLE PRECISION NOT NULL,
                        updated_at DOUBLE PRECISION NOT NULL
                    );
                    CREATE INDEX jobs_due ON jobs (kind, status, run_at);
                    """
            )
        }
        migrator.registerMigration("v2: job steps, dead letters") { db in
            try db.execute(
                sql: """
                    ALTER TABLE jobs ADD COLUMN step TEXT;
                    ALTER TABLE jobs ADD COLUMN dead_at DOUBLE PRECISION;
                    CREATE INDEX jobs_dead ON jobs (kind, status, dead_at);
                    """
            )
        }
        migrator.registerMigration("v3: deliveries") { db in
            try db.execute(
                sql: """
                    CREATE TABLE deliveries (
                        lead_id TEXT PRIMARY KEY NOT NULL,
                        ghl_location_id TEXT NOT NULL,
                        state TEXT NOT NULL,
                        contact_id TEXT,
                        opportunity_id TEXT,
                        detail TEXT,
                        updated_at DOUBLE PRECISION NOT NULL
                    );
                    CREATE INDEX deliveries_by_state ON deliveries (state, updated_at);
                    """
            )
        }
        migrator.registerMigration("v4: rollout journal") { db in
            try db.execute(
                sql: """
                    CREATE TABLE rollout (
                        location_id TEXT PRIMARY KEY NOT NULL,
                        record TEXT NOT NULL,
                        updated_at DOUBLE PRECISION NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v5: jobs by lead") { db in
            // A lead's jobs (its API resource) were found by scanning every job.
            try db.execute(sql: "CREATE INDEX jobs_by_lead ON jobs (lead_id)")
        }
        migrator.registerMigration("v6: intake problems") { db in
            // A signed lead with a badly typed field is kept for review with its raw body, not refused.
            try db.execute(
                sql: """
                    ALTER TABLE leads ADD COLUMN intake_field TEXT;
                    ALTER TABLE leads ADD COLUMN intake_problem TEXT;
                    ALTER TABLE leads ADD COLUMN raw_body TEXT;
                    """
            )
        }
        migrator.registerMigration("v7: locations version") { db in
            // Every change to the locations, by any process or path, bumps one counter (triggers, so that no
            // writer can forget): running services poll it and reload their routing when it moves.
            try db.execute(
                sql: """
                    CREATE TABLE locations_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
                    INSERT INTO locations_version (id, version) VALUES (1, 0);
                    CREATE TRIGGER locations_inserted AFTER INSERT ON locations
                        BEGIN UPDATE locations_version SET version = version + 1 WHERE id = 1; END;
                    CREATE TRIGGER locations_updated AFTER UPDATE ON locations
                        BEGIN UPDATE locations_version SET version = version + 1 WHERE id = 1; END;
                    CREATE TRIGGER locations_deleted AFTER DELETE ON locations
                        BEGIN UPDATE locations_version SET version = version + 1 WHERE id = 1; END;
                    """
            )
        }
        migrator.registerMigration("v8: instances") { db in
            // The service instances sharing this database, by heartbeat (GHL's budget is divided among them).
            try db.execute(
                sql: "CREATE TABLE instances (id TEXT PRIMARY KEY NOT NULL, heartbeat_at DOUBLE PRECISION NOT NULL)"
            )
        }
        migrator.registerMigration("v9: attempts, GHL events, funnel") { db in
            // After delivery: each attempt (one per delivery of a lead), GHL's events about it (de-duplicated on
            // the webhook id; the lead's timeline), and the funnel kept as daily aggregates per location and source
            // (counts, revenue, speed-to-lead bins), updated with each change so reports never scan attempts.
            try db.execute(
                sql: """
                    CREATE TABLE attempts (
                        lead_id TEXT NOT NULL, attempt_no INTEGER NOT NULL, location_id TEXT NOT NULL, ghl_location_id TEXT NOT NULL,
                        contact_id TEXT, opportunity_id TEXT, reason TEXT NOT NULL, source TEXT NOT NULL,
                        arrived_at DOUBLE PRECISION NOT NULL, delivered_at DOUBLE PRECISION NOT NULL, speed_seconds DOUBLE PRECISION,
                        sla_due_at DOUBLE PRECISION, sla_state TEXT NOT NULL DEFAULT 'off', progress TEXT NOT NULL,
                        PRIMARY KEY (lead_id, attempt_no));
                    CREATE INDEX attempts_by_contact ON attempts (ghl_location_id, contact_id, delivered_at);
                    CREATE TABLE ghl_events (
                        webhook_id TEXT PRIMARY KEY NOT NULL, lead_id TEXT NOT NULL, attempt_no INTEGER NOT NULL, type TEXT NOT NULL,
                        occurred_at DOUBLE PRECISION NOT NULL, received_at DOUBLE PRECISION NOT NULL, note_kind TEXT, note TEXT);
                    CREATE INDEX ghl_events_by_lead ON ghl_events (lead_id, occurred_at);
                    CREATE TABLE funnel_daily (
                        day INTEGER NOT NULL, location_id TEXT NOT NULL, source TEXT NOT NULL,
                        delivered INTEGER NOT NULL DEFAULT 0, attempted INTEGER NOT NULL DEFAULT 0,
                        contacted INTEGER NOT NULL DEFAULT 0, booked INTEGER NOT NULL DEFAULT 0, showed INTEGER NOT NULL DEFAULT 0,
                        won INTEGER NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0, rerouted INTEGER NOT NULL DEFAULT 0,
                        revenue DOUBLE PRECISION NOT NULL DEFAULT 0, PRIMARY KEY (day, location_id, source));
                    CREATE TABLE speed_daily (
                        day INTEGER NOT NULL, location_id TEXT NOT NULL, source TEXT NOT NULL, bin INTEGER NOT NULL,
                        leads INTEGER NOT NULL, PRIMARY KEY (day, location_id, source, bin));
                    ALTER TABLE leads ADD COLUMN review_reason TEXT;
                    ALTER TABLE attempts ADD COLUMN reconciled_at DOUBLE PRECISION;
                    CREATE INDEX attempts_by_delivery ON attempts (delivered_at);
                    ALTER TABLE ghl_events ADD COLUMN early_event TEXT;
                    CREATE INDEX deliveries_by_contact ON deliveries (ghl_location_id, contact_id);
                    ALTER TABLE locations ADD COLUMN sla_minutes INTEGER;
                    ALTER TABLE locations ADD COLUMN sla_exempt BOOLEAN NOT NULL DEFAULT FALSE;
                    """
            )
        }
        migrator.registerMigration("v10: funnel by day and by month, durations as histograms") { db in
            try db.execute(
                sql: """
                    DROP TABLE speed_daily;
                    DROP TABLE funnel_daily;
                    CREATE TABLE funnel_daily (
                        day INTEGER NOT NULL, location_id TEXT NOT NULL, source TEXT NOT NULL,
                        delivered INTEGER NOT NULL DEFAULT 0, attempted INTEGER NOT NULL DEFAULT 0,
                        contacted INTEGER NOT NULL DEFAULT 0, booked INTEGER NOT NULL DEFAULT 0, showed INTEGER NOT NULL DEFAULT 0,
                        won INTEGER NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0, rerouted INTEGER NOT NULL DEFAULT 0,
                        revenue DOUBLE PRECISION NOT NULL DEFAULT 0, speed BLOB, wait BLOB,
                        PRIMARY KEY (day, location_id, source));
                    CREATE TABLE funnel_monthly (
                        month INTEGER NOT NULL, location_id TEXT NOT NULL, source TEXT NOT NULL,
                        delivered INTEGER NOT NULL DEFAULT 0, attempted INTEGER NOT NULL DEFAULT 0,
                        contacted INTEGER NOT NULL DEFAULT 0, booked INTEGER NOT NULL DEFAULT 0, showed INTEGER NOT NULL DEFAULT 0,
                        won INTEGER NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0, rerouted INTEGER NOT NULL DEFAULT 0,
                        revenue DOUBLE PRECISION NOT NULL DEFAULT 0, speed BLOB, wait BLOB,
                        PRIMARY KEY (month, location_id, source));
                    """
            )
            try SQLiteStore.rebuildFunnel(in: db)
        }
        migrator.registerMigration("v11: app installations") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ghl_installations (
                        ghl_location_id TEXT PRIMARY KEY NOT NULL, installed BOOLEAN NOT NULL,
                        changed_at DOUBLE PRECISION NOT NULL)
                    """
            )
        }
        return migrator
    }
}
