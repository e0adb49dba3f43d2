-- Nothing to do: PostgreSQL moves text search to per-trace documents in
-- this version, while SQLite's FTS5 index (0005) already serves it. The
-- file keeps both dialects at the same version numbers.
SELECT 1;
