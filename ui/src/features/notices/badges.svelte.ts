/**
 * The top bar's counts: unread notifications, and open low-stock alerts for a manager. Asked
 * of the core when a member signs in, every 30 seconds, and after anything that may change
 * them (`refreshBadges`).
 */
import { commands } from "../../bindings";
import { call } from "../../lib/api";

export const badges = $state({ unread: 0, openAlerts: 0 });

let asked = 0;

export async function refreshBadges(): Promise<void> {
  const mine = ++asked;
  try {
    const got = await call(commands.badges());
    if (mine !== asked) return;
    badges.unread = got.unread;
    badges.openAlerts = got.open_alerts;
  } catch {
    // Signed out meanwhile, or the core is busy: the next tick asks again.
  }
}

export function clearBadges(): void {
  asked++;
  badges.unread = 0;
  badges.openAlerts = 0;
}
