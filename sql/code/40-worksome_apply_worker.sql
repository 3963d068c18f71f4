-- The worker of a Worksome delivery becomes current unless a later
-- delivery has already been applied.  A field the newer delivery leaves
-- out (or sends as null, which protocol §1 reads as absent) keeps the
-- value known before: trustedContactUpdated carries a reduced worker
-- object, without email, phone, location or business entity.  Text is
-- read with ->>: a number where a string is documented is kept as its
-- text.  plpgsql, not sql: plpgsql keeps its statements' plans for the
-- session; a LANGUAGE sql function that is not inlined is planned again at
-- every call (measured: 3x slower stores).
CREATE OR REPLACE FUNCTION workhooks.worksome_apply_worker(p_delivery bigint,
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
