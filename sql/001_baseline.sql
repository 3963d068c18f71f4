-- 001 baseline: the schema, its roles, every table with its columns,
-- constraints and indexes, and the privileges on them.
--
-- Migrations (sql/NNN_*.sql) hold only what must happen once, in order:
-- tables, columns, data moves, drops.  Every function, view and trigger
-- lives in one file of its own under sql/code/, which script/migrate
-- applies after the migrations, every time, in the order of the files'
-- numeric prefixes (CREATE OR REPLACE; a change of a function's arguments
-- drops the old signature in the same file).  Privileges on functions are
-- given in one place, sql/code/90-privileges.sql.
--
-- Applied by script/migrate in one transaction and recorded in
-- workhooks.schema_migration.  Every object is schema-qualified: the
-- endpoints connect with an empty search_path.
--
-- Derived rows carry the id of the delivery they came from
-- (workhooks.delivery.id) without a foreign key, so the inbox can be pruned
-- (or partitioned by received time) independently of what was derived.

CREATE SCHEMA IF NOT EXISTS workhooks;

-- Least privilege (README "Roles"): the endpoints log in as a member of
-- workhooks_writer, which may only call the store entry points, wake(),
-- count_rejected() and contact_suggestions() (all SECURITY DEFINER or
-- harmless) and read the migration table (/healthz); workhooks_reader is
-- for people at a psql prompt: it reads every table and view except the
-- delivery's authentication headers, and executes nothing.  Neither can
-- create, alter or drop anything.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'workhooks_writer') THEN
		CREATE ROLE workhooks_writer NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'workhooks_reader') THEN
		CREATE ROLE workhooks_reader NOLOGIN;
	END IF;
END
$$;

REVOKE ALL ON SCHEMA workhooks FROM PUBLIC;
GRANT USAGE ON SCHEMA workhooks TO workhooks_writer, workhooks_reader;
GRANT SELECT ON workhooks.schema_migration TO workhooks_writer;	-- /healthz

-- ------------------------------------------------------------------------
-- The inbox: every accepted request, exactly as it came.  Nothing derived
-- from a delivery is ever the only copy of it.  The parsed body is not
-- kept beside the raw one (measured: README "Data"); the view
-- workhooks.delivery_json parses it on read.  The inbox is partitioned by
-- month of received_at (README "Retention": workhooks.prune() drops whole
-- months; sql/code/22-delivery_partitions_ensure.sql makes them).
--
-- Repeats are detected in workhooks.delivery_key, the dedupe ledger: one
-- row per (source, endpoint, dedup_key) with the delivery id, first and
-- last time seen and how many times.  A partitioned table cannot enforce
-- uniqueness across partitions on columns without the partition key, and
-- the point is that the ledger stays when the partition holding the body
-- is dropped: a body re-sent after its delivery was pruned (or deleted by
-- hand) is still a repeat, answered 200 and never derived again.  prune()
-- also drops the ledger rows older than the dedup window.
--
-- Ids come from a sequence (identity columns on partitioned tables need
-- PostgreSQL 17); the ledger draws them, the inbox row takes the same id.

CREATE SEQUENCE workhooks.delivery_ids AS bigint;

CREATE TABLE workhooks.delivery_key (
	source		text NOT NULL,
	endpoint	text NOT NULL,
	dedup_key	bytea NOT NULL,
	delivery_id	bigint NOT NULL DEFAULT pg_catalog.nextval('workhooks.delivery_ids'),
	first_seen	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_seen	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	times		bigint NOT NULL DEFAULT 1,
	PRIMARY KEY (source, endpoint, dedup_key)
);
CREATE INDEX delivery_key_last_seen ON workhooks.delivery_key (last_seen);
COMMENT ON TABLE workhooks.delivery_key IS
	'Dedupe ledger: every delivery key seen within the dedup window (workhooks.prune), with its delivery id, first/last seen and count; a repeat is detected here even after its body was pruned.';

