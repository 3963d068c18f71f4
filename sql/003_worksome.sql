-- 003 worksome: what POST /worksome stores (protocol §3), and the hires that
-- feed contact suggestions.
--
-- Applied by script/migrate in one transaction.  Every name is schema-
-- qualified: the endpoints connect with an empty search_path.
--
-- Worksome POSTs every event to one URL and gives no ordering guarantee,
-- retrying any non-2xx answer (protocol §3.2).  So:
--   * every hire version is kept (worksome_hire_version, one per delivery);
--   * the current state of a hire, a worker or a trusted contact is the
--     one from the latest delivery received, "latest" meaning the highest
--     workhooks.delivery.id (the order deliveries reached us);
--   * a repeated body is deduplicated by workhooks.record_delivery (001)
--     and derives nothing twice.
--
-- Derived rows carry the id of the delivery they came from
-- (workhooks.delivery.id), without a foreign key, as in 002: the inbox
-- can be pruned or partitioned independently of what was derived.
--
-- The endpoint (cgi-bin/worksome.c) calls one store function per event
-- with serve_store()'s delivery parameters (common/serve.h); it has
-- already checked every value the functions cast (dates, workerAcceptedAt,
-- rate) or key rows on (ids), so a cast here cannot fail on client data.
-- The worksome_apply_* functions hold the derivation, apart from the
-- delivery: emptying the worksome_* tables and applying every Worksome
-- delivery's payload in delivery id order rebuilds them exactly (README).
-- That is also how a later migration re-derives after a change here.

-- ------------------------------------------------------------------------
-- Workers and trusted contacts: current state, by Worksome id.

