CREATE OR REPLACE VIEW workhooks.worksome_hire_current AS
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