CREATE TABLE workhooks.delivery (
	id			bigint NOT NULL,	-- workhooks.delivery_key.delivery_id
	source			text NOT NULL CHECK (source IN ('updatedge', 'worksome')),
	endpoint		text NOT NULL,		-- 'events/timelineChanged', 'worksome', ...
	event			text,			-- Worksome's event name
	received_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_received_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	times_received		bigint NOT NULL DEFAULT 1,
	body			text NOT NULL,		-- raw bytes as received (valid UTF-8)
	body_sha256		bytea NOT NULL,		-- of body, computed by the endpoint
	dedup_key		bytea NOT NULL,		-- identity of a repeat: sha256(body) or of the subject
	subject			text,			-- e.g. the workerId of /contact/new/{workerId}
	signature		text,			-- Authorization / Signature header as received
	secret_label		text,			-- label of the configured secret that verified it
	signed_timestamp	text,			-- updatedge Timestamp header as received
	signed_at		timestamptz,		-- ... parsed: received_at - signed_at is clock skew
	PRIMARY KEY (id, received_at)
) PARTITION BY RANGE (received_at);
CREATE INDEX delivery_received_at ON workhooks.delivery (received_at);
COMMENT ON TABLE workhooks.delivery IS
	'Every accepted webhook delivery, raw body as received, partitioned by month of received_at (workhooks.prune drops old months); repeats counted in times_received and in workhooks.delivery_key.';
COMMENT ON COLUMN workhooks.delivery.signature IS
	'Not readable by workhooks_reader: with signed_timestamp, an updatedge Authorization replays for any body within the window (README "Roles").';
-- Rows with no monthly partition yet land here;
-- workhooks.delivery_partitions_ensure() moves them out.
CREATE TABLE workhooks.delivery_default PARTITION OF workhooks.delivery DEFAULT;

-- Refused requests, counted (never stored with their bodies).
CREATE TABLE workhooks.rejected (
	endpoint	text NOT NULL,
	status		integer NOT NULL,
	reason		text NOT NULL,
	field		text NOT NULL DEFAULT '',
	hour		timestamptz NOT NULL,
	count		bigint NOT NULL,
	PRIMARY KEY (endpoint, hour, status, reason, field)
);
COMMENT ON TABLE workhooks.rejected IS
	'Refused requests per endpoint, HTTP status, reason and hour; workers flush their counters every reject_flush_interval seconds.';
-- prune() deletes refused-request counts by hour.
CREATE INDEX rejected_hour ON workhooks.rejected (hour);

-- ------------------------------------------------------------------------
-- updatedge (protocol §2).

-- POST /events/timelineChanged: every change a worker made to the timeline.
CREATE TABLE workhooks.timeline_change (
	delivery_id			bigint PRIMARY KEY,	-- workhooks.delivery.id
	worker_id			text NOT NULL,
	offer_id			text,			-- when an offer put the events there
	period_start			timestamptz NOT NULL,
	period_end			timestamptz NOT NULL,
	completed_at			timestamptz NOT NULL,
	max_available_now		timestamptz,
	max_available_now_created	timestamptz,
	received_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT timeline_change_period CHECK (period_end >= period_start)
);
CREATE INDEX timeline_change_worker ON workhooks.timeline_change (worker_id, completed_at);
COMMENT ON TABLE workhooks.timeline_change IS
	'updatedge events/timelineChanged: one row per delivery (repeats are counted in workhooks.delivery, not stored twice).';

