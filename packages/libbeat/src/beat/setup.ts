import { Client } from '@elastic/elasticsearch';
import { isPlainObject } from '../common/fields.js';
import type { BeatConfig } from '../config/load.js';
import { expandDottedKeys, mergeTrees } from '../config/dotted-keys.js';
import { BeatError, ErrorCodes } from '../errors.js';
import type { EventFields } from '../event.js';
import { describeRequestError, esClientOptions } from '../outputs/elasticsearch/client.js';
import { resolveElasticsearchConfig } from '../outputs/elasticsearch/config.js';
import type { FieldDefinition } from './beater.js';

/**
 * Index management as Beats' `setup --index-management`: the ILM policy, the
 * composable index template (Elasticsearch 8: a data stream template built
 * from the beat's field list) and the data stream itself; plus the JSON that
 * `export template` and `export ilm-policy` print.
 */

export const DEFAULT_KEYWORD_IGNORE_ABOVE = 1024;
export const TEMPLATE_PRIORITY = 150;

/** Fields libbeat adds to every document (`@timestamp`, `agent.*`, `ecs.version`, `host.name`, `tags`…). */
export const LIBBEAT_FIELDS: readonly FieldDefinition[] = [
  { name: '@timestamp', type: 'date' },
  { name: 'agent.id', type: 'keyword' },
  { name: 'agent.ephemeral_id', type: 'keyword' },
  { name: 'agent.name', type: 'keyword' },
  { name: 'agent.type', type: 'keyword' },
  { name: 'agent.version', type: 'keyword' },
  { name: 'ecs.version', type: 'keyword' },
  { name: 'host.name', type: 'keyword' },
  { name: 'tags', type: 'keyword' },
  { name: 'fields', type: 'object' },
  { name: 'message', type: 'text' },
];

export interface TemplateSettings {
  readonly enabled: boolean;
  readonly name: string;
  readonly pattern: string;
  readonly overwrite: boolean;
  /** `setup.template.settings` (nested): `index.*` and `_source`. */
  readonly settings: EventFields;
}

export interface IlmSettings {
  readonly enabled: boolean;
  readonly policyName: string;
  readonly checkExists: boolean;
  readonly overwrite: boolean;
}

export interface SetupSettings {
  readonly beat: string;
  readonly version: string;
  readonly template: TemplateSettings;
  readonly ilm: IlmSettings;
}

/** `setup.template.*` and `setup.ilm.*` with Beats' defaults. */
export function readSetupSettings(config: BeatConfig, beat: string, version: string): SetupSettings {
  const str = (key: string): string => {
    const v = config.get<unknown>(key);
    return typeof v === 'string' ? v : '';
  };
  const bool = (key: string, def: boolean): boolean => {
    const v = config.get<unknown>(key);
    return typeof v === 'boolean' ? v : def;
  };
  const name = str('setup.template.name') !== '' ? str('setup.template.name') : `${beat}-${version}`;
  const pattern = str('setup.template.pattern') !== '' ? str('setup.template.pattern') : name;
  const rawSettings = config.get<unknown>('setup.template.settings');
  const settings = isPlainObject(rawSettings) ? (expandDottedKeys(rawSettings) as EventFields) : {};
  return {
    beat,
    version,
    template: { enabled: bool('setup.template.enabled', true), name, pattern, overwrite: bool('setup.template.overwrite', false), settings },
    ilm: {
      enabled: bool('setup.ilm.enabled', true),
      policyName: str('setup.ilm.policy_name') !== '' ? str('setup.ilm.policy_name') : beat,
      checkExists: bool('setup.ilm.check_exists', true),
      overwrite: bool('setup.ilm.overwrite', false),
    },
  };
}

/** Settings with every default, for callers without a config (tests, tools). */
export function defaultSetupSettings(beat: string, version: string, overrides: { template?: Partial<TemplateSettings>; ilm?: Partial<IlmSettings> } = {}): SetupSettings {
  const name = overrides.template?.name ?? `${beat}-${version}`;
  return {
    beat,
    version,
    template: { enabled: true, pattern: name, overwrite: false, settings: {}, ...overrides.template, name },
    ilm: { enabled: true, policyName: beat, checkExists: true, overwrite: false, ...overrides.ilm },
  };
}

