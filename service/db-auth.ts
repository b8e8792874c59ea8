/**
 * IAM database authentication: the password of each new connection is an RDS auth token, valid
 * for 15 minutes. Signing is local but not free, so one token is kept and a new one signed ahead
 * of its expiry; connections opened meanwhile keep the token they were given (RDS checks it only
 * at connect). If signing fails while the kept token is still valid, that token is used: a
 * transient credentials hiccup never fails a request.
 */

/** TokenSigner is what @aws-sdk/rds-signer's Signer offers: one fresh token per call. */
export interface TokenSigner {
  getAuthToken(): Promise<string>;
}

/** TOKEN_LIFETIME_MS is how long RDS accepts a token after it was signed. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;

/** IamPasswordOptions: the signer, and for tests a clock and the refresh margin. */
export interface IamPasswordOptions {
  signer: TokenSigner;
  now?: () => number;
  /** A token older than lifetime minus this is replaced (default 5 minutes). */
  refreshAheadMs?: number;
}

/**
 * iamPassword returns a pg `password` function: the kept token while it is young enough, else a
 * new one (one signing at a time however many connections ask at once).
 */
export function iamPassword(options: IamPasswordOptions): () => Promise<string> {
  const now = options.now ?? Date.now;
  const refreshAt = TOKEN_LIFETIME_MS - (options.refreshAheadMs ?? 5 * 60_000);
  let kept: { token: string; signedAt: number } | undefined;
  let signing: Promise<string> | undefined;
  const sign = () => {
    signing ??= (async () => {
      const signedAt = now();
      try {
        const token = await options.signer.getAuthToken();
        kept = { token, signedAt };
        return token;
      } catch (err) {
        if (kept && now() - kept.signedAt < TOKEN_LIFETIME_MS) return kept.token;
        throw err;
      } finally {
        signing = undefined;
      }
    })();
    return signing;
  };
  return async () => {
    if (kept && now() - kept.signedAt < refreshAt) return kept.token;
    return sign();
  };
}
