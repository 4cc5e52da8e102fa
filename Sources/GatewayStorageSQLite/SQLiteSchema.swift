import GatewayCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import Synchronization
import NIOCore
import SMPPCore

// The two files' schemas: one migration per change; never edit a shipped one.
extension SQLiteMessageStore {
    static var messagesMigrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: accounts, messages") { db in
            try db.execute(
                sql: """
                    CREATE TABLE account (
                        id TEXT PRIMARY KEY NOT NULL,
                        system_id TEXT NOT NULL UNIQUE,
                        password_hash TEXT NOT NULL,
                        allowed_binds TEXT NOT NULL,
                        max_binds INTEGER NOT NULL,
                        messages_per_second INTEGER,
                        window INTEGER NOT NULL,
                        enabled INTEGER NOT NULL,
                        numbers TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE message (
                        id INTEGER PRIMARY KEY NOT NULL,
                        account_id TEXT NOT NULL,
                        ingress TEXT NOT NULL,
                        service_type TEXT NOT NULL,
                        source_addr TEXT NOT NULL, source_ton INTEGER NOT NULL, source_npi INTEGER NOT NULL,
                        dest_addr TEXT NOT NULL, dest_ton INTEGER NOT NULL, dest_npi INTEGER NOT NULL,
                        esm_class INTEGER NOT NULL, protocol_id INTEGER NOT NULL, priority INTEGER NOT NULL,
                        registered_delivery INTEGER NOT NULL, data_coding INTEGER NOT NULL,
                        payload BLOB NOT NULL, tlvs BLOB NOT NULL, segments INTEGER NOT NULL,
                        submitted_at INTEGER NOT NULL, scheduled_at INTEGER, expires_at INTEGER,
                        client_ref TEXT
                    );
                    -- Scheduled messages: few, and a restart must find them wherever they are.
                    CREATE INDEX message_scheduled ON message(id) WHERE scheduled_at IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v2: HTTP API — keys, idempotency, callbacks, account webhooks, listing") { db in
            try db.execute(
                sql: """
                    ALTER TABLE message ADD COLUMN callback_url TEXT;
                    -- GET /v2/messages: an account's messages, newest first.
                    CREATE INDEX message_account ON message(account_id, id);
                    ALTER TABLE account ADD COLUMN senders TEXT NOT NULL DEFAULT '';
                    ALTER TABLE account ADD COLUMN requests_per_second INTEGER;
                    ALTER TABLE account ADD COLUMN webhook_url TEXT;
                    ALTER TABLE account ADD COLUMN mo_webhook_url TEXT;
                    ALTER TABLE account ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';
                    UPDATE account SET webhook_secret = 'whsec_' || lower(hex(randomblob(16)));
                    CREATE TABLE api_key (
                        id TEXT PRIMARY KEY NOT NULL,
                        account_id TEXT NOT NULL,
                        secret_hash BLOB NOT NULL,
                        label TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    );
                    CREATE TABLE idempotency (
                        account_id TEXT NOT NULL,
                        key TEXT NOT NULL,
                        request_hash BLOB NOT NULL,
                        status INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (account_id, key)
                    );
                    """)
        }
        migrator.registerMigration("v3: administration — report destination, IP allow-lists, settings") { db in
            try db.execute(
                sql: """
                    ALTER TABLE account ADD COLUMN reports TEXT NOT NULL DEFAULT 'both';
                    ALTER TABLE account ADD COLUMN allowed_ips TEXT NOT NULL DEFAULT '';
                    CREATE TABLE setting (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    """)
        }
        migrator.registerMigration("v4: India DLT registrations") { db in
            try db.execute(sql: "ALTER TABLE account ADD COLUMN dlt TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("v5: billing — rate cards, balances, prices") { db in
            try db.execute(
                sql: """
                    ALTER TABLE account ADD COLUMN billing TEXT NOT NULL DEFAULT '';
                    -- Minor units: top-ups added, prices of stored messages taken (refunds are in the outbox's credit table).
                    ALTER TABLE account ADD COLUMN balance INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE message ADD COLUMN price INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        return migrator
    }

    static var outboxMigrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: statuses, deliveries, meta") { db in
            try db.execute(
                sql: """
                    -- A message without a row here is queued.
                    CREATE TABLE status (
                        id INTEGER PRIMARY KEY NOT NULL,
                        status TEXT NOT NULL,
                        error_code INTEGER NOT NULL,
                        done_at INTEGER
                    );
                    CREATE TABLE delivery (
                        seq INTEGER PRIMARY KEY,
                        account_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        message_id INTEGER,
                        pdu BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX delivery_account ON delivery(account_id, seq);
                    -- dispatch_watermark: below it, only scheduled messages can still be queued.
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
                    """)
        }
        migrator.registerMigration("v4: carrier ids") { db in
            // A carrier's id of each message sent to it: its receipts are matched through here.
            try db.execute(
                sql: "CREATE TABLE upstream (connector TEXT NOT NULL, upstream_id TEXT NOT NULL, message_id INTEGER NOT NULL, PRIMARY KEY (connector, upstream_id))")
        }
        migrator.registerMigration("v5: long messages' parts at carriers") { db in
            // How many parts each message went as; which parts of a long message were delivered
            // while others were still out (a receipt after a restart needs both).
            try db.execute(
                sql: """
                    ALTER TABLE upstream ADD COLUMN parts INTEGER NOT NULL DEFAULT 1;
                    CREATE TABLE upstream_delivered (
                        message_id INTEGER NOT NULL, connector TEXT NOT NULL, upstream_id TEXT NOT NULL,
                        PRIMARY KEY (message_id, connector, upstream_id)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v3: refunds") { db in
            // One row per refunded message: its primary key makes a refund happen once.
            try db.execute(
                sql: "CREATE TABLE credit (message_id INTEGER PRIMARY KEY NOT NULL, account_id TEXT NOT NULL, amount INTEGER NOT NULL, at INTEGER NOT NULL)")
        }
        migrator.registerMigration("v2: webhooks") { db in
            try db.execute(
                sql: """
                    CREATE TABLE webhook (
                        seq INTEGER PRIMARY KEY,
                        account_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        url TEXT NOT NULL,
                        body BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        attempts INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL
                    );
                    CREATE INDEX webhook_due ON webhook(next_attempt_at);
                    """)
        }
        return migrator
    }
}
