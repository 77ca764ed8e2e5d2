import { z, ZodType } from 'zod';
import { formatConfigPath, GatewayError } from '@app/common';

/**
 * Admin bodies and query strings are validated strictly: unknown fields are rejected, and the first bad
 * field is named.
 */
export function parseAdminInput<T>(schema: ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue.code === 'unrecognized_keys' ? issue.keys[0] : formatConfigPath(issue.path);
  throw new GatewayError('invalid_request_error', `${param}: ${issue.message}`, { param });
}

const uuid = z.uuid();

/** The 404 for an id that does not exist, or that the caller may not know exists: the two must read alike. */
export function notFound(what: string, id: string | undefined, param?: string): GatewayError {
  return new GatewayError('not_found', `No ${what} with id ${id}.`, param === undefined ? undefined : { param });
}

/** Ids in paths and filters must be UUIDs; anything else can only be unknown. */
export function parseId(value: string | undefined, what: string): string {
  if (!uuid.safeParse(value).success) throw notFound(what, value);
  return value!;
}

/** An optional id filter (`?team_id=`): absent means no filter. */
export function parseOptionalId(value: string | undefined, what: string): string | undefined {
  return value === undefined ? undefined : parseId(value, what);
}
