-- Rebuild the contact-suggestion rows of hires (one, or a batch's, each
-- once) from their current versions.
-- A worker without a usable email cannot be suggested; a hire still in
-- draft or only offered has hired nobody yet.  An email longer than 254
-- bytes is no address: such a worker or owner adds nothing (and so no
-- vendor text can overflow an index key).  last_worked: the contract's end
-- date (midnight UTC), else when the hire was last seen active.
DROP FUNCTION IF EXISTS workhooks.worksome_relate(text);
CREATE OR REPLACE FUNCTION workhooks.worksome_relate(p_hire_key text[])
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM workhooks.worksome_relationship AS r
	WHERE r.hire_key = ANY (p_hire_key);

	INSERT INTO workhooks.worksome_relationship
		(hire_key, owner_email_key, owner_email, worker_email_key,
		 worker_email, worker_name, worker_id, last_worked)
	SELECT DISTINCT ON (h.hire_key, lower(btrim(o.email)))
	       h.hire_key, lower(btrim(o.email)), btrim(o.email),
	       lower(btrim(v.worker_email)), btrim(v.worker_email),
	       coalesce(nullif(btrim(v.worker_name), ''), btrim(v.worker_email)),
	       v.worker_id,
	       coalesce(v.end_date::timestamp AT TIME ZONE 'UTC', h.last_active_at)
	FROM workhooks.worksome_hire AS h
	JOIN workhooks.worksome_hire_version AS v ON v.delivery_id = h.current_delivery_id
	JOIN workhooks.worksome_job_owner AS o ON o.delivery_id = h.current_delivery_id
	WHERE h.hire_key = ANY (p_hire_key)
	  AND (v.status IS NULL OR v.status NOT IN ('draft', 'offered'))
	  AND btrim(v.worker_email) LIKE '_%@_%'
	  AND octet_length(btrim(v.worker_email)) <= 254
	  AND btrim(o.email) LIKE '_%@_%'
	  AND octet_length(btrim(o.email)) <= 254
	ORDER BY h.hire_key, lower(btrim(o.email)), o.position;
END
$$;
