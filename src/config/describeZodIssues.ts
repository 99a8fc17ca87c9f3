import type { z } from 'zod';
import { describeValue } from './describeValue.js';
import { didYouMean } from './didYouMean.js';
import { keysAllowedAt } from './keysAllowedAt.js';
import type { KeyPath } from './parseYamlSource.js';
import { valueAt } from './valueAt.js';

/** One problem found by a schema, not yet tied to a file and line. */
export interface Problem {
  readonly path: KeyPath;
  readonly expected: string;
  readonly found: string;
  readonly hint: string | undefined;
}

type ZodIssue = z.core.$ZodIssue;

const typeNames: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

/** zod's own message for a union without a custom one: the cue to look into its branches. */
const defaultUnionMessage = 'Invalid input';

function toKeyPath(path: readonly PropertyKey[]): KeyPath {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

function boundText(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const isMinimum = issue.code === 'too_small';
  const bound = Number(isMinimum ? issue.minimum : issue.maximum);
  if (issue.origin === 'array') return isMinimum ? `a list of at least ${bound} item(s)` : `a list of at most ${bound} item(s)`;
  if (issue.origin === 'string') return isMinimum ? `a string of at least ${bound} character(s)` : `a string of at most ${bound} character(s)`;
  if (isMinimum && bound === 0) return issue.inclusive ? 'a number ≥ 0' : 'a number > 0';
  const relation = isMinimum ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
  return `a number ${relation} ${bound}`;
}

/** The allowed values a union's branches name, for a did-you-mean on a misspelt one. */
function unionValues(issue: z.core.$ZodIssueInvalidUnion): string[] {
  return issue.errors.flat().flatMap((inner) => (inner.code === 'invalid_value' ? inner.values.map(String) : []));
}

/** The one branch of a union that accepted the value's basic type, if exactly one did. */
function matchingBranch(issue: z.core.$ZodIssueInvalidUnion): readonly ZodIssue[] | undefined {
  const candidates = issue.errors.filter((branch) => !branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
  return candidates.length === 1 ? candidates[0] : undefined;
}

function describeIssue(issue: ZodIssue, base: KeyPath, schema: z.core.$ZodType, data: unknown): Problem[] {
  const path = [...base, ...toKeyPath(issue.path)];
  const value = valueAt(data, path);
  const found = describeValue(value);
  const problem = (expected: string, hint?: string): Problem => ({ path, expected, found, hint });
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = keysAllowedAt(schema, path, data) ?? [];
      const expected = allowed.length > 0 ? `one of the keys ${allowed.join(', ')}` : 'a known key';
      return issue.keys.map((key) => ({
        path: [...path, key],
        expected,
        found: `unknown key "${key}"`,
        hint: didYouMean(key, allowed),
      }));
    }
    case 'invalid_type':
      return [problem(typeNames[issue.expected] ?? issue.expected)];
    case 'too_small':
    case 'too_big':
      return [problem(boundText(issue))];
    case 'invalid_value': {
      const values = issue.values.map(String);
      return [problem(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, typeof value === 'string' ? didYouMean(value, values) : undefined)];
    }
    case 'invalid_union': {
      const branch = matchingBranch(issue);
      if (issue.message === defaultUnionMessage && branch) {
        return branch.flatMap((inner) => describeIssue(inner, path, schema, data));
      }
      return [problem(issue.message, typeof value === 'string' ? didYouMean(value, unionValues(issue)) : undefined)];
    }
    case 'custom': {
      const params = (issue.params ?? {}) as { found?: string; hint?: string };
      return [{ path, expected: issue.message, found: params.found ?? found, hint: params.hint }];
    }
    default:
      return [problem(issue.message)];
  }
}

/**
 * Turns zod's issues into problems that say what was expected and what was found, one per
 * problem (an unknown-keys issue becomes one problem per key, with a did-you-mean).
 *
 * @param schema the schema that was parsed, to list the keys allowed next to an unknown one
 * @param data the parsed input, to describe the offending values
 * @example
 * ```ts
 * const result = configSchema.safeParse(data);
 * if (!result.success) describeZodIssues(result.error.issues, configSchema, data);
 * ```
 */
export function describeZodIssues(issues: readonly ZodIssue[], schema: z.core.$ZodType, data: unknown): Problem[] {
  return issues.flatMap((issue) => describeIssue(issue, [], schema, data));
}