CREATE TABLE workhooks.worksome_worker (
	id			text PRIMARY KEY,	-- worker.id (a base64 global id)
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

-- ------------------------------------------------------------------------
-- Hires: every version as received, and the current one.

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

-- ------------------------------------------------------------------------
-- Hires feed contact suggestions: the hired worker has worked for each of
-- the hire's job owners.  Kept from each hire's current version.

CREATE TABLE workhooks.worksome_relationship (
	hire_key		text NOT NULL REFERENCES workhooks.worksome_hire ON DELETE CASCADE,
	owner_email_key		text NOT NULL,		-- lower(job owner's email): the hirer
	owner_email		text NOT NULL,
	worker_email_key	text NOT NULL,		-- lower(worker's email): the person
	worker_email		text NOT NULL,
	worker_name		text NOT NULL,
	worker_id		text,
	last_worked		timestamptz,		-- end date, else last seen active
	PRIMARY KEY (hire_key, owner_email_key)
);
-- contact_suggestions() reaches a hirer's rows through this index, and
-- reads them from it alone (an index-only scan: no heap page per row).
CREATE INDEX worksome_relationship_owner
	ON workhooks.worksome_relationship (owner_email_key, worker_email_key)
	INCLUDE (worker_email, worker_name, last_worked);
COMMENT ON TABLE workhooks.worksome_relationship IS
	'Worker x job owner of every Worksome hire (current version, status not draft/offered, worker with an email): a source of contact suggestions.';

-- ------------------------------------------------------------------------
-- Derivation.

-- The helpers below are plpgsql, not sql: plpgsql keeps its statements'
-- plans for the session, a LANGUAGE sql function that is not inlined is
-- planned again at every call (measured: 3x slower stores).

-- The worker of a delivery becomes current unless a later delivery has
-- already been applied.  A field the newer delivery leaves out (or sends
-- as null, which protocol §1 reads as absent) keeps the value known before:
-- trustedContactUpdated carries a reduced worker object, without email,
-- phone, location or business entity.
CREATE FUNCTION workhooks.worksome_apply_worker(p_delivery bigint,
	p_event text, w jsonb, p_received_at timestamptz)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO workhooks.worksome_worker AS x
		(id, name, first_name, middle_name, last_name, email, phone,
		 location_name, location_address, location_city, location_zipcode,
		 location_county, location_state, location_country,
		 business_entity_type, business_label, business_company_no,
		 business_company_name, business_tax_no,
		 delivery_id, event, received_at, first_received_at)
	SELECT w->>'id', w->>'name', w->>'firstName', w->>'middleName',
	       w->>'lastName', w->>'email', w->>'phone',
	       w->'location'->>'name', w->'location'->>'address',
	       w->'location'->>'city', w->'location'->>'zipcode',
	       w->'location'->>'county', w->'location'->>'state',
	       w->'location'->>'country',
	       w->'businessEntity'->>'entity_type', w->'businessEntity'->>'label',
	       w->'businessEntity'->>'company_no',
	       w->'businessEntity'->>'company_name',
	       w->'businessEntity'->>'tax_no',
	       p_delivery, p_event, p_received_at, p_received_at
	WHERE w->>'id' IS NOT NULL
	ON CONFLICT (id) DO UPDATE SET
		name = coalesce(excluded.name, x.name),
		first_name = coalesce(excluded.first_name, x.first_name),
		middle_name = coalesce(excluded.middle_name, x.middle_name),
		last_name = coalesce(excluded.last_name, x.last_name),
		email = coalesce(excluded.email, x.email),
		phone = coalesce(excluded.phone, x.phone),
		location_name = coalesce(excluded.location_name, x.location_name),
		location_address = coalesce(excluded.location_address, x.location_address),
		location_city = coalesce(excluded.location_city, x.location_city),
		location_zipcode = coalesce(excluded.location_zipcode, x.location_zipcode),
		location_county = coalesce(excluded.location_county, x.location_county),
		location_state = coalesce(excluded.location_state, x.location_state),
		location_country = coalesce(excluded.location_country, x.location_country),
		business_entity_type = coalesce(excluded.business_entity_type, x.business_entity_type),
		business_label = coalesce(excluded.business_label, x.business_label),
		business_company_no = coalesce(excluded.business_company_no, x.business_company_no),
		business_company_name = coalesce(excluded.business_company_name, x.business_company_name),
		business_tax_no = coalesce(excluded.business_tax_no, x.business_tax_no),
		delivery_id = excluded.delivery_id, event = excluded.event,
		received_at = excluded.received_at
	WHERE x.delivery_id < excluded.delivery_id;
END
$$;

CREATE FUNCTION workhooks.worksome_apply_trusted_contact(p_delivery bigint,
	p_event text, tc jsonb, p_worker_id text, p_received_at timestamptz)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	INSERT INTO workhooks.worksome_trusted_contact AS x
		(id, account_id, external_identifier, status, worker_id,
		 delivery_id, event, received_at, first_received_at)
	SELECT tc->>'id', tc->>'accountId', tc->>'externalIdentifier',
	       tc->>'status', p_worker_id,
	       p_delivery, p_event, p_received_at, p_received_at
	WHERE tc->>'id' IS NOT NULL
	ON CONFLICT (id) DO UPDATE SET
		account_id = excluded.account_id,
		external_identifier = excluded.external_identifier,
		status = excluded.status, worker_id = excluded.worker_id,
		delivery_id = excluded.delivery_id, event = excluded.event,
		received_at = excluded.received_at
	WHERE x.delivery_id < excluded.delivery_id;
END
$$;

-- Rebuild one hire's contact-suggestion rows from its current version.
-- A worker without a usable email cannot be suggested; a hire still in
-- draft or only offered has hired nobody yet.  last_worked: the contract's
-- end date (midnight UTC), else when the hire was last seen active.
CREATE FUNCTION workhooks.worksome_relate(p_hire_key text)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM workhooks.worksome_relationship AS r
	WHERE r.hire_key = p_hire_key;

	INSERT INTO workhooks.worksome_relationship
		(hire_key, owner_email_key, owner_email, worker_email_key,
		 worker_email, worker_name, worker_id, last_worked)
	SELECT DISTINCT ON (lower(btrim(o.email)))
	       h.hire_key, lower(btrim(o.email)), btrim(o.email),
	       lower(btrim(v.worker_email)), btrim(v.worker_email),
	       coalesce(nullif(btrim(v.worker_name), ''), btrim(v.worker_email)),
	       v.worker_id,
	       coalesce(v.end_date::timestamp AT TIME ZONE 'UTC', h.last_active_at)
	FROM workhooks.worksome_hire AS h
	JOIN workhooks.worksome_hire_version AS v ON v.delivery_id = h.current_delivery_id
	JOIN workhooks.worksome_job_owner AS o ON o.delivery_id = h.current_delivery_id
	WHERE h.hire_key = p_hire_key
	  AND (v.status IS NULL OR v.status NOT IN ('draft', 'offered'))
	  AND btrim(v.worker_email) LIKE '_%@_%'
	  AND btrim(o.email) LIKE '_%@_%'
	ORDER BY lower(btrim(o.email)), o.position;
END
$$;

-- One hire version (p_data is the body's "data" object): the worker, the
-- trusted contact, the version with its job owners and custom field
-- values, the hire's current state, and its contact-suggestion rows.
-- Locks, always in this order: worker, trusted contact, hire.
CREATE FUNCTION workhooks.worksome_apply_hire(p_delivery bigint,
	p_event text, p_data jsonb, p_received_at timestamptz)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
AS $$
DECLARE
	c		jsonb := p_data->'contract';
	w		jsonb := p_data->'worker';
	v_key		text := coalesce(p_data->'contract'->>'hireId',
				p_data->'contract'->>'id');
	v_status	text := coalesce(p_data->'contract'->>'hireStatus',
				p_data->'contract'->>'status');
	v_accepted	text := p_data->'contract'->>'workerAcceptedAt';
BEGIN
	IF v_key IS NULL THEN
		RETURN;		-- the endpoint refuses this (400); a replay skips it
	END IF;
	PERFORM workhooks.worksome_apply_worker(p_delivery, p_event, w,
		p_received_at);
	PERFORM workhooks.worksome_apply_trusted_contact(p_delivery, p_event,
		p_data->'trustedContact', w->>'id', p_received_at);

	INSERT INTO workhooks.worksome_hire_version
		(delivery_id, hire_key, event, received_at, contract_id, hire_id,
		 account_id, status, start_date, end_date, worker_accepted_at,
		 worker_accepted_at_raw, currency, rate, rate_type, job_id,
		 job_name, job_description, purchase_order_number,
		 location_preference, cancel_reason, terminated_reason,
		 worker_id, worker_name, worker_email, trusted_contact_id)
	VALUES (p_delivery, v_key, p_event, p_received_at, c->>'id',
		c->>'hireId', c->>'accountId', v_status,
		(c->>'startDate')::date, (c->>'endDate')::date,
		v_accepted::timestamp AT TIME ZONE 'Europe/Copenhagen', v_accepted,
		c->>'currency', (c->>'rate')::numeric, c->>'rateType',
		c->>'jobId', c->>'jobName', c->>'jobDescription',
		c->>'purchaseOrderNumber', c->>'locationPreference',
		nullif(p_data->'cancelReason', 'null'::jsonb),
		nullif(p_data->'terminatedReason', 'null'::jsonb),
		w->>'id',
		coalesce(nullif(w->>'name', ''), nullif(concat_ws(' ',
			nullif(w->>'firstName', ''), nullif(w->>'middleName', ''),
			nullif(w->>'lastName', '')), '')),
		w->>'email', p_data->'trustedContact'->>'id');

	-- Lists: an array, or PHP's {} for an empty one (the endpoint
	-- accepts nothing else); elements that are not objects are skipped.
	INSERT INTO workhooks.worksome_job_owner
		(delivery_id, position, id, name, email)
	SELECT p_delivery, e.n, e.o->>'id', e.o->>'name', e.o->>'email'
	FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c->'jobOwners') = 'array'
		THEN c->'jobOwners' ELSE '[]' END) WITH ORDINALITY AS e(o, n)
	WHERE jsonb_typeof(e.o) = 'object';

	INSERT INTO workhooks.worksome_custom_field_value
		(delivery_id, position, id, slug, custom_field_title, display_value)
	SELECT p_delivery, e.n, e.f->>'id', e.f->>'slug',
	       e.f->>'customFieldTitle', e.f->>'displayValue'
	FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p_data->'customFieldValues') = 'array'
		THEN p_data->'customFieldValues' ELSE '[]' END) WITH ORDINALITY AS e(f, n)
	WHERE jsonb_typeof(e.f) = 'object';

	INSERT INTO workhooks.worksome_hire AS h
		(hire_key, current_delivery_id, event, status, worker_id, versions,
		 first_received_at, last_received_at, last_active_at)
	VALUES (v_key, p_delivery, p_event, v_status, w->>'id', 1,
		p_received_at, p_received_at,
		CASE WHEN v_status = 'active' THEN p_received_at END)
	ON CONFLICT (hire_key) DO UPDATE SET
		versions = h.versions + 1,
		first_received_at = least(h.first_received_at, excluded.first_received_at),
		last_received_at = greatest(h.last_received_at, excluded.last_received_at),
		last_active_at = greatest(h.last_active_at, excluded.last_active_at),
		current_delivery_id = greatest(h.current_delivery_id,
			excluded.current_delivery_id),
		event = CASE WHEN excluded.current_delivery_id > h.current_delivery_id
			THEN excluded.event ELSE h.event END,
		status = CASE WHEN excluded.current_delivery_id > h.current_delivery_id
			THEN excluded.status ELSE h.status END,
		worker_id = CASE WHEN excluded.current_delivery_id > h.current_delivery_id
			THEN excluded.worker_id ELSE h.worker_id END;

	PERFORM workhooks.worksome_relate(v_key);
