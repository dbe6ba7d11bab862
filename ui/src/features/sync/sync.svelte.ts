/**
 * Sync as it really is, for the top bar and the sync dialog: the core's `sync_status`, read
 * every few seconds while someone is signed in. "Online" means the last contact worked and
 * nothing failed since; anything else is offline, whatever the network light says.
 */
import { commands, type SyncStatus } from "../../bindings";
import { call } from "../../lib/api";

export const syncState = $state({ status: null as SyncStatus | null });

/** How often the status is read. */
export const POLL_MS = 5000;

export async function refreshSync(): Promise<void> {
  try {
    syncState.status = await call(commands.syncStatus());
  } catch {
    // Signed out or the backend is busy: keep what is shown; the next poll tries again.
  }
}

export function isOnline(s: SyncStatus | null): boolean {
  if (!s?.enrolled || !s.last_success) return false;
  return !s.last_error_at || s.last_success > s.last_error_at;
}
