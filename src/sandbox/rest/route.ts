import type { z } from 'zod';
import { invalidFormBody } from '../errors.js';
import type { EventSources } from '../events.js';
import type { Interactions } from '../interactions.js';
import type { BucketName } from '../rateLimits.js';

/** What the REST routes act on. */
export interface SandboxCore extends EventSources {
  interactions: Interactions;
  applicationId: string;
  gatewayUrl: () => string;
  /** GET /gateway/bot's shard count and session start limit, as they stand. */
  shardingAdvice: () => { shards: number; session_start_limit: Record<string, number> };
}

export interface RouteContext {
  core: SandboxCore;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  now: number;
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below /api/v10 with `:name` parameters, e.g. /channels/:channel/messages. */
  pattern: string;
  /** Interaction callbacks and webhooks are authorised by their token in the path, not the bot token. */
  auth: boolean;
  /** The per-route rate limit bucket, per channel (its major parameter), beside the global limit. */
  bucket?: BucketName;
  handle: (context: RouteContext) => RouteResult;
}

/** The body parsed by `schema`, or Discord's 400 Invalid Form Body naming every bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalidFormBody(parsed.error.issues, body);
  return parsed.data;
}

export const ok = (body: unknown): RouteResult => ({ status: 200, body });
export const noContent: RouteResult = { status: 204 };
