-- One rating object of an answer, or NULL when the rating is incomplete
-- (the response schema requires rating, provider and lastWorked);
-- lastWorked in UTC to the second with Z.
CREATE OR REPLACE FUNCTION workhooks.suggestion_rating_json(p_rating smallint, p_provider text,
	p_last_worked timestamptz)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE WHEN p_rating IS NOT NULL AND p_provider IS NOT NULL
		     AND p_last_worked IS NOT NULL THEN
		'{"rating":' || p_rating::text
		|| ',"ratingProvider":' || to_json(p_provider)::text
		|| ',"lastWorked":"' || to_char(p_last_worked AT TIME ZONE 'UTC',
			'YYYY-MM-DD"T"HH24:MI:SS"Z"') || '"}' END;
END;
