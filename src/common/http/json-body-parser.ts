import type { FastifyBodyParser, FastifyRequest } from 'fastify';
import { ApiException } from './api-exception.js';

/**
 * Deepest JSON body accepted anywhere. The deepest honest body is a SCIM PatchOp whose value holds
 * a complex attribute (about 5 levels); 32 leaves room and stays far below what JSON.parse,
 * class-transformer or any recursive walk can take (a 14 KB body nested 2,400 deep overflowed
 * the stack in class-transformer: 500).
 */
export const MAX_JSON_DEPTH = 32;

/**
 * True when the JSON text opens more than `max` arrays or objects at once. One linear pass over
 * the characters (strings skipped, escapes honoured) before JSON.parse builds anything, so the
 * refusal costs the same whatever the nesting. Exact for valid JSON; invalid JSON that fools it
 * is refused by JSON.parse right after.
 */
export function nestedDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

type JsonTextParser = (request: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) => void;

/**
 * The JSON body parser of every JSON content type (application/json, application/scim+json): the
 * nesting limit first, then Fastify's own parser with its prototype-poisoning checks. The error is
 * an ordinary 400 that each URL space renders in its own format (SCIM: invalidSyntax).
 */
export function depthLimitedJsonParser(defaultParser: FastifyBodyParser<string>): (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => void {
  // Fastify's default JSON parser (getDefaultJsonParser) is the callback form.
  const parseJson = defaultParser as JsonTextParser;
  return (request, body, done) => {
    const text = body.toString('utf8');
    if (nestedDeeperThan(text)) {
      done(new ApiException(400, 'invalid_json', `The request body is nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    parseJson(request, text, done);
  };
}
