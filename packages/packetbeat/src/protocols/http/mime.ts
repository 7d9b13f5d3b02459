const MAGIC: ReadonlyArray<readonly [number[], string]> = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'image/png'],
  [[0x47, 0x49, 0x46, 0x38], 'image/gif'],
  [[0xff, 0xd8, 0xff], 'image/jpeg'],
  [[0x25, 0x50, 0x44, 0x46, 0x2d], 'application/pdf'],
  [[0x50, 0x4b, 0x03, 0x04], 'application/zip'],
  [[0x1f, 0x8b, 0x08], 'application/gzip'],
  [[0x52, 0x49, 0x46, 0x46], 'audio/wave'],
  [[0x00, 0x61, 0x73, 0x6d], 'application/wasm'],
];

const HTML_PREFIXES = ['<!doctype html', '<html', '<head', '<script', '<iframe', '<h1', '<div', '<font', '<table', '<a', '<style', '<title', '<b', '<body', '<br', '<p', '<!--'];

/**
 * ECS `mime_type` from the body's content (never from Content-Type), in the
 * spirit of libbeat's mime detection: magic numbers, then HTML/XML/JSON/text
 * sniffing. '' when unknown (binary).
 */
export function detectMimeType(body: Buffer): string {
  if (body.length === 0) return '';
  for (const [magic, type] of MAGIC) {
    if (body.length >= magic.length && magic.every((b, i) => body[i] === b)) return type;
  }
  const head = body.subarray(0, 8192);
  for (const b of head) {
    if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b) || b === 0x7f) return '';
  }
  const text = head.toString('utf8').trimStart();
  const lower = text.slice(0, 32).toLowerCase();
  for (const p of HTML_PREFIXES) {
    if (lower.startsWith(p)) {
      const next = lower.charAt(p.length);
      if (next === ' ' || next === '>') return 'text/html; charset=utf-8';
    }
  }
  if (lower.startsWith('<?xml')) return 'text/xml; charset=utf-8';
  const full = body.toString('utf8').trim();
  if (full.startsWith('{') || full.startsWith('[')) {
    try {
      JSON.parse(full);
      return 'application/json';
    } catch {
      // not JSON
    }
  }
  return 'text/plain; charset=utf-8';
}
