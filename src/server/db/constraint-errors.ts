/** Recognises PostgreSQL constraint violations (same SQLSTATE from pg and PGlite). */
export function uniqueViolation(err: unknown): string | null {
  const e = err as { code?: string; constraint?: string; detail?: string };
  if (e?.code !== '23505') return null;
  return e.constraint ?? e.detail ?? 'unique';
}

export function foreignKeyViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23503';
}
