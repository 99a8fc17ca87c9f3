/** Escapes people know, for the common controls; the rest are written as `\xNN` or `\uNNNN`. */
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * C0 and C1 controls and DEL, which a terminal acts on (clear the screen, move the cursor, set
 * the title, ring the bell), and the bidirectional overrides, which reorder what is shown.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escape(character: string): string {
  const code = character.charCodeAt(0);
  return NAMED[character] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`);
}

/**
 * Makes text from a workload or a task (a name, an error, a line of output) safe to print on a
 * terminal: every control character becomes a visible escape, everything else is left as it is.
 *
 * @example
 * escapeControlCharacters('evil\x1b[2J'); // 'evil\\x1b[2J', printed as evil\x1b[2J
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, escape);
}
