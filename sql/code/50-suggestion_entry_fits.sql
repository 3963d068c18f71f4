-- Whether a person's name and email may be index keys of their
-- suggestion entries (suggestion_entry_answer holds the name, the key and
-- the lower-cased name; btree entries are at most ~2.7 kB, with room left
-- for the hirer's email and the rendered answer).  A person who does not
-- fit gets entries with person_key NULL and their hirers are answered by
-- the general path: never wrong, only slower.  LANGUAGE sql: inlined.
CREATE OR REPLACE FUNCTION workhooks.suggestion_entry_fits(p_name text, p_email text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT 3 * (octet_length(p_name) + octet_length(p_email)) <= 1200;
END;
