-- The start of a person's answer object (protocol §2.4), rendered when an
-- entry is made instead of at every request.  to_json() escapes as
-- json_build_object() does.
CREATE OR REPLACE FUNCTION workhooks.suggestion_person_json(p_name text, p_email text, p_image text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT '{"name":' || to_json(p_name)::text
	       || ',"emailAddress":' || to_json(p_email)::text
	       || CASE WHEN p_image IS NULL THEN ''
		       ELSE ',"profileImageUrl":' || to_json(p_image)::text END;
END;
