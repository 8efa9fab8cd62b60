/**
 * Puts validation issues (`{ path, message }`, from the shared zod schemas on the client or
 * from the server's VALIDATION_FAILED) onto form fields. Pure.
 */
import type { z } from 'zod';
import type { ApiError } from '../../../../shared/errors.js';
import { zodIssues } from '../../services/api-client';

export type Issue = NonNullable<ApiError['issues']>[number];

/** `body.username`, `/username`, `groupIds.0` → `username`, `username`, `groupIds`. */
export function issueField(path: string): string {
  const parts = path.split(/[./]/).filter((p) => p !== '');
  if (parts[0] === 'body') parts.shift();
  return parts[0] ?? '';
}

export interface IssuePlacement<F extends string> {
  /** Messages per form field, in order, without duplicates. */
  byField: Partial<Record<F, string[]>>;
  /** Messages that fit no field (object-level refinements, unknown paths). */
  other: string[];
}

export function placeIssues<F extends string>(issues: readonly Issue[], fields: readonly F[]): IssuePlacement<F> {
  const byField: Partial<Record<F, string[]>> = {};
  const other: string[] = [];
  for (const issue of issues) {
    const name = issueField(issue.path);
    const field = fields.find((f) => f === name);
    if (field === undefined) {
      if (!other.includes(issue.message)) other.push(issue.message);
      continue;
    }
    const list = (byField[field] ??= []);
    if (!list.includes(issue.message)) list.push(issue.message);
  }
  return { byField, other };
}

/** Validates with a shared schema; returns the issues, or an empty list when valid. */
export function validate(schema: z.ZodType, value: unknown): Issue[] {
  const result = schema.safeParse(value);
  return result.success ? [] : zodIssues(result.error);
}
