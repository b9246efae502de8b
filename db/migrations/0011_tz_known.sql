-- 0011_tz_known: whether PostgreSQL knows a time zone name. The config validator checks a
-- zone against the application server's tz database, but PostgreSQL computes every
-- instant with its own, which may be older (a separate database host): a zone only the
-- application knows would fail the first statement that needs it. Saving a config asks
-- here too (src/domain/config_store.c).
CREATE FUNCTION tz_known(p_name text) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM now() AT TIME ZONE p_name;
    RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END $$;
