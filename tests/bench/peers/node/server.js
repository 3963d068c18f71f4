// workhooks benchmark peer — the receiver a Node user would write instead:
// express + pg, one plain INSERT of the body per request, no checks.
//
// tests/bench/run starts it behind the benchmark's nginx with:
//   BENCH_PEER_SOCKET   unix socket to listen on (nginx proxies to it)
//   BENCH_PEER_WORKERS  processes (node:cluster); one per core is how Node
//                       is deployed (each process serves many requests at
//                       once)
//   BENCH_PEER_POOL     database connections per process (pg.Pool max):
//                       processes x pool = workhooks' workers per endpoint
//   PGHOST PGPORT PGDATABASE PGUSER   libpq-style variables, read by pg
'use strict';

const cluster = require('node:cluster');
const fs = require('node:fs');

const socket = process.env.BENCH_PEER_SOCKET;
const workers = Number(process.env.BENCH_PEER_WORKERS || 16);

if (cluster.isPrimary) {
	fs.rmSync(socket, { force: true });
	for (let i = 0; i < workers; i++)
		cluster.fork();
	cluster.on('exit', () => cluster.fork());
	process.on('SIGTERM', () => {
		cluster.removeAllListeners('exit');
		for (const id in cluster.workers)
			cluster.workers[id].kill('SIGTERM');
		fs.rmSync(socket, { force: true });
		process.exit(0);
	});
} else {
	const express = require('express');
	const { Pool } = require('pg');
	const pool = new Pool({ max: Number(process.env.BENCH_PEER_POOL || 1) });
	const app = express();

	app.disable('x-powered-by');
	app.disable('etag');
	app.use(express.text({ type: '*/*', limit: '1mb' }));
	app.post('/bench/node', async (req, res) => {
		try {
			await pool.query('INSERT INTO bench_peer.node_delivery (body) VALUES ($1)', [req.body]);
			res.json({ status: 'ok' });
		} catch (e) {
			res.status(503).json({ error: 'database' });
		}
	});
	const server = app.listen(socket, () => {
		try { fs.chmodSync(socket, 0o666); } catch (e) { /* the primary's socket */ }
	});
	process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
