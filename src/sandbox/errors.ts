import { RESTJSONErrorCodes } from 'discord.js';
import type { z } from 'zod';

/** Discord's JSON error body: `{ message, code }` plus, for an invalid form body, the nested `errors`. */
export interface DiscordErrorBody {
  message: string;
  code: number;
  errors?: Record<string, unknown>;
}

/** Thrown by a route to answer with Discord's error status and body. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly body: DiscordErrorBody) {
    super(body.message);
    this.name = 'HttpError';
  }
}

/** Discord's error body with one of its JSON error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes). */
export function httpError(status: number, code: RESTJSONErrorCodes, message: string): HttpError {
  return new HttpError(status, { message, code });
}

/** The bodies Discord gives for plain HTTP failures, which carry code 0 and the status in the message. */
export function statusError(status: 401 | 404 | 405 | 500): HttpError {
  const text = { 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error' }[status];
  return httpError(status, RESTJSONErrorCodes.GeneralError, `${status}: ${text}`);
}

/** A field error as Discord reports it inside `errors`, e.g. `{ code: 'BASE_TYPE_MAX_LENGTH', message: '…' }`. */
export interface FieldError {
  code: string;
  message: string;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Translates one zod issue into the code and wording Discord uses for the same mistake. */
function fieldError(issue: z.core.$ZodIssue, body: unknown): FieldError {
  const discord = (issue as { params?: { discord?: FieldError } }).params?.discord;
  if (discord) return discord;
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'number' || issue.origin === 'int'
        ? { code: 'NUMBER_TYPE_MAX', message: `int value should be less than or equal to ${String(issue.maximum)}.` }
        : { code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${String(issue.maximum)} or fewer in length.` };
    case 'too_small':
      return issue.origin === 'number' || issue.origin === 'int'
        ? { code: 'NUMBER_TYPE_MIN', message: `int value should be greater than or equal to ${String(issue.minimum)}.` }
        : { code: 'BASE_TYPE_MIN_LENGTH', message: `Must be ${String(issue.minimum)} or more in length.` };
    case 'invalid_type':
      return valueAt(body, issue.path) === undefined
        ? { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }
        : { code: `BASE_TYPE_${issue.expected.toUpperCase()}`, message: `Could not interpret the value as ${issue.expected}.` };
    case 'invalid_value':
      return { code: 'BASE_TYPE_CHOICES', message: `Value must be one of {${issue.values.map(String).join(', ')}}.` };
    case 'invalid_union':
      return { code: 'UNION_TYPE_CHOICES', message: 'Value of field does not match any of the allowed types.' };
    default:
      return { code: 'BASE_TYPE_INVALID', message: issue.message };
  }
}

/**
 * Discord's 400 for a body that breaks its rules: code 50035 and, under `errors`, the path of every bad field with
 * `_errors` at its end, e.g. `errors.embeds['0'].title._errors[0].code === 'BASE_TYPE_MAX_LENGTH'`.
 */
export function invalidFormBody(issues: readonly z.core.$ZodIssue[], body: unknown): HttpError {
  const errors: Record<string, unknown> = {};
  for (const issue of issues) {
    let node = errors;
    for (const key of issue.path) {
      const name = String(key);
      node[name] ??= {};
      node = node[name] as Record<string, unknown>;
    }
    const list = (node._errors ??= []) as FieldError[];
    list.push(fieldError(issue, body));
  }
  return new HttpError(400, { code: RESTJSONErrorCodes.InvalidFormBodyOrContentType, message: 'Invalid Form Body', errors });
}
