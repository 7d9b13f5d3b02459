// Test servers for beats and outputs: `@packetbeat-ts/libbeat/testing`.
export { EsTestServer, waitUntil } from './es-test-server.js';
