import { ScimException } from './scim-exception.js';

/** Deeper than any SCIM resource or PatchOp (a PatchOp value with a complex attribute is about 5). */
export const MAX_BODY_DEPTH = 32;

/**
 * Refuses request bodies nested deeper than MAX_BODY_DEPTH (400 invalidSyntax), whatever
 * attribute holds the nesting: V8 parses a million nested arrays, and nothing downstream should
 * have to walk them. Iterative, so the check itself cannot overflow the stack.
 */
export function assertNestingDepth(body: unknown, max = MAX_BODY_DEPTH): void {
  const stack: { value: unknown; depth: number }[] = [{ value: body, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= max) throw new ScimException(400, 'invalidSyntax', `The request body is nested deeper than ${max} levels`);
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
}