/** The mapping of one field. */
function fieldMapping(f: FieldDefinition): EventFields {
  switch (f.type) {
    case 'keyword': {
      const ignoreAbove = f.ignore_above ?? DEFAULT_KEYWORD_IGNORE_ABOVE;
      return ignoreAbove > 0 ? { type: 'keyword', ignore_above: ignoreAbove } : { type: 'keyword' };
    }
    case 'text':
      return { type: 'text', norms: false };
    case 'object':
      return { type: 'object', ...(f.dynamic !== undefined ? { dynamic: f.dynamic } : {}) };
    default:
      return { type: f.type };
  }
}

/** `properties` of the mappings, nested by the dots of the field names; later definitions win. */
export function buildProperties(fields: readonly FieldDefinition[]): EventFields {
  const root: EventFields = {};
  for (const f of fields) {
    const parts = f.name.split('.');
    if (parts.some((p) => p === '')) throw new BeatError(ErrorCodes.CONFIG_INVALID, `field "${f.name}": empty path element`);
    let props = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] as string;
      const found = props[part];
      const node: EventFields = isPlainObject(found) ? found : {};
      props[part] = node;
      // A parent declared as a leaf (other than object) cannot have children.
      const t = node['type'];
      if (t !== undefined && t !== 'object' && t !== 'nested') {
        throw new BeatError(ErrorCodes.CONFIG_INVALID, `field "${f.name}": parent "${parts.slice(0, i + 1).join('.')}" is of type ${JSON.stringify(t)}`);
      }
      const foundSub = node['properties'];
      const sub: EventFields = isPlainObject(foundSub) ? foundSub : {};
      node['properties'] = sub;
      props = sub;
    }
    const last = parts[parts.length - 1] as string;
    const existing = props[last];
    const mapping = fieldMapping(f);
    if (isPlainObject(existing) && isPlainObject(existing['properties'])) {
      if (f.type !== 'object' && f.type !== 'nested') {
        throw new BeatError(ErrorCodes.CONFIG_INVALID, `field "${f.name}": declared as ${f.type} but has sub-fields`);
      }
      // An object with sub-fields: the type is implied; keep its options.
      props[last] = { ...(f.type === 'nested' ? { type: 'nested' } : {}), ...(f.dynamic !== undefined ? { dynamic: f.dynamic } : {}), properties: existing['properties'] };
    } else {
      props[last] = mapping;
    }
  }
  return root;
}

export interface NamedBody {
  readonly name: string;
  readonly body: EventFields;
}

/** Beats' default ILM policy: roll over at 50gb per primary shard or 30 days. */
export function buildIlmPolicy(settings: SetupSettings): NamedBody {
  return {
    name: settings.ilm.policyName,
    body: { policy: { phases: { hot: { actions: { rollover: { max_age: '30d', max_primary_shard_size: '50gb' } } } } } },
  };
}

/** The composable index template for the beat's data stream. */
export function buildTemplate(settings: SetupSettings, beatFields: readonly FieldDefinition[]): NamedBody {
  const user = expandDottedKeys(settings.template.settings) as EventFields;
  const { _source: source, ...userSettings } = user;
  const indexSettings: EventFields = { number_of_shards: 1 };
  if (settings.ilm.enabled) indexSettings['lifecycle'] = { name: settings.ilm.policyName };
  const merged = mergeTrees({ index: indexSettings }, userSettings);
  const meta = { beat: settings.beat, version: settings.version };
  const mappings: EventFields = {
    _meta: meta,
    date_detection: false,
    dynamic_templates: [{ strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: DEFAULT_KEYWORD_IGNORE_ABOVE } } }],
    properties: buildProperties([...LIBBEAT_FIELDS, ...beatFields]),
  };
  if (isPlainObject(source)) mappings['_source'] = source;
  return {
    name: settings.template.name,
    body: {
      index_patterns: [settings.template.pattern],
      data_stream: {},
      priority: TEMPLATE_PRIORITY,
      template: { settings: merged, mappings },
      _meta: meta,
    },
  };
}

