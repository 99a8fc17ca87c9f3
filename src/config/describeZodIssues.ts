import type { z } from 'zod';
import { countOf, describeYamlValue } from './describeYamlValue.js';
import { closestMatch, didYouMean } from '../internal/didYouMean.js';
import { keysAllowedAt } from './keysAllowedAt.js';
import { formatKeyPath, type KeyPath } from './parseYamlSource.js';
import { valueAt } from './valueAt.js';

/** One problem found by a schema, not yet tied to a file and line. */
export interface Problem {
  readonly path: KeyPath;
  readonly expected: string;
  readonly found: string;
  readonly hint: string | undefined;
}

type ZodIssue = z.core.$ZodIssue;

/** A problem, and for an unknown key the key it was probably meant to be. */
type FoundProblem = Problem & { readonly meant?: KeyPath };

const typeNames: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'a boolean (true or false)',
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
  if (issue.origin === 'array') return isMinimum && bound === 1 ? 'a non-empty list' : `a list of ${isMinimum ? 'at least' : 'at most'} ${countOf(bound, 'item')}`;
  if (issue.origin === 'string') return isMinimum && bound === 1 ? 'a non-empty string' : `a string of ${isMinimum ? 'at least' : 'at most'} ${countOf(bound, 'character')}`;
  if (isMinimum && bound === 0) return issue.inclusive ? 'a number ≥ 0' : 'a number > 0';
  const relation = isMinimum ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
  return `a number ${relation} ${bound}`;
}

/** The allowed values a union's branches name, for a did-you-mean on a misspelt one. */
function unionValues(issue: z.core.$ZodIssueInvalidUnion): string[] {
  return issue.errors.flat().flatMap((inner) => (inner.code === 'invalid_value' ? inner.values.map(String) : []));
}

/** What the branches of a union expect, when none accepted the value's basic type: `a string, a number or …`. */
function branchTypes(issue: z.core.$ZodIssueInvalidUnion): string {
  const names = issue.errors.flat().flatMap((inner) => (inner.code === 'invalid_type' ? [typeNames[inner.expected] ?? inner.expected] : []));
  const last = names.pop();
  return names.length > 0 ? `${names.join(', ')} or ${last}` : (last ?? issue.message);
}

/** The one branch of a union that accepted the value's basic type, if exactly one did. */
function matchingBranch(issue: z.core.$ZodIssueInvalidUnion): readonly ZodIssue[] | undefined {
  const candidates = issue.errors.filter((branch) => !branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
  return candidates.length === 1 ? candidates[0] : undefined;
}

function describeIssue(issue: ZodIssue, base: KeyPath, schema: z.core.$ZodType, data: unknown): FoundProblem[] {
  const path = [...base, ...toKeyPath(issue.path)];
  const value = valueAt(data, path);
  const found = describeYamlValue(value);
  const problem = (expected: string, hint?: string): Problem => ({ path, expected, found, hint });
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = keysAllowedAt(schema, path, data) ?? [];
      const expected = allowed.length > 0 ? `one of the keys ${allowed.join(', ')}` : 'a known key';
      return issue.keys.map((key) => {
        const meant = closestMatch(key, allowed);
        const problem = { path: [...path, key], expected, found: `unknown key "${key}"`, hint: didYouMean(key, allowed) };
        return meant === undefined ? problem : { ...problem, meant: [...path, meant] };
      });
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
      if (issue.inclusive !== false && issue.options) {
        const values = issue.options.map(String);
        return [problem(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, typeof value === 'string' ? didYouMean(value, values) : undefined)];
      }
      const branch = matchingBranch(issue);
      if (issue.message === defaultUnionMessage && branch) {
        return branch.flatMap((inner) => describeIssue(inner, path, schema, data));
      }
      const expected = issue.message === defaultUnionMessage ? branchTypes(issue) : issue.message;
      return [problem(expected, typeof value === 'string' ? didYouMean(value, unionValues(issue)) : undefined)];
    }
    case 'invalid_key':
      // A record's key refused by its key schema (a task name of only spaces): the key is what was found.
      return [{ path, expected: issue.issues[0]?.message ?? issue.message, found: JSON.stringify(path.at(-1)), hint: undefined }];
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
  const problems = issues.flatMap((issue) => describeIssue(issue, [], schema, data));
  // A misspelt key also leaves its intended key missing: that is one problem, told once.
  const meant = new Set(problems.flatMap((problem) => (problem.meant === undefined ? [] : [formatKeyPath(problem.meant)])));
  return problems
    .filter((problem) => !(problem.found === describeYamlValue(undefined) && meant.has(formatKeyPath(problem.path))))
    .map(({ path, expected, found, hint }) => ({ path, expected, found, hint }));
}
