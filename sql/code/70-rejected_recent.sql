CREATE OR REPLACE VIEW workhooks.rejected_recent AS
	SELECT hour, endpoint, status, reason, field, count
	FROM workhooks.rejected
	WHERE hour > now() - interval '7 days'
	ORDER BY hour DESC, count DESC;
