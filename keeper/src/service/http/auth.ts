/**
 * Bearer-token check for the one state-changing route. Both sides are hashed to a fixed
 * length before `timingSafeEqual`, so the comparison time depends neither on how many
 * leading characters match nor on the length of the guess.
 */
import { createHash, timingSafeEqual } from "node:crypto";

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** True when the `Authorization` header carries exactly `Bearer <expected token>`. */
export function isAuthorized(authorizationHeader: string | undefined, expectedToken: string): boolean {
  if (authorizationHeader === undefined) return false;
  const presented = BEARER.exec(authorizationHeader)?.[1];
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(expectedToken));
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
