export { main, packetbeatDefinition } from './main.js';
export { packetbeatSchema } from './config-schema.js';
export { PACKETBEAT_VERSION } from './version.js';
export { loadLibpcap, type CaptureDevice } from './capture/libpcap.js';
export { liveCaptureBackend } from './sources/live-source.js';
export { replayCapture, type ReplayCaptureOptions } from './testing/replay.js';
