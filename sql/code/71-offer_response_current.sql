CREATE OR REPLACE VIEW workhooks.offer_response_current AS
	SELECT DISTINCT ON (offer_id, worker_id)
	       offer_id, worker_id, response, last_received_at AS responded_at,
	       delivery_id
	FROM workhooks.offer_response
	ORDER BY offer_id, worker_id, last_received_at DESC, delivery_id DESC;
COMMENT ON VIEW workhooks.offer_response_current IS
	'Per (offer, worker): the answer received last.';
