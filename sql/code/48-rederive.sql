-- Re-derive after a fix (README "Re-derive after a fix"): make the derived
-- rows of the matching stored deliveries again from their raw bodies, in
-- delivery order (id), and return how many deliveries were applied.  Each
-- body is validated again by the endpoint's own C field table and checks
-- (workhooks.fields(), the module workhooks.so: 24-fields.sql), and its
-- values go to the same derive function the live store calls; every
-- derive function is idempotent, so running this twice changes nothing.
-- The filters: source ('updatedge', 'worksome'), endpoint (as in
-- delivery.endpoint: 'events/timelineChanged', 'worksome', ...), and
-- since (received_at >= since); NULL matches everything.  Deliveries that
-- derive nothing (a Worksome event the endpoint does not know) are not
-- counted.  A body the current rules refuse stops the run with an error
-- naming the delivery: nothing is applied (one transaction).
--
-- The one mapping from (source, endpoint, event) to derive function, with
-- the number of field values each takes (the scalar rows of the
-- endpoint's or event's C field table, in its order; common/serve.h).
-- For the database owner (the role that runs workhooks-migrate) or a
-- superuser only: 90-privileges.sql grants it to nobody.
CREATE OR REPLACE FUNCTION workhooks.rederive(source text DEFAULT NULL,
	endpoint text DEFAULT NULL, since timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r	record;
	f	text[];
	v_want	integer;
	v_n	bigint := 0;
BEGIN
	IF to_regprocedure('workhooks.fields(text, text, text, text)') IS NULL THEN
		RAISE EXCEPTION 'workhooks.rederive: the PostgreSQL module workhooks.so is not installed (function workhooks.fields is missing): README "Re-derive after a fix"'
		USING ERRCODE = 'undefined_function',
		      HINT = 'Install workhooks.so into the database server''s pg_config --pkglibdir (make install there), then run workhooks-migrate again.';
	END IF;
	FOR r IN
		SELECT d.id, d.source, d.endpoint, d.event, d.subject, d.body,
		       d.received_at, d.last_received_at, d.times_received
		FROM workhooks.delivery AS d
		WHERE (rederive.source IS NULL OR d.source = rederive.source)
		  AND (rederive.endpoint IS NULL OR d.endpoint = rederive.endpoint)
		  AND (rederive.since IS NULL OR d.received_at >= rederive.since)
		ORDER BY d.id
	LOOP
		v_want := CASE
			WHEN r.source = 'updatedge' THEN CASE r.endpoint
				WHEN 'events/timelineChanged' THEN 7
				WHEN 'offer/response' THEN 3
				WHEN 'offer/eventDeleted' THEN 3
				WHEN 'contact/new' THEN 0 END
			WHEN r.source = 'worksome' AND r.endpoint = 'worksome' THEN CASE r.event
				WHEN 'contractAccepted' THEN 8
				WHEN 'hireUpdated' THEN 8
				WHEN 'hireEnded' THEN 8
				WHEN 'hireCancelled' THEN 8
				WHEN 'hireTerminated' THEN 8
				WHEN 'trustedContactUpdated' THEN 2 END
			END;
		-- Nothing derives from it: an updatedge endpoint without derived
		-- rows, or a Worksome event the endpoint stores raw.
		CONTINUE WHEN v_want IS NULL AND r.source <> 'worksome';
		BEGIN
			f := workhooks.fields(r.endpoint, r.event, r.subject, r.body);
		EXCEPTION WHEN data_exception THEN
			RAISE EXCEPTION 'workhooks.rederive: delivery % (%/%): %',
				r.id, r.source, r.endpoint || coalesce(' ' || r.event, ''), SQLERRM
			USING ERRCODE = 'data_exception',
			      HINT = 'The body no longer validates under the current rules; nothing was re-derived.';
		END;
		IF v_want IS NULL THEN
			-- An event the module validates with field values but
			-- without a derive function here: the mapping is out of
			-- date; say so rather than skip it.
			IF coalesce(cardinality(f), 0) > 0 THEN
				RAISE EXCEPTION 'workhooks.rederive: delivery %: Worksome event % has field values but no derive function in workhooks.rederive()',
					r.id, r.event;
			END IF;
			CONTINUE;
		END IF;
		IF coalesce(cardinality(f), 0) <> v_want THEN
			RAISE EXCEPTION 'workhooks.rederive: delivery %: workhooks.fields gave % values, the derive function takes % (module and SQL of different versions?)',
				r.id, coalesce(cardinality(f), 0), v_want;
		END IF;
		IF r.source = 'updatedge' THEN
			CASE r.endpoint
			WHEN 'events/timelineChanged' THEN
				PERFORM workhooks.derive_timeline_changed(ARRAY[r.id],
					ARRAY[r.received_at], ARRAY[f[1]], ARRAY[f[2]],
					ARRAY[f[3]::timestamptz], ARRAY[f[4]::timestamptz],
					ARRAY[f[5]::timestamptz], ARRAY[f[6]::timestamptz],
					ARRAY[f[7]::timestamptz]);
			WHEN 'offer/response' THEN
				PERFORM workhooks.derive_offer_response(r.id, r.received_at,
					r.last_received_at, f[1], f[2], f[3]);
			WHEN 'offer/eventDeleted' THEN
				PERFORM workhooks.derive_offer_event_deleted(r.id,
					r.received_at, f[1], f[2], f[3]::timestamptz);
			WHEN 'contact/new' THEN
				PERFORM workhooks.derive_contact_new(r.id, r.subject,
					r.received_at, r.last_received_at, r.times_received);
			END CASE;
		ELSIF r.event = 'trustedContactUpdated' THEN
			PERFORM workhooks.derive_worksome_trusted_contact(r.id,
				r.received_at, r.event, r.body, f[1], f[2]);
		ELSE
			PERFORM workhooks.derive_worksome_hire(ARRAY[r.id],
				ARRAY[r.received_at], ARRAY[r.event], ARRAY[r.body],
				ARRAY[f[1]], ARRAY[f[2]], ARRAY[f[3]::date],
				ARRAY[f[4]::date], ARRAY[f[5]], ARRAY[f[6]::numeric],
				ARRAY[f[7]], ARRAY[f[8]]);
		END IF;
		v_n := v_n + 1;
	END LOOP;
	-- The timeline changes it queued, into the summary now (and what the
	-- workers had queued with them); the Worksome hire deliveries still
	-- queued were derived above with the rest: the queue is emptied, and
	-- what the workers queue meanwhile is derived too.
	PERFORM workhooks.worker_timeline_fold(true);
	PERFORM workhooks.worksome_hire_fold(true);
	-- The deliveries whose derivation had failed in a fold (kept with
	-- their error, 46-worksome_hire_fold.sql) and that were derived
	-- above leave the queue.
	DELETE FROM workhooks.worksome_hire_pending AS p
	WHERE p.error IS NOT NULL
	  AND EXISTS (SELECT 1 FROM workhooks.worksome_hire_version AS v
		      WHERE v.delivery_id = p.delivery_id);
	RETURN v_n;
END
$$;
COMMENT ON FUNCTION workhooks.rederive(text, text, timestamptz) IS
	'Re-derive the derived rows of the matching stored deliveries from their bodies (module workhooks.so), in id order, idempotently; returns how many were applied.';
