-- workhooks.fields(endpoint, event, subject, body): a stored delivery's
-- body validated again by the endpoint's own C field table and checks
-- (the PostgreSQL module pg/workhooks.so, pg/module.h), as the parameter
-- texts the live store bound after the nine delivery parameters, NULL for
-- an absent value; an ERROR naming the field when the body no longer
-- validates.  workhooks.rederive() calls it, so that re-derivation parses
-- with the same code as a live delivery.  The module is found on
-- dynamic_library_path ($libdir in production: make install puts it
-- there, README "Re-derive after a fix").  Where it is not installed
-- (or the migrating role may not create a C function) migrate still
-- succeeds: the function is then missing, and rederive() says so.
DO $do$
BEGIN
CREATE OR REPLACE FUNCTION workhooks.fields(endpoint text, event text, subject text, body text)
RETURNS text[]
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'workhooks', 'workhooks_fields';
	COMMENT ON FUNCTION workhooks.fields(text, text, text, text) IS
		'A stored body validated again by the endpoint''s C field table (module workhooks.so): the store''s field parameters as text.';
EXCEPTION WHEN undefined_file OR insufficient_privilege THEN
	RAISE NOTICE 'workhooks.fields() not created (%): workhooks.rederive() needs the module workhooks.so in the server''s $libdir (README "Re-derive after a fix")', SQLERRM;
END
$do$;
