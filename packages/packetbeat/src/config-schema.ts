/**
 * Packetbeat's own settings (`packetbeat.*`) with Packetbeat's defaults.
 * `packetbeat.protocols` is a list validated item by item by the protocol
 * loader (each protocol has its own schema), not here.
 */
export const packetbeatSchema: Record<string, unknown> = {
  packetbeat: {
    interfaces: {
      device: { doc: 'Device to sniff: a name, an index, or any', format: 'string', default: 'any' },
      type: { doc: 'Sniffer type', format: ['pcap', 'af_packet'], default: 'pcap' },
      snaplen: { doc: 'Bytes captured of each packet', format: 'positive-int', default: 65535 },
      buffer_size_mb: { doc: 'Kernel capture buffer in MiB', format: 'positive-int', default: 30 },
      bpf_filter: { doc: 'BPF filter; by default built from the protocols’ ports', format: 'string', default: '' },
      with_vlans: { doc: 'Also capture 802.1Q-tagged traffic', format: 'bool', default: false },
      auto_promisc_mode: { doc: 'Put the device in promiscuous mode', format: 'bool', default: false },
      internal_networks: { doc: 'Networks considered internal, for network.direction', format: 'string-list', default: ['private'] },
      file: { doc: 'Read packets from this capture file instead of a device (as -I)', format: 'string', default: '' },
      ignore_outgoing: { doc: 'Ignore packets the host itself sends', format: 'bool', default: false },
    },
    flows: {
      enabled: { doc: 'Report network flows', format: 'bool', default: true },
      timeout: { doc: 'A flow idle this long is final', format: 'duration', default: '30s' },
      period: { doc: 'Reporting period of active flows; -1 reports final flows only', format: 'duration', default: '10s' },
      fields: { doc: 'Fields added to flow events', format: 'map', default: {} },
      fields_under_root: { doc: 'Put flow fields at the document root', format: 'bool', default: false },
      tags: { doc: 'Tags added to flow events', format: 'string-list', default: [] },
      processors: { doc: 'Processors for flow events', format: 'list', default: [] },
      index: { doc: 'Index for flow events', format: 'string', default: '' },
      keep_null: { doc: 'Publish fields whose value is null', format: 'bool', default: false },
    },
    protocols: { doc: 'Protocols to analyze, in Packetbeat’s list form (- type: http)', format: 'list', default: [] },
    ignore_outgoing: { doc: 'Ignore transactions the host itself starts', format: 'bool', default: false },
    workers: { doc: 'Threads analyzing packets, connections sharded by a symmetric 5-tuple hash; 0: one per core, 1: in the main thread', format: 'non-negative-int', default: 1 },
    shutdown_timeout: { doc: 'Wait this long for the output to acknowledge events at shutdown', format: 'duration', default: '0s' },
    procs: {
      enabled: { doc: 'Process monitoring (accepted for compatibility)', format: 'bool', default: false },
      monitored: { doc: 'Processes to monitor', format: 'list', default: [] },
    },
  },
};
