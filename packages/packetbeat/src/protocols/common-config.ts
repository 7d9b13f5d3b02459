import convict from 'convict';
import { BeatError, ErrorCodes, errorMessage, isPlainObject, parseDuration, registerBeatFormats } from '@packetbeat-ts/libbeat';
import type { CommonProtocolConfig, ConfigSchema } from '@packetbeat-ts/protocol-sdk';

/**
 * A protocol's validated settings: Packetbeat's common protocol options
 * (with Packetbeat's defaults) plus the plugin's own, from its `configSchema`.
 */
export interface ProtocolItemConfig extends CommonProtocolConfig {
  /** Fields added to this protocol's events (under `fields.` unless `fields_under_root`). */
  readonly fields: Record<string, unknown>;
  readonly fields_under_root: boolean;
  readonly tags: readonly string[];
  /** The raw `processors` list (built into `LoadedProtocol.processors`). */
  readonly processors: readonly unknown[];
  /** Index for this protocol's events; empty for the output's default. */
  readonly index: string;
  readonly keep_null: boolean;
  readonly [key: string]: unknown;
}

/** Keys of a `packetbeat.protocols` item handled by the loader itself, not by a schema. */
export const LOADER_KEYS: readonly string[] = ['type', 'package'];

function portsFormat(value: unknown): void {
  if (!Array.isArray(value) || !value.every((p) => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535)) {
    throw new Error('must be a list of port numbers (1-65535)');
  }
}

function positiveDuration(value: unknown): void {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new Error('must be a positive duration such as 500ms, 10s or 1m');
}

/** The common options of every protocol, as a convict schema, with Packetbeat's defaults. */
export function commonProtocolSchema(defaultPorts: readonly number[]): Record<string, Record<string, unknown>> {
  return {
    enabled: { doc: 'Analyze this protocol', format: 'bool', default: true },
    ports: { doc: 'Ports the protocol is expected on', format: portsFormat, default: [...defaultPorts] },
    send_request: { doc: 'Add the raw request to the event (as request)', format: 'bool', default: false },
    send_response: { doc: 'Add the raw response to the event (as response)', format: 'bool', default: false },
    transaction_timeout: { doc: 'Report a request as unanswered after this long', format: positiveDuration, default: '10s' },
    fields: { doc: 'Fields added to this protocol’s events', format: 'map', default: {} },
    fields_under_root: { doc: 'Put fields at the document root', format: 'bool', default: false },
    tags: { doc: 'Tags added to this protocol’s events', format: 'string-list', default: [] },
    processors: { doc: 'Processors for this protocol’s events', format: 'list', default: [] },
    index: { doc: 'Index for this protocol’s events', format: 'string', default: '' },
    keep_null: { doc: 'Publish fields whose value is null', format: 'bool', default: false },
  };
}

/** As convict reads a schema: a node with no `default` and some keys is a section, anything else a setting. */
function isSection(node: unknown): node is Record<string, unknown> {
  return isPlainObject(node) && Object.keys(node).length > 0 && !('default' in node);
}

/**
 * The common schema merged with a plugin's own. A plugin may change the
 * default of a common option (its entry's `default`), not its format.
 */
export function protocolSchema(defaultPorts: readonly number[], own: ConfigSchema | undefined): Record<string, unknown> {
  const schema: Record<string, unknown> = {};
  const common = commonProtocolSchema(defaultPorts);
  for (const [key, node] of Object.entries(own ?? {})) {
    if (LOADER_KEYS.includes(key)) continue;
    const base = common[key];
    if (base === undefined) schema[key] = node;
    else if (isPlainObject(node) && 'default' in node && key !== 'ports') common[key] = { ...base, default: node['default'] };
  }
  return { ...common, ...schema };
}

/** `ports: 80`, `ports: "80,8080"` and `ports: ["80"]` (from `${VAR}`) as Packetbeat's list of ints. */
function normalizePorts(value: unknown): unknown {
  const one = (v: unknown): unknown => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v);
  if (typeof value === 'number') return [value];
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter((s) => s !== '').map(one);
  if (Array.isArray(value)) return value.map(one);
  return value;
}

