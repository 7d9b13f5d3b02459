import { consoleOutputFactory } from './console.js';
import { discardOutputFactory } from './discard.js';
import { fileOutputFactory } from './file.js';
import { elasticsearchOutputFactory, redisOutputFactory } from './lazy-factories.js';
import { logstashOutputFactory } from './logstash/index.js';
import type { OutputFactory } from './output.js';

/**
 * Output types by name (`output.<type>`). Pre-filled with `console`, `file`
 * and `discard`; beats and plugins add theirs with `register`.
 */
export class OutputRegistry {
  private readonly factories = new Map<string, OutputFactory>();

  /** `builtins: false` gives an empty registry (tests). */
  constructor(options: { builtins?: boolean } = {}) {
    if (options.builtins !== false) {
      this.register(consoleOutputFactory);
      this.register(fileOutputFactory);
      this.register(discardOutputFactory);
      this.register(redisOutputFactory);
      this.register(elasticsearchOutputFactory);
      this.register(logstashOutputFactory);
    }
  }

  /** Adds an output type; registering a name twice is an error. */
  register<C>(factory: OutputFactory<C>): void {
    if (!/^[a-z][a-z0-9_-]*$/.test(factory.type)) {
      throw new Error(`invalid output type name "${factory.type}"`);
    }
    if (this.factories.has(factory.type)) {
      throw new Error(`output type "${factory.type}" is already registered`);
    }
    this.factories.set(factory.type, factory as unknown as OutputFactory);
  }

  get(type: string): OutputFactory | undefined {
    return this.factories.get(type);
  }

  has(type: string): boolean {
    return this.factories.has(type);
  }

  /** Registered type names, sorted. */
  types(): string[] {
    return [...this.factories.keys()].sort();
  }
}

/** A new registry holding the built-in outputs (console, file, discard). */
export function defaultOutputRegistry(): OutputRegistry {
  return new OutputRegistry();
}