/** The data stream `setup` creates: the template's pattern when it names one stream, else the template name. */
export function dataStreamName(settings: SetupSettings): string {
  return settings.template.pattern.includes('*') ? settings.template.name : settings.template.pattern;
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { meta?: { statusCode?: number } }).meta?.statusCode === 404;
}

function isAlreadyExists(err: unknown): boolean {
  const body = (err as { meta?: { body?: { error?: { type?: string } } } } | null)?.meta?.body;
  return body?.error?.type === 'resource_already_exists_exception';
}

function failure(what: string, err: unknown): BeatError {
  return new BeatError(ErrorCodes.OUTPUT_FAILED, `${what}: ${describeRequestError(err)}`);
}

/**
 * Loads the ILM policy, the template and the data stream with `client`.
 * Returns one line per step (what was done or skipped); throws a `BeatError`
 * with the reason on the first failure.
 */
export async function setupIndexManagement(client: Client, settings: SetupSettings, beatFields: readonly FieldDefinition[]): Promise<string[]> {
  const lines: string[] = [];
  if (!settings.ilm.enabled) lines.push('ILM is disabled: no lifecycle policy loaded.');
  else if (!settings.ilm.checkExists) lines.push(`ILM policy ${settings.ilm.policyName} not checked (setup.ilm.check_exists: false).`);
  else {
    const policy = buildIlmPolicy(settings);
    let exists = false;
    if (!settings.ilm.overwrite) {
      try {
        await client.ilm.getLifecycle({ name: policy.name });
        exists = true;
      } catch (err) {
        if (!isNotFound(err)) throw failure(`checking ILM policy ${policy.name}`, err);
      }
    }
    if (exists) lines.push(`ILM policy ${policy.name} exists already, not overwritten.`);
    else {
      try {
        await client.transport.request({ method: 'PUT', path: `/_ilm/policy/${encodeURIComponent(policy.name)}`, body: policy.body });
      } catch (err) {
        throw failure(`loading ILM policy ${policy.name}`, err);
      }
      lines.push(`ILM policy ${policy.name} loaded.`);
    }
  }

  if (!settings.template.enabled) {
    lines.push('Index template loading is disabled (setup.template.enabled: false).');
    return lines;
  }
  const template = buildTemplate(settings, beatFields);
  let exists = false;
  if (!settings.template.overwrite) {
    try {
      exists = await client.indices.existsIndexTemplate({ name: template.name });
    } catch (err) {
      throw failure(`checking index template ${template.name}`, err);
    }
  }
  if (exists) lines.push(`Index template ${template.name} exists already, not overwritten.`);
  else {
    try {
      await client.transport.request({ method: 'PUT', path: `/_index_template/${encodeURIComponent(template.name)}`, body: template.body });
    } catch (err) {
      throw failure(`loading index template ${template.name}`, err);
    }
    lines.push(`Index template ${template.name} loaded.`);
  }

  const stream = dataStreamName(settings);
  try {
    await client.indices.createDataStream({ name: stream });
    lines.push(`Data stream ${stream} created.`);
  } catch (err) {
    if (!isAlreadyExists(err)) throw failure(`creating data stream ${stream}`, err);
    lines.push(`Data stream ${stream} exists already.`);
  }
  return lines;
}

/**
 * `setup --index-management`: needs `output.elasticsearch`; connects as the
 * output would (hosts, auth, TLS) and loads everything.
 */
export async function runIndexSetup(config: BeatConfig, beat: string, version: string, fields: readonly FieldDefinition[]): Promise<string[]> {
  const selected = config.output;
  if (selected?.type !== 'elasticsearch') {
    throw new BeatError(
      ErrorCodes.CONFIG_INVALID,
      `Index management requested but the Elasticsearch output is not configured/enabled: setup needs output.elasticsearch${selected === undefined ? '' : ` (output.${selected.type} is configured)`}`,
    );
  }
  const resolved = resolveElasticsearchConfig(selected.settings, beat);
  const client = new Client(esClientOptions(resolved, resolved.urls));
  try {
    return await setupIndexManagement(client, readSetupSettings(config, beat, version), fields);
  } finally {
    await client.close();
  }
}
