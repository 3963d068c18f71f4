-- 006 worksome_hire_pending: the rows a Worksome hire event derives (the
-- hire's version with its lists, the worker, the trusted contact, the
-- hire, its contact-suggestion rows) are no longer written in the store's
-- transaction.  The store keeps the delivery, as before, and adds one row
-- here with the values the endpoint validated; the workers fold this
-- queue into the derived tables about once a second, many deliveries in
-- a few statements (sql/code/46-worksome_hire_fold.sql).  Deriving one
-- delivery inside the store cost the database about 110 us of a Worksome
-- delivery's 220 (README "Benchmark"); a fold of a thousand costs less
-- than half that per delivery.
-- A queue, as 005's: nothing reads one row by key, so no index.  error:
-- NULL while waiting; the message of a delivery whose derivation failed
-- (the fold leaves it here, and goes on with the others).
CREATE TABLE workhooks.worksome_hire_pending (
	delivery_id		bigint NOT NULL,
	received_at		timestamptz NOT NULL,
	event			text NOT NULL,
	hire_id			text,
	contract_id		text,
	start_date		date,
	end_date		date,
	worker_accepted_at	text,
	rate			numeric,
	worker_id		text,
	trusted_contact_id	text,
	error			text
) WITH (autovacuum_vacuum_threshold = 1000,
	autovacuum_vacuum_scale_factor = 0,
	autovacuum_vacuum_insert_threshold = 10000,
	autovacuum_vacuum_insert_scale_factor = 0);
COMMENT ON TABLE workhooks.worksome_hire_pending IS
	'Worksome hire deliveries stored but not yet derived (workhooks.worksome_hire_fold()); error: why deriving one failed.';
GRANT SELECT ON workhooks.worksome_hire_pending TO workhooks_reader;
