/**
 * The host name of a `Host` header, without its port, lower-cased (`[::1]:8080` → `[::1]`).
 *
 * @example
 * hostnameOf('Sched.Example.org:9464'); // 'sched.example.org'
 */
export function hostnameOf(hostHeader: string): string {
  return hostHeader.toLowerCase().replace(/:\d+$/, '');
}
