/**
 * tcpcheck's own settings (`tcpcheck.*`), in libbeat's convict style. libbeat
 * merges this with its own schema (`output.*`, `queue.*`, `logging.*`, ...),
 * so the beat only declares what is specific to it.
 *
 * `tcpcheck.hosts` has an empty default so that a missing list is reported by
 * `create` (see settings.ts) with a clear message, for `run` and `test config`.
 */
export const tcpcheckSchema: Record<string, unknown> = {
  tcpcheck: {
    hosts: { doc: 'Endpoints to check, as host:port (IPv6 as [addr]:port)', format: 'string-list', default: [] },
    schedule: { doc: 'Time between the starts of two rounds of checks', format: 'duration', default: '10s' },
    timeout: { doc: 'Give up on a connection attempt after this long (the check is down)', format: 'duration', default: '5s' },
    max_checks: { doc: 'Stop after this many rounds of checks; 0 runs until stopped', format: 'non-negative-int', default: 0 },
    shutdown_timeout: {
      doc: 'When stopped by a signal, wait this long for the output to acknowledge queued events',
      format: 'duration',
      default: '0s',
    },
  },
};