END
$$;

-- ------------------------------------------------------------------------
-- Store functions: serve_store()'s delivery parameters (common/serve.h),
-- one call = one transaction.  Derived rows only for a new delivery.

-- contractAccepted, hireUpdated, hireEnded, hireCancelled, hireTerminated.
CREATE FUNCTION workhooks.store_worksome_hire(
	p_endpoint text, p_event text, p_body text, p_signature text,
	p_secret_label text, p_signed_timestamp text, p_signed_at timestamptz,
	p_subject text, OUT delivery_id bigint, OUT times_received bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
AS $$
DECLARE
	v_new	boolean;
BEGIN
	SELECT d.delivery_id, d.times_received, d.is_new
	INTO delivery_id, times_received, v_new
	FROM workhooks.record_delivery('worksome', p_endpoint, p_event, p_body,
		p_signature, p_secret_label, p_signed_timestamp, p_signed_at,
		p_subject) AS d;
	IF v_new THEN
		PERFORM workhooks.worksome_apply_hire(store_worksome_hire.delivery_id,
			p_event, p_body::jsonb->'data', now());
	END IF;
END
$$;

-- trustedContactUpdated: the worker and the trusted contact.
CREATE FUNCTION workhooks.store_worksome_trusted_contact(
	p_endpoint text, p_event text, p_body text, p_signature text,
	p_secret_label text, p_signed_timestamp text, p_signed_at timestamptz,
	p_subject text, OUT delivery_id bigint, OUT times_received bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC'
AS $$
DECLARE
	v_new	boolean;
	v	jsonb;
BEGIN
	SELECT d.delivery_id, d.times_received, d.is_new
	INTO delivery_id, times_received, v_new
	FROM workhooks.record_delivery('worksome', p_endpoint, p_event, p_body,
		p_signature, p_secret_label, p_signed_timestamp, p_signed_at,
		p_subject) AS d;
	IF v_new THEN
		v := p_body::jsonb->'data';
		PERFORM workhooks.worksome_apply_worker(
			store_worksome_trusted_contact.delivery_id, p_event,
			v->'worker', now());
		PERFORM workhooks.worksome_apply_trusted_contact(
			store_worksome_trusted_contact.delivery_id, p_event,
			v->'trustedContact', v->'worker'->>'id', now());
	END IF;
END
$$;

-- Any other event (Worksome adds events over time): the delivery only.
CREATE FUNCTION workhooks.store_worksome_raw(
	p_endpoint text, p_event text, p_body text, p_signature text,
	p_secret_label text, p_signed_timestamp text, p_signed_at timestamptz,
	p_subject text, OUT delivery_id bigint, OUT times_received bigint)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT d.delivery_id, d.times_received
	FROM workhooks.record_delivery('worksome', p_endpoint, p_event, p_body,
		p_signature, p_secret_label, p_signed_timestamp, p_signed_at,
		p_subject) AS d;
$$;

-- ------------------------------------------------------------------------
-- For people at psql.

CREATE VIEW workhooks.worksome_hire_current AS
	SELECT h.hire_key, v.status, v.event, v.contract_id, v.account_id,
	       v.start_date, v.end_date, v.worker_accepted_at,
	       v.currency, v.rate, v.rate_type,
	       v.job_id, v.job_name, v.purchase_order_number,
	       v.location_preference,
	       v.worker_id, v.worker_name, v.worker_email,
	       (SELECT string_agg(o.email, ', ' ORDER BY o.position)
		FROM workhooks.worksome_job_owner AS o
		WHERE o.delivery_id = h.current_delivery_id) AS job_owners,
	       v.cancel_reason, v.terminated_reason,
	       h.versions, h.first_received_at,
	       v.received_at AS current_received_at, h.last_received_at,
	       h.last_active_at, h.current_delivery_id
	FROM workhooks.worksome_hire AS h
	JOIN workhooks.worksome_hire_version AS v ON v.delivery_id = h.current_delivery_id;
COMMENT ON VIEW workhooks.worksome_hire_current IS
	'Each Worksome hire as its latest received version says.';

CREATE VIEW workhooks.worksome_worker_current AS
	SELECT w.id,
	       coalesce(nullif(w.name, ''), nullif(concat_ws(' ',
			nullif(w.first_name, ''), nullif(w.middle_name, ''),
			nullif(w.last_name, '')), '')) AS name,
	       w.email, w.phone,
	       w.location_name, w.location_address, w.location_city,
	       w.location_zipcode, w.location_county, w.location_state,
	       w.location_country,
	       w.business_entity_type, w.business_label, w.business_company_no,
	       w.business_company_name, w.business_tax_no,
	       (SELECT tc.status FROM workhooks.worksome_trusted_contact AS tc
		WHERE tc.worker_id = w.id
		ORDER BY tc.delivery_id DESC LIMIT 1) AS trusted_contact_status,
	       (SELECT count(*) FROM workhooks.worksome_hire AS h
		WHERE h.worker_id = w.id) AS hires,
	       (SELECT count(*) FROM workhooks.worksome_hire AS h
		WHERE h.worker_id = w.id AND h.status = 'active') AS active_hires,
	       w.first_received_at, w.received_at AS updated_at, w.event,
	       w.delivery_id
	FROM workhooks.worksome_worker AS w;
COMMENT ON VIEW workhooks.worksome_worker_current IS
	'Each Worksome worker as last received, with their trusted-contact status and hires.';

-- ------------------------------------------------------------------------
-- Contact suggestions: 002's view plus the Worksome hires.  Same columns
-- in the same order (002's contract for later sources).  A worker who is
-- also one of the organisation's people takes that row's name, email and
-- image; contact_suggestions() groups by person_key, so nobody is listed
-- twice.  The hirer_email predicate reaches worksome_relationship_owner.
CREATE OR REPLACE VIEW workhooks.suggestion_source AS
	SELECT lower(p.email) AS person_key, 0 AS priority, p.name, p.email, p.profile_image_url,
	       r.hirer_email_key AS hirer_email, r.rating, r.rating_provider, r.last_worked
	FROM workhooks.relationship r JOIN workhooks.person p ON p.id = r.person_id
	UNION ALL
	SELECT wr.worker_email_key, 1, coalesce(p.name, wr.worker_name),
	       coalesce(p.email, wr.worker_email), p.profile_image_url,
	       wr.owner_email_key, NULL::smallint, NULL::text, wr.last_worked
	FROM workhooks.worksome_relationship wr
	LEFT JOIN workhooks.person p ON lower(p.email) = wr.worker_email_key;

-- ------------------------------------------------------------------------
-- Privileges.  Store functions: workhooks_writer only.  The derivation
-- helpers run inside them, as their owner: nobody else calls them.

REVOKE EXECUTE ON FUNCTION workhooks.store_worksome_hire,
	workhooks.store_worksome_trusted_contact, workhooks.store_worksome_raw
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION workhooks.store_worksome_hire,
	workhooks.store_worksome_trusted_contact, workhooks.store_worksome_raw
	TO workhooks_writer;
REVOKE EXECUTE ON FUNCTION workhooks.worksome_apply_worker, workhooks.worksome_apply_trusted_contact,
	workhooks.worksome_relate, workhooks.worksome_apply_hire
	FROM PUBLIC, workhooks_writer;

-- 001's default privileges cover these when the same role runs both
-- migrations; say it explicitly so a different migration role works too.
GRANT SELECT ON workhooks.worksome_worker, workhooks.worksome_trusted_contact,
	workhooks.worksome_hire_version, workhooks.worksome_job_owner,
	workhooks.worksome_custom_field_value, workhooks.worksome_hire,
	workhooks.worksome_relationship, workhooks.worksome_hire_current,
	workhooks.worksome_worker_current, workhooks.suggestion_source
	TO workhooks_reader;
