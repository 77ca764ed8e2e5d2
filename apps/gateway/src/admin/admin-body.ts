import { z, ZodType } from 'zod';
import { formatConfigPath, GatewayError } from '@app/common';

/** Admin bodies are validated strictly: unknown fields are rejected, and the first bad field is named. */
export function parseAdminBody<T>(schema: ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue.code === 'unrecognized_keys' ? issue.keys[0] : formatConfigPath(issue.path);
  throw new GatewayError('invalid_request_error', `${param}: ${issue.message}`, { param });
}

export const uuidParam = z.uuid();

/** Ids in paths and filters must be UUIDs; anything else can only be unknown. */
export function parseId(value: string | undefined, what: string): string {
  if (!uuidParam.safeParse(value).success) throw new GatewayError('not_found', `No ${what} with id ${value}.`);
  return value!;
}
