/**
 * Fields no processor may remove (Beats' MandatoryExportedFields plus
 * `@timestamp`, which here is `event.timestamp` rather than a field).
 */
export const MANDATORY_FIELDS: readonly string[] = ['@timestamp', 'type'];
