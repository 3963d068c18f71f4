CREATE OR REPLACE VIEW workhooks.worksome_worker_current AS
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
