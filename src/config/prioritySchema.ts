import { z } from 'zod';
import { TaskPriority, type TaskPriorityName } from '../types.js';

/** The lower-case priority names, lowest first. */
export const priorityNames = ['lowest', 'low', 'normal', 'high', 'highest'] as const satisfies readonly TaskPriorityName[];

/**
 * A priority as configuration files write it: a name (`lowest` … `highest`) or a level 1–5.
 *
 * @example
 * ```ts
 * prioritySchema.parse('high'); // 'high'
 * prioritySchema.parse(5);      // 5
 * ```
 */
export const prioritySchema = z.union([z.enum(priorityNames), z.number().int().min(1).max(5)], {
  error: `a priority name (${priorityNames.join(', ')}) or a whole number from 1 to 5`,
});

/**
 * Turns a priority name or level into its level.
 *
 * @example
 * ```ts
 * resolvePriority('high'); // 4
 * resolvePriority(2);      // 2
 * ```
 */
export function resolvePriority(priority: z.infer<typeof prioritySchema>): TaskPriority {
  if (typeof priority === 'number') return priority as TaskPriority;
  const key = priority.toUpperCase() as keyof typeof TaskPriority;
  return TaskPriority[key];
}
