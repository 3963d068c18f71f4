CREATE OR REPLACE VIEW workhooks.relationship_incomplete_rating AS
	SELECT r.id, r.person_id, p.email, r.hirer_email, r.rating,
	       r.rating_provider, r.last_worked
	FROM workhooks.relationship r JOIN workhooks.person p ON p.id = r.person_id
	WHERE r.rating IS NOT NULL
	  AND (r.rating_provider IS NULL OR r.last_worked IS NULL);
COMMENT ON VIEW workhooks.relationship_incomplete_rating IS
	'Ratings that contact suggestions leaves out: a rating needs its provider and last_worked.';
