/**
 * A Redis URL with its password hidden, for messages.
 *
 * @example
 * redactUrl('redis://user:secret@host:6379'); // 'redis://user:***@host:6379'
 */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*):([^@/]*)@/, '//$1:***@');
}
