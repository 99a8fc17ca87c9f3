import { z } from 'zod';
import { configSchema } from './configSchema.js';

/**
 * The JSON Schema (draft 2020-12) of a configuration file, generated from {@link configSchema}
 * with zod's `z.toJSONSchema`. It describes what a file may contain (every field optional, with its
 * default), so editors can complete and check `config/*.yaml`. `config/schema.json` is this,
 * written by `scripts/generateSchema.ts`.
 *
 * @example
 * ```ts
 * const schema = configJsonSchema();
 * schema.additionalProperties; // false
 * ```
 */
export function configJsonSchema(): z.core.JSONSchema.BaseSchema {
  return z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
}

/**
 * {@link configJsonSchema} as the text of `config/schema.json`: indented JSON with a final newline.
 *
 * @example
 * ```ts
 * writeFileSync('config/schema.json', configJsonSchemaText());
 * ```
 */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
