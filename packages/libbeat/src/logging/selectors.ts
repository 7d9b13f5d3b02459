/**
 * Debug selectors as Beats matches them: `*` (or no selector at all) enables
 * every logger; otherwise a selector enables the logger of that exact name and
 * its sub-loggers (`publisher` enables `publisher` and `publisher.queue`).
 */
export class SelectorSet {
  private readonly all: boolean;
  private readonly names: ReadonlySet<string>;

  constructor(selectors: readonly string[]) {
    const cleaned = selectors.map((s) => s.trim()).filter((s) => s !== '');
    this.all = cleaned.length === 0 || cleaned.includes('*');
    this.names = new Set(cleaned);
  }

  matches(loggerName: string): boolean {
    if (this.all || this.names.has(loggerName)) return true;
    // Walk up the dotted name: `a.b.c` is enabled by `a.b` and by `a`.
    let end = loggerName.lastIndexOf('.');
    while (end > 0) {
      if (this.names.has(loggerName.slice(0, end))) return true;
      end = loggerName.lastIndexOf('.', end - 1);
    }
    return false;
  }
}
