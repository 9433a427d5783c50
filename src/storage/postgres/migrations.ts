import type { ConnectionPool, Queryable } from './connection-pool.js';

/**
 * The store's schema, one step per version, never edited once released: a new column or index is a
 * new step. Applied at start (`migrate`), each step once, recorded in `toolperf_schema_migrations`.
 * Every name starts with `toolperf_`, so the tables can share a database (and its default schema)
 * with an application's own; the URL's `options=-c search_path=…` puts them in another schema.
 */
export const MIGRATIONS: readonly { readonly version: number; readonly name: string; readonly sql: string }[] = [
  {
    version: 1,
    name: 'sessions, their tools, and the store identity',
    sql: `
      CREATE TABLE toolperf_store (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        store_id text NOT NULL
      );
      INSERT INTO toolperf_store (store_id) VALUES (replace(gen_random_uuid()::text, '-', ''));

      CREATE SEQUENCE toolperf_session_seq;
      -- Text columns compare as code units (COLLATE "C"), as the session list does in JavaScript:
      -- a page cursor means the same place in SQL and in memory.
      CREATE TABLE toolperf_sessions (
        session_id text COLLATE "C" PRIMARY KEY,
        report json NOT NULL,
        summary json NOT NULL,
        tool_figures json NOT NULL,
        version bigint NOT NULL,
        seq bigint NOT NULL,
        written_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        started_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL,
        ended_at text COLLATE "C",
        started_ms double precision NOT NULL,
        updated_ms double precision NOT NULL,
        calls bigint NOT NULL,
        errors bigint NOT NULL,
        tool_calls bigint NOT NULL,
        tool_errors bigint NOT NULL,
        error_rate double precision NOT NULL,
        duration_ms double precision NOT NULL,
        agent_name text COLLATE "C",
        tools text[] COLLATE "C" NOT NULL
      );
      CREATE INDEX toolperf_sessions_updated_desc ON toolperf_sessions (updated_at DESC, session_id);
      CREATE INDEX toolperf_sessions_updated_asc ON toolperf_sessions (updated_at, session_id);
      CREATE INDEX toolperf_sessions_started_desc ON toolperf_sessions (started_at DESC, session_id);
      CREATE INDEX toolperf_sessions_started_asc ON toolperf_sessions (started_at, session_id);
      CREATE INDEX toolperf_sessions_updated_ms ON toolperf_sessions (updated_ms);
      CREATE INDEX toolperf_sessions_written ON toolperf_sessions (written_xid);
      CREATE INDEX toolperf_sessions_agent ON toolperf_sessions (agent_name, updated_at DESC, session_id);
      CREATE INDEX toolperf_sessions_tools ON toolperf_sessions USING gin (tools);

      -- Sessions deleted, for the listings that other processes keep in memory (see listDigests).
      CREATE TABLE toolperf_deleted_sessions (
        session_id text COLLATE "C" NOT NULL,
        deleted_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        deleted_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX toolperf_deleted_sessions_xid ON toolperf_deleted_sessions (deleted_xid);

      -- One row per session and tool: trends, baselines, and the merged per-tool totals.
      CREATE TABLE toolperf_session_tools (
        session_id text COLLATE "C" NOT NULL REFERENCES toolperf_sessions ON DELETE CASCADE,
        operation_type text COLLATE "C" NOT NULL,
        tool_name text COLLATE "C" NOT NULL,
        calls bigint NOT NULL,
        errors bigint NOT NULL,
        p50_ms double precision NOT NULL,
        p95_ms double precision NOT NULL,
        started_at text COLLATE "C" NOT NULL,
        bucket bigint NOT NULL,
        folded boolean NOT NULL DEFAULT false,
        state json NOT NULL,
        PRIMARY KEY (session_id, operation_type, tool_name)
      );
      CREATE INDEX toolperf_session_tools_recent ON toolperf_session_tools (operation_type, tool_name, started_at DESC, session_id DESC);
      CREATE INDEX toolperf_session_tools_bucket ON toolperf_session_tools (operation_type, tool_name, bucket);
      CREATE INDEX toolperf_session_tools_unfolded ON toolperf_session_tools (operation_type, tool_name, bucket) WHERE NOT folded;

      -- Per tool, the merged statistics of the sessions of one bucket (1,024 sessions by first write).
      CREATE TABLE toolperf_tool_buckets (
        operation_type text COLLATE "C" NOT NULL,
        tool_name text COLLATE "C" NOT NULL,
        bucket bigint NOT NULL,
        stale boolean NOT NULL DEFAULT false,
        version bigint NOT NULL DEFAULT 0,
        sessions bigint NOT NULL DEFAULT 0,
        state json,
        PRIMARY KEY (operation_type, tool_name, bucket)
      );

      -- Stored reports this version could not read (corrupt), kept rather than overwritten.
      CREATE TABLE toolperf_set_aside (
        id bigserial PRIMARY KEY,
        session_id text NOT NULL,
        report text NOT NULL,
        reason text NOT NULL,
        set_aside_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 2,
    name: 'the store secret of argument fingerprints',
    sql: `
      -- Made once by the first process that asks (INSERT … ON CONFLICT DO NOTHING), read by all.
      CREATE TABLE toolperf_secrets (
        name text PRIMARY KEY,
        value bytea NOT NULL
      );
    `,
  },
];

/** The lock every starting store takes, whatever its process: "toolperf" as a 64-bit key. */
const MIGRATION_LOCK = 0x746f6f6c70657266n;

/**
 * Brings the database's schema to this version: in one transaction under an advisory lock, so that
 * instances starting together apply each step once (the others wait, then find it applied). A
 * database migrated by a newer version (steps this one does not know) is refused: its tables may
 * mean something else by now. Returns the versions applied.
 */
export async function migrate(pool: ConnectionPool): Promise<number[]> {
  return pool.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS toolperf_schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM toolperf_schema_migrations')).rows.map((r) => r.version));
    const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
    const newer = [...applied].filter((v) => v > latest);
    if (newer.length > 0) throw new Error(`the database ${pool.description} has schema version ${Math.max(...newer)}, newer than this version of toolperf knows (${latest}): upgrade toolperf`);
    const done: number[] = [];
    for (const step of MIGRATIONS) {
      if (applied.has(step.version)) continue;
      await apply(client, step);
      done.push(step.version);
    }
    return done;
  });
}

async function apply(client: Queryable, step: (typeof MIGRATIONS)[number]): Promise<void> {
  await client.query(step.sql);
  await client.query('INSERT INTO toolperf_schema_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
}
