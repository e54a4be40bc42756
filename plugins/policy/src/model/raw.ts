/**
 * Policies are read field by field from what the cluster holds, each invalid field reported on
 * its own: the readers see objects as plain records of unknown values and check every field.
 */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value as a record; anything else reads as an empty one. */
export const record = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});
