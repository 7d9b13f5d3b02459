import { isPlainObject } from '../common/fields.js';
import { AddFieldsProcessor } from './add-fields.js';
import { ConfigReader, processorError } from './config.js';
import { formatGoScalar } from './go-format.js';
import type { ProcessorFactory } from './processor.js';

/**
 * Flattens labels as Beats does: nested keys joined with dots, array
 * entries numbered from 0, values rendered as strings (labels are
 * keywords in ECS; Beats reads each one as a string).
 */
export function flattenLabels(value: unknown, prefix: string, out: Record<string, string>): void {
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) flattenLabels(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => flattenLabels(v, `${prefix}.${i}`, out));
  } else if (value === null || value === undefined) {
    throw processorError('add_labels', `labels.${prefix}`, 'a label needs a value');
  } else {
    out[prefix] = formatGoScalar(value) ?? JSON.stringify(value);
  }
}

/** `add_labels`: adds flattened `labels` under `labels.` (dotted names kept as literal keys). */
export const addLabelsFactory: ProcessorFactory = {
  name: 'add_labels',
  create(config) {
    const r = new ConfigReader('add_labels', config);
    r.allowOnly('labels');
    const labels = r.optObject('labels');
    if (labels === undefined) throw r.error('labels', 'is required');
    const flat: Record<string, string> = {};
    flattenLabels(labels, '', flat);
    return new AddFieldsProcessor('add_labels', { labels: flat });
  },
};
