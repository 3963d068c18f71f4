-- Everything the general path of contact_suggestions() reads, one row per
-- (person, hirer) relationship, from the organisation's people and from
-- Worksome hires: person_key groups one person across sources, the
-- lowest priority gives name, email and image, hirer_email is already
-- lower-cased.  A worker who is also one of the organisation's people
-- takes that row's name, email and image.  A source added here must also
-- send its hirers to the general path (contact_suggestions(), next to the
-- Worksome test), or the fast path would miss its rows.  The person is
-- looked up per relationship (LATERAL ... OFFSET 0 keeps it a nested
-- loop on person_pkey): a generic plan, estimating hundreds of rows per
-- hirer, would otherwise read every person into a hash (measured: 13 ms
-- instead of 0.4 ms for a hirer with 20 relationships, 100,000 people).
CREATE OR REPLACE VIEW workhooks.suggestion_source AS
	SELECT lower(p.email) AS person_key, 0 AS priority, p.name, p.email, p.profile_image_url,
	       r.hirer_email_key AS hirer_email, r.rating, r.rating_provider, r.last_worked
	FROM workhooks.relationship r
	CROSS JOIN LATERAL (SELECT p.name, p.email, p.profile_image_url
			    FROM workhooks.person p WHERE p.id = r.person_id
			    OFFSET 0) AS p
	UNION ALL
	SELECT wr.worker_email_key, 1, coalesce(p.name, wr.worker_name),
	       coalesce(p.email, wr.worker_email), p.profile_image_url,
	       wr.owner_email_key, NULL::smallint, NULL::text, wr.last_worked
	FROM workhooks.worksome_relationship wr
	LEFT JOIN workhooks.person p ON lower(p.email) = wr.worker_email_key;
