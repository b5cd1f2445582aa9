import type { RecordedRequest } from '../../src/sandbox/server.js';
import { openApiProblems } from './openapi.js';

// Which schema of Discord's OpenAPI description a recorded request body must match, by route and callback type.
const CALLBACK_SCHEMAS: Record<number, string> = {
  1: 'PongInteractionCallbackRequest',
  4: 'CreateMessageInteractionCallbackRequest',
  5: 'CreateMessageInteractionCallbackRequest',
  6: 'UpdateMessageInteractionCallbackRequest',
  7: 'UpdateMessageInteractionCallbackRequest',
  8: 'ApplicationCommandAutocompleteCallbackRequest',
  9: 'ModalInteractionCallbackRequest',
};

const ROUTE_SCHEMAS: [method: string, path: RegExp, schema: (body: unknown) => string][] = [
  ['POST', /^\/channels\/\d+\/messages$/, () => 'MessageCreateRequest'],
  // One route, two bodies: a forum post carries its first message, a thread in a text channel none.
  ['POST', /^\/channels\/\d+\/threads$/, (body) => ((body as { message?: unknown }).message === undefined ? 'CreateTextThreadWithoutMessageRequest' : 'CreateForumThreadRequest')],
  ['POST', /^\/channels\/\d+\/messages\/\d+\/threads$/, () => 'CreateTextThreadWithMessageRequest'],
  ['PATCH', /^\/channels\/\d+\/messages\/\d+$/, () => 'MessageEditRequestPartial'],
  ['POST', /^\/interactions\/\d+\/[^/]+\/callback$/, (body) => CALLBACK_SCHEMAS[(body as { type: number }).type] ?? 'unknown callback type'],
  ['PATCH', /^\/webhooks\/\d+\/[^/]+\/messages\/[^/]+$/, () => 'IncomingWebhookUpdateRequestPartial'],
  ['POST', /^\/webhooks\/\d+\/[^/]+$/, () => 'IncomingWebhookRequestPartial'],
  ['PUT', /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/, () => 'ApplicationCommandUpdateRequest'],
  ['POST', /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/, () => 'ApplicationCommandCreateRequest'],
];

/**
 * Discord's OpenAPI types permission bitfields as integers, while its documentation, the live API and discord.js
 * use decimal strings (a 64-bit field does not fit a JSON number); the string form is compared as the number.
 */
function asOpenApiTypes(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || !('default_member_permissions' in body)) return body;
  const permissions = (body as { default_member_permissions: unknown }).default_member_permissions;
  return typeof permissions === 'string' ? { ...body, default_member_permissions: Number(permissions) } : body;
}

/** Every accepted (2xx) request body the sandbox recorded, checked against Discord's OpenAPI description. */
export function recordedBodyProblems(requests: readonly RecordedRequest[]): string[] {
  const problems: string[] = [];
  for (const request of requests) {
    if (request.status >= 300 || request.body === undefined) continue;
    const rule = ROUTE_SCHEMAS.find(([method, path]) => method === request.method && path.test(request.path));
    if (!rule) continue;
    const bodies = Array.isArray(request.body) ? request.body : [request.body];
    for (const body of bodies) {
      for (const problem of openApiProblems(rule[2](body), asOpenApiTypes(body))) problems.push(`${request.method} ${request.path}: ${problem}`);
    }
  }
  return problems;
}
