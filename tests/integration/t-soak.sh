#!/usr/bin/env bash
# A short soak (tests/soak/soak.sh; README "Reliability"): every endpoint,
# bad, repeated and concurrent requests while workers are killed and
# PostgreSQL restarts, then the database must match the 2xx answers
# exactly. WORKHOOKS_TEST_SOAK_TIME seconds (default 20); the long run is
# tests/soak/run (default 120 s).
SOAK_TIME=${WORKHOOKS_TEST_SOAK_TIME:-20} exec bash "$WH_ROOT/tests/soak/soak.sh"
