// How sign-in attempts are limited (lib/auth/options.ts), in one place with the command that
// clears them (npm run admin:reset-password). Three counters over LOGIN_WINDOW_SECONDS:
// - the account from one address: LOGIN_MAX_ATTEMPTS failures, then that address is refused
//   for the account (even the right password) until the window has passed;
// - the address over all accounts: ×20, then the address is refused;
// - the account over all addresses: never refused (anyone could then lock the first admin out
//   by guessing from many addresses); past ×4 failures every attempt on the account waits
//   before it is answered, 0.25 s doubling per further failure up to 10 s. The wait comes
//   before the password is checked, so a client that gives up early learns nothing, and the
//   right password from an address that has not failed still gets in.
// Only failures count: a successful sign-in gives its points back.
import { consume, count, deleteLimits, refund, reset, type LimitResult } from "@/lib/rate-limit";
import { env } from "@/lib/env";

export const SIGNIN_DELAY_BASE_MS = 250;
export const SIGNIN_DELAY_MAX_MS = 10_000;

const ACCOUNT_FROM_ADDRESS = "login:acct-ip";
const ACCOUNT = "login:acct";
const ADDRESS = "login:ip";

const pair = (email: string, ip: string) => `${email}|${ip}`;

/** The wait before answering a sign-in on an account that has had `priorFailures` recent failures. */
export function signinDelayMs(priorFailures: number, threshold: number): number {
  if (priorFailures < threshold) return 0;
  const k = Math.min(priorFailures - threshold, 30);
  return Math.min(SIGNIN_DELAY_BASE_MS * 2 ** k, SIGNIN_DELAY_MAX_MS);
}

function limits() {
  const e = env();
  return { max: e.LOGIN_MAX_ATTEMPTS, window: e.LOGIN_WINDOW_SECONDS, accountThreshold: e.LOGIN_MAX_ATTEMPTS * 4 };
}

export type SigninAdmission = { limited: true; retryAfterSeconds: number } | { limited: false; delayMs: number };

/**
 * Counts one attempt (given back by signinSucceeded) and says whether it may go on, and after
 * what wait. The account counter is counted first and atomically, so attempts sent at once
 * each see a longer wait than the one before.
 */
export async function admitSignin(email: string, ip: string): Promise<SigninAdmission> {
  const { max, window, accountThreshold } = limits();
  const [fromAddress, address, accountCount] = await Promise.all([
    consume(ACCOUNT_FROM_ADDRESS, pair(email, ip), max, window, window),
    consume(ADDRESS, ip, max * 20, window),
    count(ACCOUNT, email, window),
  ]);
  const refused = [fromAddress, address].find((c): c is Extract<LimitResult, { allowed: false }> => !c.allowed);
  if (refused) return { limited: true, retryAfterSeconds: refused.retryAfterSeconds };
  return { limited: false, delayMs: signinDelayMs(accountCount - 1, accountThreshold) };
}

/** A successful sign-in: the pair starts again, the account and the address get the attempt back. */
export async function signinSucceeded(email: string, ip: string) {
  const { max, window } = limits();
  await Promise.all([
    reset(ACCOUNT_FROM_ADDRESS, pair(email, ip), max, window, window),
    count(ACCOUNT, email, window, -1),
    refund(ADDRESS, ip, max * 20, window),
  ]);
}

/** Every sign-in counter of the account (from any address): npm run admin:reset-password. */
export async function clearSigninLimits(email: string) {
  const key = email.trim().toLowerCase();
  // e-mail domains hold no "|", so "<email>|" cannot be the start of another account's pair
  await Promise.all([deleteLimits(ACCOUNT, { key }), deleteLimits(ACCOUNT_FROM_ADDRESS, { keyStartsWith: `${key}|` })]);
}
