-- Sample people and relationships for contact suggestions (protocol §2.4), so
-- that a development stack answers something.  Idempotent: the sample
-- people are upserted by email and their relationships replaced, so this
-- file can be loaded again at every start (script/server does, as the
-- database owner).  Nothing else in workhooks.person is touched.
--
-- Hirers: someone@companyA.com and someoneelse@companyB.com (the emails of
-- tests/vectors/updatedge-contact-suggestions.json), hiring@companyC.com,
-- ops@companyD.com.  Try (signed; see README):
--   {"userEmailAddresses":["someone@companyA.com"],"filter":"smith"}
-- which returns Fred Smith only: exactly the answer protocol §2.4 shows.
-- Without "filter", everyone companyA worked with.

BEGIN;

CREATE TEMPORARY TABLE sample_person (name text, email text, image text) ON COMMIT DROP;
INSERT INTO sample_person VALUES
	('Fred Smith',     'fred@smith.com',              'http://myorg.com/fred-smith.jpg'),
	('Amelia Jones',   'amelia.jones@example.com',    'https://img.example.org/amelia-jones.jpg'),
	('Oliver Brown',   'oliver.brown@example.com',    NULL),
	('Isla Taylor',    'isla.taylor@example.net',     'https://img.example.org/isla-taylor.png'),
	('George Wilson',  'george.wilson@example.com',   NULL),
	('Ava Davies',     'Ava.Davies@Example.com',      'https://img.example.org/ava-davies.jpg'),
	('Noah Evans',     'noah.evans@example.org',      NULL),
	('Mia Thomas',     'mia.thomas@example.com',      NULL),
	('Leo Roberts',    'leo.roberts@example.net',     'https://img.example.org/leo-roberts.jpg'),
	('Sophia Walker',  'sophia.walker@example.org',   NULL),
	('Harry Green',    'harry.green@example.com',     'https://img.example.org/harry-green.jpg');

INSERT INTO workhooks.person (name, email, profile_image_url)
SELECT name, email, image FROM sample_person
ON CONFLICT (lower(email)) DO UPDATE
	SET name = excluded.name, email = excluded.email,
	    profile_image_url = excluded.profile_image_url, updated_at = now();

DELETE FROM workhooks.relationship r
USING workhooks.person p, sample_person s
WHERE r.person_id = p.id AND lower(p.email) = lower(s.email);

CREATE TEMPORARY TABLE sample_relationship (email text, hirer text, rating smallint,
	provider text, last_worked timestamptz) ON COMMIT DROP;
INSERT INTO sample_relationship VALUES
	-- the protocol §2.4 example answer
	('fred@smith.com',            'someone@companyA.com',     3, 'Another Organisation', '2019-01-02T00:00:00Z'),
	('amelia.jones@example.com',  'someone@companyA.com',     5, 'updatedge',            '2024-03-15T17:30:00Z'),
	('amelia.jones@example.com',  'someoneelse@companyB.com', 4, 'Another Organisation', '2023-11-02T09:00:00Z'),
	('amelia.jones@example.com',  'hiring@companyC.com',      5, 'updatedge',            '2022-07-01T08:00:00Z'),
	-- worked there, never rated: listed with "ratings": []
	('oliver.brown@example.com',  'someone@companyA.com',     NULL, NULL,                '2024-05-20T16:00:00Z'),
	('isla.taylor@example.net',   'someoneelse@companyB.com', 5, 'updatedge',            '2024-01-10T12:00:00Z'),
	('isla.taylor@example.net',   'hiring@companyC.com',      4, 'Another Organisation', '2021-09-30T00:00:00Z'),
	-- two ratings from two providers for the same hirer
	('george.wilson@example.com', 'someone@companyA.com',     2, 'Acme Staffing',        '2022-06-30T00:00:00Z'),
	('george.wilson@example.com', 'someone@companyA.com',     4, 'updatedge',            '2023-02-01T00:00:00Z'),
	-- hirer email written in another case: matched all the same
	('Ava.Davies@Example.com',    'Someone@CompanyA.com',     4, 'updatedge',            '2023-08-19T00:00:00Z'),
	('Ava.Davies@Example.com',    'ops@companyD.com',         3, 'Acme Staffing',        '2020-03-03T00:00:00Z'),
	('noah.evans@example.org',    'hiring@companyC.com',      5, 'updatedge',            '2024-02-02T00:00:00Z'),
	('noah.evans@example.org',    'ops@companyD.com',         NULL, NULL,                '2023-12-12T00:00:00Z'),
	-- no last_worked known: listed after everyone with a date
	('mia.thomas@example.com',    'someone@companyA.com',     NULL, NULL,                NULL),
	-- a rating without its provider is stored but not emitted
	('leo.roberts@example.net',   'someoneelse@companyB.com', 3, NULL,                   '2022-10-10T00:00:00Z'),
	('leo.roberts@example.net',   'hiring@companyC.com',      4, 'updatedge',            '2023-04-04T00:00:00Z'),
	('sophia.walker@example.org', 'ops@companyD.com',         5, 'updatedge',            '2024-06-01T00:00:00Z'),
	('sophia.walker@example.org', 'hiring@companyC.com',      NULL, NULL,                '2019-05-05T00:00:00Z'),
	('harry.green@example.com',   'someone@companyA.com',     1, 'Another Organisation', '2021-01-15T10:00:00Z'),
	('harry.green@example.com',   'someoneelse@companyB.com', 4, 'updatedge',            '2024-04-30T00:00:00Z');

INSERT INTO workhooks.relationship (person_id, hirer_email, rating, rating_provider, last_worked)
SELECT p.id, s.hirer, s.rating, s.provider, s.last_worked
FROM sample_relationship s JOIN workhooks.person p ON lower(p.email) = lower(s.email);

COMMIT;
