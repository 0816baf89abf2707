/**
 * The one redaction of credentials in URLs, used by every surface that shows a URL (logs, the
 * SQLite store, `status`, the HTTP API and dashboard, error messages). RPC and data-provider
 * URLs commonly carry a secret in one of three places, and all three are replaced:
 *   - user info: `https://user:pass@host/` -> `https://***@host/`
 *   - a key-like path segment: `/v2/<key>`, `/v3/<key>`, or any segment of 20+ characters
 *     that mixes letters and digits (Alchemy, Infura, QuickNode) -> `/v2/***`
 *   - a query parameter whose name looks like a credential (`apikey`, `key`, `token`,
 *     `secret`, `auth`, `password`, ...) -> `?apikey=***`
 * The host, port and the rest of the path stay, so an operator can still tell the URLs apart.
 */

export const REDACTED_PART = "***";

const SECRET_PARAM =
  /^(api[-_]?key|key|token|access[-_]?token|auth|authorization|secret|password|pass|pwd|sig|signature|x-api-key)$/i;
/** A path segment after a versioned API prefix (`/v2/<key>`) is a key whatever it looks like. */
const VERSION_SEGMENT = /^v\d+$/i;
/** Long tokens mixing letters and digits: the shape of a provider key in a path. */
const KEY_SEGMENT = /^(?=.*\d)(?=.*[a-z])[a-z0-9_-]{20,}$/i;

/** `url` with its credentials replaced by `***`; text that does not parse as a URL is returned as is. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let changed = parsed.username !== "" || parsed.password !== "";
  const userInfo = changed ? `${REDACTED_PART}@` : "";
  const segments = parsed.pathname.split("/");
  const path = segments
    .map((segment, i) => {
      if (segment === "") return segment;
      const afterVersion = i > 0 && VERSION_SEGMENT.test(segments[i - 1] ?? "");
      if (!afterVersion && !KEY_SEGMENT.test(segment)) return segment;
      changed = true;
      return REDACTED_PART;
    })
    .join("/");
  const query = [...parsed.searchParams.entries()]
    .map(([name, value]) => {
      if (!SECRET_PARAM.test(name)) return `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
      changed = true;
      return `${encodeURIComponent(name)}=${REDACTED_PART}`;
    })
    .join("&");
  // Unchanged URLs are returned byte for byte (no normalisation such as a trailing slash).
  if (!changed) return url;
  return `${parsed.protocol}//${userInfo}${parsed.host}${path}${query ? `?${query}` : ""}${parsed.hash}`;
}

/** Every http(s)/ws(s) URL inside a longer text (a log line, an error message), redacted. */
export function redactUrlsIn(text: string): string {
  // Trailing punctuation (`url: message`, `url.`) belongs to the sentence, not the URL.
  return text.replace(/\b(?:https?|wss?):\/\/[^\s"'<>\\]*[^\s"'<>\\.,:;!?)]/gi, (url) => redactUrl(url));
}
