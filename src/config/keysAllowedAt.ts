import { z } from 'zod';
import type { KeyPath } from './parseYamlSource.js';
import { valueAt } from './valueAt.js';

/** Strips the wrappers that do not change which keys a value may have. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional) {
      current = current.unwrap();
    } else if (current instanceof z.ZodPipe) {
      current = current.in;
    } else {
      return current;
    }
  }
}

/** The object branches of a (possibly nested) union. */
function objectBranches(schema: z.core.$ZodType): z.ZodObject[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) return [inner];
  if (inner instanceof z.ZodUnion) return inner.options.flatMap(objectBranches);
  return [];
}

/**
 * Of a union's object branches, the one whose literal fields (a discriminator) match `value`,
 * else the one that knows most of its keys.
 */
function likeliestBranch(schema: z.ZodUnion, value: unknown): z.ZodObject | undefined {
  const entries = value !== null && typeof value === 'object' ? Object.entries(value) : [];
  const score = (branch: z.ZodObject) =>
    entries.reduce((total, [key, field]) => {
      const fieldSchema = branch.shape[key];
      if (fieldSchema instanceof z.ZodLiteral && fieldSchema.values.has(field)) return total + entries.length + 1;
      return fieldSchema === undefined ? total : total + 1;
    }, 0);
  return objectBranches(schema).reduce<z.ZodObject | undefined>(
    (best, branch) => (best === undefined || score(branch) > score(best) ? branch : best),
    undefined,
  );
}

/** The schema of the value at `segment` inside `schema` (whose value is `value`), if it has one. */
function childSchema(schema: z.core.$ZodType, segment: string | number, value: unknown): z.core.$ZodType | undefined {
  if (schema instanceof z.ZodObject) return schema.shape[String(segment)];
  if (schema instanceof z.ZodRecord) return schema.valueType;
  if (schema instanceof z.ZodArray) return schema.element;
  if (schema instanceof z.ZodUnion) {
    const branch = likeliestBranch(schema, value);
    return branch && childSchema(branch, segment, value);
  }
  return undefined;
}


/**
 * The keys a strict object in `schema` allows at `path`, or undefined when the path does not lead
 * to one; `data` is the whole input, to pick the branch of a union. Used to suggest the key an unknown one was probably meant to be.
 *
 * @example
 * ```ts
 * keysAllowedAt(configSchema, ['scheduler', 'task_scheduler'], {}); // ['max_workers', 'timeout', 'retry_attempts', 'max_interruptions']
 * ```
 */
export function keysAllowedAt(schema: z.core.$ZodType, path: KeyPath, data: unknown): string[] | undefined {
  let current: z.core.$ZodType | undefined = unwrap(schema);
  let value = data;
  for (const segment of path) {
    current = childSchema(current, segment, value);
    if (current === undefined) return undefined;
    current = unwrap(current);
    value = valueAt(value, [segment]);
  }
  if (current instanceof z.ZodUnion) current = likeliestBranch(current, value);
  return current instanceof z.ZodObject ? Object.keys(current.shape) : undefined;
}
