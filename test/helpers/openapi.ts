import fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { sharedPath } from './shared.js';

const spec = sharedPath('discord/openapi.json');

/** Why OpenAPI checks are skipped here, or false when ../shared/discord/openapi.json is present. */
export const openApiSkip = spec.skip;

const validators = new Map<string, ValidateFunction>();

function validatorFor(schemaName: string): ValidateFunction {
  let validate = validators.get(schemaName);
  if (validate) return validate;
  const document = JSON.parse(fs.readFileSync(spec.path, 'utf8')) as { components: { schemas: Record<string, unknown> } };
  const ajv = new Ajv2020.default({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  // Discord's own formats: snowflakes are decimal strings, nonces short strings; both are already bounded by the schema.
  ajv.addFormat('snowflake', /^\d+$/);
  ajv.addFormat('nonce', true);
  ajv.addFormat('int64', true);
  ajv.addFormat('int32', true);
  ajv.addSchema({ $id: 'discord', components: document.components });
  validate = ajv.getSchema(`discord#/components/schemas/${schemaName}`);
  if (!validate) throw new Error(`Discord's API description has no schema ${schemaName}`);
  validators.set(schemaName, validate);
  return validate;
}

/**
 * Checks `body` against a request schema of Discord's OpenAPI description (e.g. MessageCreateRequest) and returns
 * the problems as readable lines; an empty list means valid.
 */
export function openApiProblems(schemaName: string, body: unknown): string[] {
  const validate = validatorFor(schemaName);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}