export interface ValidatedItem {
  readonly config: ProtocolItemConfig;
  /** Keys of the item that no schema declares (dotted, relative to the item). */
  readonly unknownKeys: readonly string[];
}

/**
 * Validates one `packetbeat.protocols` item (without `type`/`package`)
 * against the common options and the plugin's schema. `where` is the item's
 * config path (`packetbeat.protocols.0`) for messages; `origin` (a file,
 * `-E`), if known, prefixes them as libbeat's config errors do.
 */
export function validateProtocolItem(
  item: Record<string, unknown>,
  defaultPorts: readonly number[],
  own: ConfigSchema | undefined,
  where: string,
  origin?: (key: string) => string | undefined,
): ValidatedItem {
  registerBeatFormats();
  const schema = protocolSchema(defaultPorts, own);
  const fail = (key: string, reason: string): BeatError => {
    const full = key === '' ? where : `${where}.${key}`;
    const file = origin?.(full);
    return new BeatError(ErrorCodes.CONFIG_INVALID, `${file === undefined ? '' : `${file}: `}${full}: ${reason}`, {
      key: full,
      ...(file === undefined ? {} : { file }),
    });
  };

  let conf: convict.Config<Record<string, unknown>>;
  try {
    conf = convict(schema as convict.Schema<Record<string, unknown>>, { args: [], env: {} });
  } catch (err) {
    throw fail('', `the protocol's config schema is invalid: ${errorMessage(err)}`);
  }

  // Set values one by one rather than `load()`: convict's load descends into
  // map values (`fields: {a: {b: 1}}`) as if they were sections and fails.
  const unknownKeys: string[] = [];
  const apply = (node: Record<string, unknown>, values: Record<string, unknown>, prefix: string): void => {
    for (const [key, raw] of Object.entries(values)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (prefix === '' && LOADER_KEYS.includes(key)) continue;
      if (!Object.prototype.hasOwnProperty.call(node, key)) {
        unknownKeys.push(path);
        continue;
      }
      if (raw === null || raw === undefined) continue; // `key:` with no value: not set, as in go-ucfg
      const sub = node[key];
      if (isSection(sub)) {
        if (!isPlainObject(raw)) throw fail(path, 'must be a map of settings');
        apply(sub, raw, path);
      } else {
        conf.set(path, path === 'ports' ? normalizePorts(raw) : raw);
      }
    }
  };
  apply(schema, item, '');

  try {
    conf.validate({ allowed: 'warn', output: () => undefined });
  } catch (err) {
    const lines = errorMessage(err)
      .split('\n')
      .filter((l) => l.trim() !== '');
    const first = lines[0] ?? '';
    const colon = first.indexOf(': ');
    const key = colon > 0 ? first.slice(0, colon) : '';
    const reason = (line: string): string => {
      const c = line.indexOf(': ');
      return c > 0 ? `${where}.${line}` : `${where}: ${line}`;
    };
    const file = origin?.(`${where}.${key}`);
    const message = lines.map((l) => `${file === undefined ? '' : `${file}: `}${reason(l)}`).join('\n');
    throw new BeatError(ErrorCodes.CONFIG_INVALID, message, {
      key: key === '' ? where : `${where}.${key}`,
      ...(file === undefined ? {} : { file }),
    });
  }

  const values = conf.getProperties();
  const ports = [...new Set(values['ports'] as number[])];
  const timeout = parseDuration(values['transaction_timeout']) as number;
  const config: ProtocolItemConfig = {
    ...values,
    enabled: values['enabled'] as boolean,
    ports,
    send_request: values['send_request'] as boolean,
    send_response: values['send_response'] as boolean,
    transaction_timeout: timeout,
    fields: values['fields'] as Record<string, unknown>,
    fields_under_root: values['fields_under_root'] as boolean,
    tags: values['tags'] as string[],
    processors: values['processors'] as unknown[],
    index: values['index'] as string,
    keep_null: values['keep_null'] as boolean,
  };
  return { config, unknownKeys };
}
