// A target URL as it may be shown: in the `target` label, logs, error messages and /api/targets.
// Credentials in a URL (http://user:pass@host/metrics?token=...) are a working secret wherever they are
// printed, so the userinfo and the values of query parameters whose names suggest a secret are
// replaced; the scheme, host, port, path and the other parameters stay, so the target is still known.
const SECRET_PARAM = /token|key|secret|pass|pwd|auth|sig|credential|session|jwt|bearer/i;
export const REDACTED = 'REDACTED';

export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not a URL (config validation refuses those); show nothing that could be a secret.
    return url.replace(/\/\/[^/@]*@/, `//${REDACTED}@`).replace(/\?.*$/, `?${REDACTED}`);
  }
  let changed = false;
  if (u.username !== '' || u.password !== '') {
    u.username = REDACTED;
    u.password = '';
    changed = true;
  }
  for (const k of [...u.searchParams.keys()]) {
    if (SECRET_PARAM.test(k)) {
      u.searchParams.set(k, REDACTED);
      changed = true;
    }
  }
  return changed ? u.toString() : url;
}
