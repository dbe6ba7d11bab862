/** A manager's approval, asked for when the backend says an action needs one. */
import type { Approval, Permission } from "../bindings";
import { commandError, needsApproval } from "../lib/api";
import { errorText } from "./chrome.svelte";

export type ApprovalRequest = {
  /** What needs approving: the dialog words it in the cashier's language. */
  permission: Permission;
  /** Why the last PIN did not do (already worded), or "". */
  error: string;
  resolve: (a: Approval | null) => void;
};

/** The pending request; the app shows the approval dialog while there is one. */
export const approval = $state({ request: null as ApprovalRequest | null });

/** Asks for a manager's PIN; resolves null when the cashier gives up. */
export function requestApproval(permission: Permission, error = ""): Promise<Approval | null> {
  return new Promise((resolve) => {
    approval.request = {
      permission,
      error,
      resolve: (a) => {
        approval.request = null;
        resolve(a);
      },
    };
  });
}

/** Gives up a pending request (the till locks). */
export function dropApproval(): void {
  approval.request?.resolve(null);
}

/**
 * Runs `action` without approval; when the backend answers `forbidden` with
 * `needs_approval`, asks for a manager's PIN and retries until it passes or is given up.
 * Returns null if given up; other errors are thrown.
 */
export async function withApproval<T>(action: (approval: Approval | null) => Promise<T>): Promise<T | null> {
  try {
    return await action(null);
  } catch (e) {
    const first = commandError(e);
    if (!needsApproval(e) || first?.kind !== "forbidden") throw e;
    let permission = first.data.permission;
    let error = "";
    for (;;) {
      const given = await requestApproval(permission, error);
      if (!given) return null;
      try {
        return await action(given);
      } catch (e2) {
        const err = commandError(e2);
        if (err?.kind === "wrong_pin" || err?.kind === "locked_out" || err?.kind === "forbidden") {
          error = errorText(e2);
          if (err.kind === "forbidden") permission = err.data.permission;
          continue;
        }
        throw e2;
      }
    }
  }
}
