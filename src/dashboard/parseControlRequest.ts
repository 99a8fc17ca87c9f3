import { TaskPriority, type TaskPriorityInput } from '../types.js';

/** A validated request of one of the dashboard's two actions. */
export type ControlRequest =
  | { readonly action: 'cancel'; readonly id: string; readonly reason: string }
  | { readonly action: 'priority'; readonly id: string; readonly priority: TaskPriorityInput };

/** The outcome of {@link parseControlRequest}: the request, or what was wrong with it. */
export type ParsedControlRequest = { readonly ok: true; readonly request: ControlRequest } | { readonly ok: false; readonly error: string };

const MAX_ID_LENGTH = 256;
const MAX_REASON_LENGTH = 200;
const PRIORITY_NAMES = Object.keys(TaskPriority).map((name) => name.toLowerCase());
const PRIORITY_LEVELS: readonly number[] = Object.values(TaskPriority);

function show(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 80) ?? String(value);
}

function isPriority(value: unknown): value is TaskPriorityInput {
  return (typeof value === 'number' && PRIORITY_LEVELS.includes(value)) || (typeof value === 'string' && PRIORITY_NAMES.includes(value));
}

/**
 * Validates the JSON body of `POST /api/cancel` (`{ id, reason? }`) or `POST /api/priority`
 * (`{ id, priority }`, a level 1-5 or its lower-case name). Errors name the field, what was
 * expected and what was received.
 *
 * @example
 * parseControlRequest('priority', { id: 'a', priority: 'high' }); // { ok: true, request: … }
 */
export function parseControlRequest(action: ControlRequest['action'], body: unknown): ParsedControlRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: `expected a JSON object, received ${show(body)}` };
  }
  const fields = body as Record<string, unknown>;
  const id = fields['id'];
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    return { ok: false, error: `field "id": expected a task id (1-${MAX_ID_LENGTH} characters), received ${show(id)}` };
  }
  if (action === 'cancel') {
    const reason = fields['reason'] ?? 'cancelled from the dashboard';
    if (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH) {
      return { ok: false, error: `field "reason": expected a string of at most ${MAX_REASON_LENGTH} characters, received ${show(reason)}` };
    }
    return { ok: true, request: { action, id, reason } };
  }
  const priority = fields['priority'];
  if (!isPriority(priority)) {
    return { ok: false, error: `field "priority": expected 1-5 or one of ${PRIORITY_NAMES.join(', ')}, received ${show(priority)}` };
  }
  return { ok: true, request: { action, id, priority } };
}
