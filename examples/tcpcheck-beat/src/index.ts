export { main, tcpcheckDefinition } from './main.js';
export { tcpcheckSchema } from './config-schema.js';
export { TcpcheckBeater, checkEvent } from './beater.js';
export { checkTcp, type CheckResult } from './check.js';
export { readSettings, type TcpcheckSettings } from './settings.js';
export { parseTarget, type TcpTarget } from './target.js';
export { TCPCHECK_VERSION } from './version.js';