-- POST /offer/response: a worker applied for (accepted) or rejected an
-- offer.  The payload carries no time, so the current answer is the one
-- received last: a repeat of an earlier body moves that row's
-- last_received_at, so the view follows the worker.
CREATE TABLE workhooks.offer_response (
	delivery_id		bigint PRIMARY KEY,	-- workhooks.delivery.id
	offer_id		text NOT NULL,
	worker_id		text NOT NULL,
	response		text NOT NULL CHECK (response IN ('accepted', 'rejected')),
	received_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_received_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX offer_response_offer_worker
	ON workhooks.offer_response (offer_id, worker_id, last_received_at);
CREATE INDEX offer_response_worker ON workhooks.offer_response (worker_id);
COMMENT ON TABLE workhooks.offer_response IS
	'updatedge offer/response: every distinct answer; last_received_at moves when the same body arrives again.';

-- POST /offer/eventDeleted: a worker deleted an event an offer had put on
-- the timeline.
CREATE TABLE workhooks.offer_event_deleted (
	delivery_id	bigint PRIMARY KEY,	-- workhooks.delivery.id
	offer_id	text NOT NULL,
	worker_id	text NOT NULL,
	event_start	timestamptz NOT NULL,
	received_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX offer_event_deleted_offer ON workhooks.offer_event_deleted (offer_id, worker_id);
CREATE INDEX offer_event_deleted_worker ON workhooks.offer_event_deleted (worker_id);
COMMENT ON TABLE workhooks.offer_event_deleted IS
	'updatedge offer/eventDeleted: one row per distinct delivery.';

-- GET /contact/new/{workerId}: a worker added a contact at the
-- organisation.  No body: the delivery is deduplicated on the worker id
-- (one delivery row per worker, times_received counts the calls), and
-- every call counts one more here (protocol §1, last paragraph).
CREATE TABLE workhooks.worker_contact (
	worker_id	text PRIMARY KEY,
	first_added_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	last_added_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	times_added	bigint NOT NULL DEFAULT 1,
	delivery_id	bigint NOT NULL		-- workhooks.delivery.id (subject = worker_id)
);
COMMENT ON TABLE workhooks.worker_contact IS
	'updatedge contact/new: workers who added a contact at the organisation; every call counts.';

-- ------------------------------------------------------------------------
-- The organisation's people and their relationships with hirers: the
-- source of contact suggestions (protocol §2.4).  Loaded by the
-- organisation (\copy, or INSERT ... SELECT from its HR system); the
-- endpoints only read them, through contact_suggestions().

CREATE TABLE workhooks.person (
	id			bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	name			text NOT NULL,
	email			text NOT NULL CHECK (email <> ''),
	profile_image_url	text,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE UNIQUE INDEX person_email_key ON workhooks.person (pg_catalog.lower(email));
COMMENT ON TABLE workhooks.person IS
	'The organisation''s people who may be suggested to a hirer; one per email address (case-insensitive).';

-- A rating is emitted by contact suggestions only when rating,
-- rating_provider and last_worked are all present (the response schema
-- requires the three); a partial rating is stored as it came and shows in
-- workhooks.relationship_incomplete_rating.
CREATE TABLE workhooks.relationship (
	id			bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id		bigint NOT NULL REFERENCES workhooks.person (id) ON DELETE CASCADE,
	hirer_email		text NOT NULL,
	hirer_email_key		text GENERATED ALWAYS AS (pg_catalog.lower(hirer_email)) STORED,
	rating			smallint CHECK (rating BETWEEN 1 AND 5),
	rating_provider		text,
	last_worked		timestamptz,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
);
-- The general path of contact_suggestions() reads a hirer's relationships
-- from this index alone (an index-only scan: a hirer's rows are scattered
-- over the heap); the people through person_pkey.
CREATE INDEX relationship_hirer ON workhooks.relationship (hirer_email_key)
	INCLUDE (person_id, rating, rating_provider, last_worked);
-- A (person, hirer) pair's rows, for refreshing its suggestion entry; also
-- the foreign key's index.
CREATE INDEX relationship_person_hirer ON workhooks.relationship (person_id, hirer_email_key);
COMMENT ON TABLE workhooks.relationship IS
	'A person has worked for a hirer (identified by the hirer''s email), optionally rated.';

-- One row per (hirer, person): the latest last_worked, the name and key to
-- order and filter by, and the person's answer object for that hirer,
-- rendered (name, email, image, ratings newest first).  Kept by statement
-- triggers on relationship and person (sql/code/5*); made again by
-- workhooks.suggestion_entry_rebuild().  A person whose name or email is
-- too long for the index key (suggestion_entry_fits) gets an entry with
-- person_key NULL, and the hirer is then answered by the general path.
CREATE TABLE workhooks.suggestion_entry (
	hirer_key	text NOT NULL,		-- relationship.hirer_email_key
	person_id	bigint NOT NULL,	-- workhooks.person.id
	latest		timestamptz,		-- max(last_worked) of the pair's relationships
	person_key	text,			-- lower(email); NULL: too long, use the general path
	person_name	text,
	name_key	text,			-- lower(person_name): the filter's
	answer		text,			-- the person's answer object; NULL when long
	answer_long	text,			-- (over 1000 bytes): then here, not in the index
	PRIMARY KEY (hirer_key, person_id)
);
COMMENT ON TABLE workhooks.suggestion_entry IS
	'Contact suggestions per (hirer, person), answer rendered, derived from workhooks.relationship and person by triggers; suggestion_entry_rebuild() makes them again.';
-- A hirer's entries in the order of the answer: the fast path walks it
-- from the top and stops at the limit (index-only).
CREATE INDEX suggestion_entry_answer ON workhooks.suggestion_entry
	(hirer_key, latest DESC NULLS LAST, person_name, person_key)
	INCLUDE (name_key, answer, person_id);
-- Entries the fast path cannot answer (a person too long to index):
-- normally none.
CREATE INDEX suggestion_entry_uncopied ON workhooks.suggestion_entry (hirer_key)
	WHERE person_key IS NULL;
-- A person's entries, for refreshing them when the person changes.
CREATE INDEX suggestion_entry_person ON workhooks.suggestion_entry (person_id);

-- ------------------------------------------------------------------------
-- Worksome (protocol §3).  Worksome POSTs every event to one URL and gives
-- no ordering guarantee, retrying any non-2xx answer.  So every hire
-- version is kept (worksome_hire_version, one per delivery); the current
-- state of a hire, a worker or a trusted contact is the one from the
-- latest delivery received (the highest workhooks.delivery.id); a
-- repeated body derives nothing twice.  Free text from Worksome (names,
-- emails, descriptions) is never part of an index key unless bounded:
-- vendor profile data must not fail a delivery (README "Data").

CREATE TABLE workhooks.worksome_worker (
	id			text PRIMARY KEY,	-- worker.id (a base64 global id, <= 128 chars)
	name			text,
	first_name		text,
	middle_name		text,
	last_name		text,
	email			text,
	phone			text,
	location_name		text,			-- worker.location.*
	location_address	text,
	location_city		text,
	location_zipcode	text,
	location_county		text,
	location_state		text,
	location_country	text,
	business_entity_type	text,			-- worker.businessEntity.*
	business_label		text,
	business_company_no	text,
	business_company_name	text,
	business_tax_no		text,
	delivery_id		bigint NOT NULL,	-- the delivery this state is from
	event			text NOT NULL,
	received_at		timestamptz NOT NULL,	-- ... and when it arrived
	first_received_at	timestamptz NOT NULL
);
COMMENT ON TABLE workhooks.worksome_worker IS
	'Worksome workers as last received (highest delivery id; a field missing from that delivery keeps its earlier value); any hire or trustedContactUpdated event updates them.';

CREATE TABLE workhooks.worksome_trusted_contact (
	id			text PRIMARY KEY,	-- trustedContact.id
	account_id		text,
	external_identifier	text,			-- the organisation's own id for the worker, may be NULL
	status			text,			-- invited, accepted, declined (unknown values kept)
	worker_id		text,			-- data.worker.id of the same delivery
	delivery_id		bigint NOT NULL,
	event			text NOT NULL,
	received_at		timestamptz NOT NULL,
	first_received_at	timestamptz NOT NULL
);
CREATE INDEX worksome_trusted_contact_worker ON workhooks.worksome_trusted_contact (worker_id);
COMMENT ON TABLE workhooks.worksome_trusted_contact IS
	'Worksome trusted contacts as last received (highest delivery id).';

CREATE TABLE workhooks.worksome_hire_version (
	delivery_id		bigint PRIMARY KEY,	-- workhooks.delivery.id: one version per delivery
	hire_key		text NOT NULL,		-- contract.hireId, else contract.id
	event			text NOT NULL,		-- contractAccepted, hireUpdated, ...
	received_at		timestamptz NOT NULL,
	contract_id		text,			-- contract.id (changes with contract revisions)
	hire_id			text,			-- contract.hireId as sent (NULL when absent)
	account_id		text,
	status			text,			-- hireStatus, else status; unknown values kept
	start_date		date,
	end_date		date,
	worker_accepted_at	timestamptz,		-- workerAcceptedAt read as Europe/Copenhagen time
	worker_accepted_at_raw	text,			-- ... exactly as sent
	currency		text,
	rate			numeric,		-- from "550", 450 or "55.00"
	rate_type		text,
	job_id			text,
	job_name		text,
	job_description		text,
	purchase_order_number	text,
	location_preference	text,
	cancel_reason		jsonb,			-- data.cancelReason, any JSON value
	terminated_reason	jsonb,			-- data.terminatedReason, any JSON value
	worker_id		text,			-- data.worker as it was in this version
	worker_name		text,
	worker_email		text,
	trusted_contact_id	text
);
CREATE INDEX worksome_hire_version_hire ON workhooks.worksome_hire_version (hire_key, delivery_id);
COMMENT ON TABLE workhooks.worksome_hire_version IS
	'Every version of every Worksome hire, one per delivery, in the order received (delivery_id).';
COMMENT ON COLUMN workhooks.worksome_hire_version.worker_accepted_at IS
	'workerAcceptedAt ("YYYY-MM-DD HH:mm:ss", Central European time) read with Europe/Copenhagen rules.';

CREATE TABLE workhooks.worksome_job_owner (
	delivery_id	bigint NOT NULL REFERENCES workhooks.worksome_hire_version ON DELETE CASCADE,
	position	integer NOT NULL,		-- 1-based, in contract.jobOwners order
	id		text,
	name		text,
	email		text,
	PRIMARY KEY (delivery_id, position)
);
COMMENT ON TABLE workhooks.worksome_job_owner IS
	'contract.jobOwners of each hire version.';

CREATE TABLE workhooks.worksome_custom_field_value (
	delivery_id		bigint NOT NULL REFERENCES workhooks.worksome_hire_version ON DELETE CASCADE,
	position		integer NOT NULL,	-- 1-based, in customFieldValues order
	id			text,
	slug			text,			-- may be NULL
	custom_field_title	text,
	display_value		text,
	PRIMARY KEY (delivery_id, position)
);
COMMENT ON TABLE workhooks.worksome_custom_field_value IS
	'customFieldValues of each hire version.';

CREATE TABLE workhooks.worksome_hire (
	hire_key		text PRIMARY KEY,
	current_delivery_id	bigint NOT NULL REFERENCES workhooks.worksome_hire_version,	-- the current version
	event			text NOT NULL,		-- ... its event
	status			text,			-- ... its status
	worker_id		text,			-- ... its worker
	versions		bigint NOT NULL,	-- versions received (distinct deliveries)
	first_received_at	timestamptz NOT NULL,
	last_received_at	timestamptz NOT NULL,	-- of any version, even an older one arriving late
	last_active_at		timestamptz		-- latest arrival of a version with status 'active'
);
CREATE INDEX worksome_hire_worker ON workhooks.worksome_hire (worker_id);
COMMENT ON TABLE workhooks.worksome_hire IS
	'One row per Worksome hire: its current version is the one with the highest delivery id.';

-- Hires feed contact suggestions: the hired worker has worked for each of
-- the hire's job owners.  Kept from each hire's current version, for
-- emails of at most 254 bytes (the longest an address can be): the keys
-- then always fit the indexes, whatever else the hire carries.
CREATE TABLE workhooks.worksome_relationship (
	hire_key		text NOT NULL REFERENCES workhooks.worksome_hire ON DELETE CASCADE,
	owner_email_key		text NOT NULL CHECK (octet_length(owner_email_key) <= 254),	-- lower(job owner's email): the hirer
	owner_email		text NOT NULL,
	worker_email_key	text NOT NULL CHECK (octet_length(worker_email_key) <= 254),	-- lower(worker's email): the person
	worker_email		text NOT NULL,
	worker_name		text NOT NULL,		-- any length: not in an index
	worker_id		text,
	last_worked		timestamptz,		-- end date, else last seen active
	PRIMARY KEY (hire_key, owner_email_key)
);
-- contact_suggestions() reaches a hirer's rows through this index.
CREATE INDEX worksome_relationship_owner
	ON workhooks.worksome_relationship (owner_email_key, worker_email_key);
COMMENT ON TABLE workhooks.worksome_relationship IS
	'Worker x job owner of every Worksome hire (current version, status not draft/offered, worker with an email): a source of contact suggestions.';

-- ------------------------------------------------------------------------
-- Reading.  workhooks_reader reads every table, and the delivery without
-- its authentication headers (column privileges; README "Roles").  Views
-- are granted in sql/code/90-privileges.sql.

GRANT SELECT ON workhooks.schema_migration, workhooks.rejected,
	workhooks.timeline_change, workhooks.offer_response,
	workhooks.offer_event_deleted, workhooks.worker_contact,
	workhooks.person, workhooks.relationship, workhooks.suggestion_entry,
	workhooks.worksome_worker, workhooks.worksome_trusted_contact,
	workhooks.worksome_hire_version, workhooks.worksome_job_owner,
	workhooks.worksome_custom_field_value, workhooks.worksome_hire,
	workhooks.worksome_relationship, workhooks.delivery_key
	TO workhooks_reader;
GRANT SELECT (id, source, endpoint, event, received_at, last_received_at,
	times_received, body, body_sha256, dedup_key, subject, secret_label,
	signed_at)
	ON workhooks.delivery TO workhooks_reader;
