/**
 * The settings libbeat itself owns, as convict schema, with Beats' defaults.
 * Beats add theirs (`packetbeat.*`) and each output adds `output.<type>.*`.
 * Paths default to being under `path.home`, resolved after loading.
 */
export function libbeatSchema(beatName: string): Record<string, unknown> {
  return {
    name: { doc: 'Name of this shipper; defaults to the hostname', format: 'string', default: '' },
    tags: { doc: 'Tags added to every event', format: 'string-list', default: [] },
    fields: { doc: 'Fields added to every event', format: 'map', default: {} },
    fields_under_root: { doc: 'Put `fields` at the document root', format: 'bool', default: false },
    processors: { doc: 'Global processors', format: 'list', default: [] },
    max_procs: { doc: 'Worker threads; accepted for compatibility', format: '*', default: null, nullable: true },
    queue: {
      mem: {
        events: { doc: 'Events the memory queue holds, including those being sent', format: 'positive-int', default: 3200 },
        flush: {
          min_events: { doc: 'Events gathered before a batch is handed to the output', format: 'non-negative-int', default: 1600 },
          timeout: { doc: 'Longest wait for min_events', format: 'duration', default: '10s' },
        },
      },
      disk: {
        path: { doc: 'Directory of the disk queue; defaults to ${path.data}/diskqueue', format: 'string', default: '' },
        max_size: { doc: 'Most bytes the disk queue takes', format: 'byte-size', default: '10GB' },
        segment_size: { doc: 'Bytes per segment file; defaults to max_size / 10', format: 'byte-size', default: 0 },
        read_ahead: { doc: 'Accepted for compatibility (events read ahead for the output)', format: 'positive-int', default: 512 },
        write_ahead: { doc: 'Accepted for compatibility (events buffered before writing)', format: 'positive-int', default: 2048 },
        retry_interval: { doc: 'Accepted for compatibility (wait after a write error)', format: 'duration', default: '1s' },
        max_retry_interval: { doc: 'Accepted for compatibility', format: 'duration', default: '30s' },
      },
    },
    logging: {
      level: { doc: 'Minimum log level', format: ['debug', 'info', 'warning', 'error', 'critical'], default: 'info' },
      selectors: { doc: 'Debug selectors, or ["*"]', format: 'string-list', default: [] },
      to_stderr: { doc: 'Log to stderr (as -e)', format: 'bool', default: false },
      to_files: { doc: 'Log to rotating files in path.logs', format: 'bool', default: true },
      json: { doc: 'Log lines as JSON (ECS)', format: 'bool', default: false },
      files: {
        path: { doc: 'Directory of log files; defaults to path.logs', format: 'string', default: '' },
        name: { doc: 'Base name of log files', format: 'string', default: beatName },
        keepfiles: { doc: 'Rotated files kept', format: 'positive-int', default: 7 },
        permissions: { doc: 'Mode of log files', format: 'file-mode', default: 0o600 },
        rotateeverybytes: { doc: 'Size that triggers rotation', format: 'positive-int', default: 10_485_760 },
        rotateonstartup: { doc: 'Rotate at start-up', format: 'bool', default: true },
      },
      metrics: {
        enabled: { doc: 'Log a summary of internal metrics periodically', format: 'bool', default: true },
        period: { doc: 'Period of the metrics summary', format: 'duration', default: '30s' },
      },
    },
    http: {
      enabled: { doc: 'Serve the monitoring endpoint', format: 'bool', default: false },
      host: { doc: 'Address of the monitoring endpoint', format: 'string', default: 'localhost' },
      port: { doc: 'Port of the monitoring endpoint', format: 'tcp-port', default: 5066 },
    },
    setup: {
      template: {
        enabled: { doc: 'Load the index template (setup, export template)', format: 'bool', default: true },
        name: { doc: 'Index template name; empty: <beat>-<version>', format: 'string', default: '' },
        pattern: { doc: 'Index pattern of the template; empty: the template name', format: 'string', default: '' },
        overwrite: { doc: 'Replace an existing template', format: 'bool', default: false },
        fields: { doc: 'Path of a fields.yml (ignored: the beat provides its fields)', format: 'string', default: '' },
        settings: { doc: 'Index settings merged into the template (index.*, _source)', format: 'map', default: {} },
      },
      ilm: {
        enabled: { doc: 'Use index lifecycle management', format: 'bool', default: true },
        policy_name: { doc: 'ILM policy name; empty: the beat name', format: 'string', default: '' },
        check_exists: { doc: 'Check for (and install) the policy; false: leave it alone', format: 'bool', default: true },
        overwrite: { doc: 'Replace an existing policy', format: 'bool', default: false },
      },
    },
    path: {
      home: { doc: 'Home directory of the beat', format: 'string', default: '' },
      config: { doc: 'Directory of the config file; defaults to path.home', format: 'string', default: '' },
      data: { doc: 'Data directory; defaults to path.home/data', format: 'string', default: '' },
      logs: { doc: 'Logs directory; defaults to path.home/logs', format: 'string', default: '' },
    },
  };
}
