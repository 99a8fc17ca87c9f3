/**
 * Writes config/schema.json from the zod configuration schema, the single source of truth.
 * Run with `node --import tsx scripts/generateSchema.ts`; a test fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/config/configJsonSchema.js';

const target = fileURLToPath(new URL('../config/schema.json', import.meta.url));
writeFileSync(target, configJsonSchemaText());
console.log(`wrote ${target}`);
