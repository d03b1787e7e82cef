/** URLs fit to print in logs and messages: credentials replaced. */

/** A URL safe to print: the password, if any, replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}

/** NATS_URL fit to print: a password, or a token (a user name without a password), replaced. */
export function redactNatsUrl(natsUrl: string): string {
  return natsUrl
    .split(',')
    .map((one) => {
      try {
        const url = new URL(one.trim());
        if (url.password) url.password = '***';
        else if (url.username) url.username = '***';
        return url.toString().replace(/\/$/, '');
      } catch {
        return '<unparseable url>';
      }
    })
    .join(',');
}
