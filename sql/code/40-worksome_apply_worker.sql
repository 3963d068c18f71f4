-- The worker of a Worksome delivery: each field holds the value of the
-- latest delivery (highest id) that has it.  A field the newer delivery
-- leaves out (or sends as null, which protocol §1 reads as absent) keeps
-- the value known before: trustedContactUpdated carries a reduced worker
-- object, without email, phone, location or business entity; and an
-- older delivery applied after a newer one only fills what the newer
-- left out.  So the row is the same whatever the order in which the
-- deliveries are applied, and applying one again changes nothing
-- (workhooks.rederive(), README "Re-derive after a fix").  Text is
-- read with ->>: a number where a string is documented is kept as its
-- text.  Parallel arrays, one element per delivery (a batch's, or one);
-- the workers in id order, as every store takes their locks.  A worker
-- may appear once only (ON CONFLICT cannot touch a row twice in one
-- statement): derive_worksome_hire (46-) applies a batch with a worker
-- twice one delivery at a time.  plpgsql, not sql: plpgsql keeps its
-- statements' plans for the session; a LANGUAGE sql function that is not
-- inlined is planned again at every call (measured: 3x slower stores).
DROP FUNCTION IF EXISTS workhooks.worksome_apply_worker(bigint, text, jsonb,
	timestamptz);
CREATE OR REPLACE FUNCTION workhooks.worksome_apply_worker(p_delivery bigint[],
	p_event text[], p_worker jsonb[], p_received_at timestamptz[])
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
	       u.delivery, u.event, u.at, u.at
	FROM unnest(p_delivery, p_event, p_worker, p_received_at)
		AS u(delivery, event, w, at)
	WHERE w->>'id' IS NOT NULL
	ORDER BY w->>'id'
	ON CONFLICT (id) DO UPDATE SET
		name = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.name, x.name)
			ELSE coalesce(x.name, excluded.name) END,
		first_name = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.first_name, x.first_name)
			ELSE coalesce(x.first_name, excluded.first_name) END,
		middle_name = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.middle_name, x.middle_name)
			ELSE coalesce(x.middle_name, excluded.middle_name) END,
		last_name = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.last_name, x.last_name)
			ELSE coalesce(x.last_name, excluded.last_name) END,
		email = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.email, x.email)
			ELSE coalesce(x.email, excluded.email) END,
		phone = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.phone, x.phone)
			ELSE coalesce(x.phone, excluded.phone) END,
		location_name = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.location_name, x.location_name)
			ELSE coalesce(x.location_name, excluded.location_name) END,
		location_address = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.location_address, x.location_address)
			ELSE coalesce(x.location_address, excluded.location_address) END,
		location_city = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.location_city, x.location_city)
			ELSE coalesce(x.location_city, excluded.location_city) END,
		location_zipcode = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.location_zipcode, x.location_zipcode)
			ELSE coalesce(x.location_zipcode, excluded.location_zipcode) END,
		location_county = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.location_county, x.location_county)
			ELSE coalesce(x.location_county, excluded.location_county) END,
		location_state = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.location_state, x.location_state)
			ELSE coalesce(x.location_state, excluded.location_state) END,
		location_country = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.location_country, x.location_country)
			ELSE coalesce(x.location_country, excluded.location_country) END,
		business_entity_type = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.business_entity_type, x.business_entity_type)
			ELSE coalesce(x.business_entity_type, excluded.business_entity_type) END,
		business_label = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.business_label, x.business_label)
			ELSE coalesce(x.business_label, excluded.business_label) END,
		business_company_no = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.business_company_no, x.business_company_no)
			ELSE coalesce(x.business_company_no, excluded.business_company_no) END,
		business_company_name = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.business_company_name, x.business_company_name)
			ELSE coalesce(x.business_company_name, excluded.business_company_name) END,
		business_tax_no = CASE WHEN excluded.delivery_id >= x.delivery_id THEN coalesce(excluded.business_tax_no, x.business_tax_no)
			ELSE coalesce(x.business_tax_no, excluded.business_tax_no) END,
		delivery_id = greatest(x.delivery_id, excluded.delivery_id),
		event = CASE WHEN excluded.delivery_id >= x.delivery_id THEN excluded.event ELSE x.event END,
		received_at = CASE WHEN excluded.delivery_id >= x.delivery_id THEN excluded.received_at
			ELSE x.received_at END,
		first_received_at = least(x.first_received_at, excluded.first_received_at);
END
$$;
