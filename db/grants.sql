-- Re-applied after every migration run (idempotent): what the runtime role may do.
-- radsched_app is neither owner nor BYPASSRLS, so RLS applies to everything it touches.
GRANT USAGE ON SCHEMA public TO radsched_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO radsched_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO radsched_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO radsched_app;
-- append-only and platform tables: only through functions
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM radsched_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON cron_slots, workers, schema_migrations FROM radsched_app;
-- sign-in rate limits: only through auth_rate_hit()
REVOKE SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON auth_rate_limits FROM radsched_app;
