/**
 * What postgres.js cannot read in a postgres:// URL, which it reports only as `Invalid URL` or `URI malformed`. It
 * reads a list of hosts (`h1:5432,h2:5433`) as its first one, decodes the hosts, the user and the password: so does
 * this check, the same way.
 */
const decodes = (text: string) => {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};

const BAD_PERCENT = 'has a % not followed by two hex digits (write %25 for a %)';

export function postgresUrlProblem(url: string): string | undefined {
  if (!/^postgres(ql)?:\/\/./.test(url)) return 'expected a postgres:// URL';
  const authority = url.slice(url.indexOf('://') + 3).split(/[?/]/)[0];
  const encodedHosts = authority.slice(authority.indexOf('@') + 1);
  if (!decodes(encodedHosts)) return `its host ${BAD_PERCENT}`;
  const hosts = decodeURIComponent(encodedHosts);
  const first = hosts.split(',')[0];
  const port = hosts.split(',').map((host) => /:(\d+)$/.exec(host)?.[1]).find((digits) => digits !== undefined && !(Number(digits) >= 1 && Number(digits) <= 65_535));
  if (port !== undefined) return `port ${port} is not from 1 to 65535`;
  const single = url.replace(hosts, first);
  if (!URL.canParse(single)) return 'it does not parse as a URL (a space, an unclosed [ of an IPv6 address, a user without a host?)';
  const { username, password } = new URL(single);
  if (!decodes(username) || !decodes(password)) return `its user or password ${BAD_PERCENT}`;
  return undefined;
}

/** `url` with its password hidden, for a message. */
export const withoutPassword = (url: string) => url.replace(/^([^:]+:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
