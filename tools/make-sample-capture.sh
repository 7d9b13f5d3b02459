#!/usr/bin/env bash
# Records packages/packetbeat/samples/http-sample.pcap from local traffic:
# a small HTTP server on 127.0.0.1:$port answering a few kinds of requests
# (GET with a query, POST with a JSON body, a 404, keep-alive), captured on lo.
# Needs root, tcpdump and curl. Run from the repository root.
set -euo pipefail
out=packages/packetbeat/samples/http-sample.pcap
port=8002
tmp=$(mktemp -d)
cat > "$tmp/server.mjs" <<JS
import http from 'node:http';
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const missing = req.url.startsWith('/missing');
    res.writeHead(missing ? 404 : 200, { 'content-type': 'application/json', server: 'sample/1.0' });
    res.end(JSON.stringify(missing ? { error: 'not found' } : { method: req.method, url: req.url, received: body.length }));
  });
});
server.listen($port, '127.0.0.1', () => console.log('ready'));
JS
node "$tmp/server.mjs" > "$tmp/server.log" & server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
until grep -q ready "$tmp/server.log"; do sleep 0.1; done
tcpdump -i lo -s 0 -U --immediate-mode -w "$out" "tcp port $port or tcp port 6379" 2> "$tmp/tcpdump.log" & dump=$!
until grep -q "listening on" "$tmp/tcpdump.log"; do sleep 0.1; done
base=http://127.0.0.1:$port
curl -s "$base/api/users?page=1&sort=name" > /dev/null
curl -s -X POST -H 'content-type: application/json' -d '{"name":"ada","role":"admin"}' "$base/api/users" > /dev/null
curl -s "$base/missing/page" > /dev/null
curl -s "$base/a" "$base/b" > /dev/null            # two requests on one keep-alive connection
curl -s -u demo:secret "$base/private" > /dev/null  # basic auth: user.name
redis-cli -p 6379 ping > /dev/null 2>&1 || true     # other traffic, seen only as a flow
sleep 1
kill -INT $dump; wait $dump || true
echo "wrote $out ($(stat -c %s "$out") bytes)"
