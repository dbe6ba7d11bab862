/** A manager's approval, asked for when the backend says an action needs one. */
import type { Approval, CommandError, Permission, StaffMember } from "../bindings";
import { commandError, needsApproval } from "../lib/api";

/** A PIN that did not do: whose it was and the core's answer (`wrong_pin`, `locked_out`, or
 *  `forbidden` when that member may not approve this either). */
export type FailedApproval = {
  staffId: string;
  error: Extract<CommandError, { kind: "wrong_pin" | "locked_out" | "forbidden" }>;
};

export type ApprovalRequest = {
  /** What needs approving: the dialog words it in the cashier's language. */
  permission: Permission;
  /** The last PIN typed for this action, if it did not do; the dialog keeps that manager
   *  chosen after a wrong PIN, and not after their approvals were paused. */
  failed: FailedApproval | null;
  resolve: (a: Approval | null) => void;
};

/** The pending request (the app shows the approval dialog while there is one); the managers
 *  and admins the dialog last listed, so a retry shows them at once; and, by member, until when
 *  their approvals are paused (RFC 3339) after wrong PINs, as the core last said. */
export const approval = $state({
  request: null as ApprovalRequest | null,
  approvers: [] as StaffMember[],
  paused: {} as Record<string, string>,
});

/** Asks for a manager's PIN; resolves null when the cashier gives up. */
export function requestApproval(permission: Permission, failed: FailedApproval | null = null): Promise<Approval | null> {
  return new Promise((resolve) => {
    approval.request = {
      permission,
      failed,
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
    let failed: FailedApproval | null = null;
    for (;;) {
      const given = await requestApproval(permission, failed);
      if (!given) return null;
      try {
        const done = await action(given);
        delete approval.paused[given.staff_id];
        return done;
      } catch (e2) {
        const err = commandError(e2);
        if (err?.kind === "wrong_pin" || err?.kind === "locked_out" || err?.kind === "forbidden") {
          failed = { staffId: given.staff_id, error: err };
          if (err.kind === "locked_out") approval.paused[given.staff_id] = err.data.until;
          else delete approval.paused[given.staff_id]; // their PIN was checked: no longer paused
          if (err.kind === "forbidden") permission = err.data.permission;
          continue;
        }
        throw e2;
      }
    }
  }
}
