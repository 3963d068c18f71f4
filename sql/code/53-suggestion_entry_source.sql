-- What workhooks.suggestion_entry holds, computed from relationship and
-- person: one row per (hirer, person).  The one definition of an entry:
-- suggestion_entry_refresh() and suggestion_entry_rebuild() copy from it.
-- A restriction on hirer_key or person_id reaches the tables' indexes.
CREATE OR REPLACE VIEW workhooks.suggestion_entry_source AS
	SELECT a.hirer_key, a.person_id, a.latest,
	       CASE WHEN a.fits THEN a.person_key END AS person_key,
	       CASE WHEN a.fits THEN a.person_name END AS person_name,
	       CASE WHEN a.fits THEN lower(a.person_name) END AS name_key,
	       CASE WHEN a.fits AND octet_length(a.answer) <= 1000 THEN a.answer END AS answer,
	       CASE WHEN a.fits AND octet_length(a.answer) > 1000 THEN a.answer END AS answer_long
	FROM (
		SELECT r.hirer_email_key AS hirer_key, p.id AS person_id,
		       max(r.last_worked) AS latest,
		       workhooks.suggestion_entry_fits(p.name, p.email) AS fits,
		       lower(p.email) AS person_key, p.name AS person_name,
		       workhooks.suggestion_person_json(p.name, p.email, p.profile_image_url)
		       || ',"ratings":[' || coalesce(string_agg(
			       workhooks.suggestion_rating_json(r.rating,
				       r.rating_provider, r.last_worked), ','
			       ORDER BY r.last_worked DESC, r.rating_provider, r.rating), '')
		       || ']}' AS answer
		FROM workhooks.relationship AS r
		JOIN workhooks.person AS p ON p.id = r.person_id
		GROUP BY r.hirer_email_key, p.id
	) AS a;
