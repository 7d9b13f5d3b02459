import type { ProcessorFactory } from './processor.js';

/**
 * Processor factories by name. Beats register their own processors here
 * (as Beats' processors.RegisterPlugin), next to the built-ins.
 */
export class ProcessorRegistry {
  private readonly factories = new Map<string, ProcessorFactory>();

  constructor(factories: Iterable<ProcessorFactory> = []) {
    for (const f of factories) this.register(f);
  }

  /** Adds a factory; a name can be registered once (a second time is a programming error). */
  register(factory: ProcessorFactory): void {
    if (this.factories.has(factory.name)) throw new Error(`processor "${factory.name}" is already registered`);
    this.factories.set(factory.name, factory);
  }

  get(name: string): ProcessorFactory | undefined {
    return this.factories.get(name);
  }

  has(name: string): boolean {
    return this.factories.has(name);
  }

  /** Registered names, sorted. */
  names(): string[] {
    return [...this.factories.keys()].sort();
  }
}
