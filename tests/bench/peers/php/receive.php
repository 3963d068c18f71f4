<?php
// workhooks benchmark peer — the receiver a PHP user would write instead:
// PHP-FPM + PDO, one plain INSERT of the body per request, no checks. The
// connection is persistent (one per FPM child), as a tuned site has it.
// BENCH_PEER_DSN comes from the pool's env[] (tests/bench/peers/php/
// php-fpm.conf.in).
$db = new PDO(getenv('BENCH_PEER_DSN'), null, null,
    [PDO::ATTR_PERSISTENT => true, PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
header('Content-Type: application/json');
try {
    $st = $db->prepare('INSERT INTO bench_peer.php_delivery (body) VALUES (?)');
    $st->execute([file_get_contents('php://input')]);
    echo '{"status":"ok"}';
} catch (PDOException $e) {
    http_response_code(503);
    echo '{"error":"database"}';
}
