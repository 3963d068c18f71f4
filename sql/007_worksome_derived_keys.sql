-- 007 worksome_derived_keys: the foreign keys from the Worksome hire
-- version's children (worksome_job_owner, worksome_custom_field_value)
-- and from worksome_hire's current version to worksome_hire_version go.
-- All four tables are derived from the inbox, written only by
-- workhooks.derive_worksome_hire (sql/code/46-), which writes a version
-- and its lists in one statement pair and points a hire only at a version
-- it has just written, and made again whole by workhooks.rederive(); the
-- checks guarded nothing those functions do not, and cost a fifth of a
-- fold: one check per list row and per hire row, each a row lock on the
-- version, about 20 us a delivery (a round of 1,000 hireUpdated
-- deliveries derived in 94-109 ms with them, 79 ms without; README
-- "Work off the request path").  tests/integration/t-rederive.sh still
-- compares every derived row with what rederive() makes.  Without the
-- cascade, delete or truncate a version's lists with it (as the tests
-- truncate the derived tables together).
ALTER TABLE workhooks.worksome_job_owner
	DROP CONSTRAINT worksome_job_owner_delivery_id_fkey;
ALTER TABLE workhooks.worksome_custom_field_value
	DROP CONSTRAINT worksome_custom_field_value_delivery_id_fkey;
ALTER TABLE workhooks.worksome_hire
	DROP CONSTRAINT worksome_hire_current_delivery_id_fkey;
