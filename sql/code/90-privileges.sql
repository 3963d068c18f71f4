-- Who may execute what, in one place (README "Roles"), applied after every
-- function exists.  Every function in the schema is first taken from
-- everyone but its owner (PostgreSQL grants EXECUTE to PUBLIC by
-- default), then given to exactly the role that calls it:
--   workhooks_writer	the store entry points (one per endpoint or event),
--			wake() after a store, fold() (and the two folds it
--			calls) off the request path, count_rejected() for refused
--			requests, count_metrics() and metrics_sample() for
--			GET /metrics, contact_suggestions();
--   workhooks_reader	nothing: it reads tables and views only.
-- The helpers (record_delivery(ies), worksome_*, suggestion_*) and the trigger
-- functions run inside those, as their owner, or as whoever writes the
-- tables (the database owner loading people): nobody else calls them.
-- rederive(), fields() and the derive_* functions are for the database
-- owner (or a superuser) at psql only (README "Re-derive after a fix"):
-- granted to nobody.
-- tests/integration/t-schema.sh audits pg_proc against this list.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA workhooks FROM PUBLIC, workhooks_writer, workhooks_reader;
GRANT EXECUTE ON FUNCTION
	workhooks.store_timeline_changed, workhooks.store_timeline_changed_many,
	workhooks.store_offer_response,
	workhooks.store_offer_event_deleted, workhooks.store_contact_new,
	workhooks.store_worksome_hire, workhooks.store_worksome_hire_many,
	workhooks.store_worksome_trusted_contact,
	workhooks.store_worksome_raw,
	workhooks.wake, workhooks.fold, workhooks.worker_timeline_fold,
	workhooks.worksome_hire_fold,
	workhooks.count_rejected, workhooks.contact_suggestions,
	workhooks.contact_suggestions_fast,
	workhooks.count_metrics, workhooks.metrics_sample
	TO workhooks_writer;
-- contact_suggestions_fast runs with its caller's rights (so that it is
-- inlined): the writer reads the columns it names, and nothing it could
-- not already learn from contact_suggestions (the rendered answers, and
-- which hirers have people).
GRANT SELECT ON workhooks.suggestion_entry TO workhooks_writer;
GRANT SELECT (hirer_email_key) ON workhooks.relationship TO workhooks_writer;
GRANT SELECT (owner_email_key) ON workhooks.worksome_relationship TO workhooks_writer;

-- The views, for people at psql (tables: sql/001_baseline.sql).  None
-- shows the delivery's signature or signed timestamp.
GRANT SELECT ON workhooks.recent_deliveries, workhooks.deliveries_per_hour,
	workhooks.rejected_recent, workhooks.secret_use, workhooks.delivery_json,
	workhooks.worker_timeline_latest, workhooks.offer_response_current,
	workhooks.relationship_incomplete_rating, workhooks.suggestion_source,
	workhooks.suggestion_entry_source,
	workhooks.worksome_hire_current, workhooks.worksome_worker_current
	TO workhooks_reader;
