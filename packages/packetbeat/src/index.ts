export { main, packetbeatDefinition } from './main.js';
export { packetbeatSchema } from './config-schema.js';
export { PACKETBEAT_VERSION } from './version.js';
export { loadLibpcap, type CaptureDevice } from './capture/libpcap.js';
export { replayCapture, type ReplayCaptureOptions } from './testing/replay.js';
