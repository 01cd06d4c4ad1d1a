-- Embedded H2 only: no index on audit_logs (actor, id). H2 rewrites every B-tree page a commit
-- touched, and actors are wallet addresses, so each login's audit row dirtied its own random page of
-- that index: about 5-8 KB written per login, more than the login's rows themselves (LoginBenchmark,
-- docs/BENCHMARKS.md). Rows stay append-only and ordered by id; looking up one actor's rows scans
-- the table, which the embedded database (one node, investigations by hand) can afford.
-- PostgreSQL keeps the index: it logs only the changed tuple, not the page.
DROP INDEX audit_logs_actor;
