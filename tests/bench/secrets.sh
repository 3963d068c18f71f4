# workhooks benchmark — the bench stack's secrets, sourced by
# tests/bench/run (which writes them into the stack's configuration) and
# tests/bench/hit (which signs its requests with them). Test values only.
ue_secret='bench-updatedge-0da22586-719c-433b'
ws_secret='tHizIsAnX@mp|E'	# Worksome's documented example; tests/vectors
