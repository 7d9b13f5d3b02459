import { isPlainObject } from '../common/fields.js';
import { buildCondition } from '../conditions/create.js';
import { BeatError, ErrorCodes, errorMessage } from '../errors.js';
import { processorRegistry } from './builtins.js';
import { IfThenElseProcessor } from './if-then-else.js';
import type { Processor, ProcessorContext } from './processor.js';
import type { ProcessorRegistry } from './registry.js';
import { WhenProcessor } from './when.js';

/** Re-raises a factory's error with its place in the `processors` list prepended. */
function located(err: unknown, path: string, name: string): BeatError {
  if (err instanceof BeatError) {
    const key = err.key === undefined || err.key === '' ? path : `${path}.${err.key}`;
    // Factories name themselves (`rename: ...`); the path already does.
    const message = err.message.startsWith(`${name}: `) ? err.message.slice(name.length + 2) : err.message;
    return new BeatError(err.code, `${path}: ${message}`, { key, ...(err.file === undefined ? {} : { file: err.file }), cause: err });
  }
  return new BeatError(ErrorCodes.PROCESSOR_INVALID, `${path}: ${errorMessage(err)}`, { key: path, cause: err });
}

function invalid(path: string, message: string): BeatError {
  return new BeatError(ErrorCodes.PROCESSOR_INVALID, `${path}: ${message}`, { key: path });
}

function buildList(list: unknown, ctx: ProcessorContext, registry: ProcessorRegistry, path: string, top = false): Processor[] {
  if (list === null || list === undefined) return [];
  // `then:`/`else:` may hold a single processor instead of a list, as in Beats.
  const entries = Array.isArray(list) ? list : isPlainObject(list) && !top ? [list] : undefined;
  if (entries === undefined) throw invalid(path, 'expected a list of processors');
  return entries.map((entry, i) => buildEntry(entry, ctx, registry, `${path}.${i}`));
}

function buildIfThenElse(entry: Record<string, unknown>, ctx: ProcessorContext, registry: ProcessorRegistry, path: string): Processor {
  for (const key of Object.keys(entry)) {
    if (key !== 'if' && key !== 'then' && key !== 'else') throw invalid(`${path}.${key}`, 'unexpected key next to "if" (allowed: if, then, else)');
  }
  if (entry.then === undefined || entry.then === null) throw invalid(`${path}.then`, '"if" needs a "then" list of processors');
  const condition = buildCondition(entry.if, `${path}.if`);
  const then = buildList(entry.then, ctx, registry, `${path}.then`);
  const otherwise = buildList(entry.else, ctx, registry, `${path}.else`);
  return new IfThenElseProcessor(condition, then, otherwise);
}

function buildEntry(entry: unknown, ctx: ProcessorContext, registry: ProcessorRegistry, path: string): Processor {
  if (!isPlainObject(entry)) throw invalid(path, 'expected a map like {processor_name: {settings}}');
  if ('if' in entry) return buildIfThenElse(entry, ctx, registry, path);

  const names = Object.keys(entry);
  const [name] = names;
  if (name === undefined || names.length !== 1) {
    throw invalid(path, `each processor needs to have exactly one action, but found ${names.length} (${names.join(', ')})`);
  }
  const factory = registry.get(name);
  if (factory === undefined) {
    throw new BeatError(
      ErrorCodes.PROCESSOR_UNKNOWN,
      `${path}: the processor action "${name}" does not exist. Valid actions: ${registry.names().join(', ')}`,
      { key: `${path}.${name}` },
    );
  }

  const raw = entry[name];
  let settings: Record<string, unknown> = {};
  if (isPlainObject(raw)) settings = raw;
  else if (raw !== null && raw !== undefined) throw invalid(`${path}.${name}`, 'expected a map of settings');
  const { when, ...config } = settings;

  let processor: Processor;
  try {
    processor = factory.create(config, ctx);
  } catch (err) {
    throw located(err, `${path}.${name}`, name);
  }
  if (when === undefined || when === null) return processor;
  return new WhenProcessor(buildCondition(when, `${path}.${name}.when`), processor);
}

/**
 * Builds the processors of a `processors:` list. Each entry is
 * `{name: settings}` (settings may carry `when:`) or
 * `{if: condition, then: [...], else: [...]}`. Config errors are
 * BeatErrors naming the entry, e.g. `processors.2.rename.fields`:
 * PROCESSOR_UNKNOWN for an unknown name, PROCESSOR_INVALID or
 * CONDITION_INVALID for bad settings. `path` is where the list sits in the
 * config (e.g. `packetbeat.protocols.http.processors`), for those names.
 */
export function createProcessors(
  list: unknown,
  ctx: ProcessorContext,
  registry: ProcessorRegistry = processorRegistry,
  path = 'processors',
): Processor[] {
  return buildList(list, ctx, registry, path, true);
}
