/**
 * Typed domain errors. Adapters turn them into `isError` tool results or HTTP
 * statuses; the message always names the field, what was expected and what came.
 */
export type BacklogErrorKind = 'invalid' | 'not_found' | 'conflict' | 'unavailable';

export class BacklogError extends Error {
  constructor(
    readonly kind: BacklogErrorKind,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'BacklogError';
  }
}

/** Shows a received value briefly, so an error message stays one readable line. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

export function invalid(field: string, expected: string, received: unknown, hint?: string): BacklogError {
  const tail = hint ? ` ${hint}` : '';
  return new BacklogError(
    'invalid',
    `${field}: expected ${expected}, received ${describeValue(received)}.${tail}`,
    field,
  );
}

export function notFound(field: string, id: string, hint?: string): BacklogError {
  const tail = hint ? ` ${hint}` : '';
  return new BacklogError('not_found', `${field}: no item ${id} exists.${tail}`, field);
}

export function conflict(message: string, field?: string): BacklogError {
  return new BacklogError('conflict', message, field);
}

export function unavailable(message: string, field?: string): BacklogError {
  return new BacklogError('unavailable', message, field);
}
