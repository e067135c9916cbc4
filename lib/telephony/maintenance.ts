// RingCentral webhook subscriptions renewed before they expire (see lib/telephony).
// PLACEHOLDER until the RingCentral module lands: renews nothing yet.
export async function renewRingCentralSubscriptions(): Promise<number> {
  return 0;
}
