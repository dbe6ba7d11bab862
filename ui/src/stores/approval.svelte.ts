/** A manager's approval, asked for when the backend says an action needs one. */
import type { Approval } from "../bindings";
import { commandError, needsApproval } from "../lib/api";
import { errorText } from "./chrome.svelte";

export type ApprovalRequest = {
  message: string;
  error: string;
  resolve: (a: Approval | null) => void;
};

/** The pending request; the app shows the approval dialog while there is one. */
export const approval = $state({ request: null as ApprovalRequest | null });

/** Asks for a manager's PIN; resolves null when the cashier gives up. */
export function requestApproval(message: string, error = ""): Promise<Approval | null> {
  return new Promise((resolve) => {
    approval.request = {
      message,
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
 * Runs `action` without approval; when the backend answers `unauthorized` with
 * `needs_approval`, asks for a manager's PIN and retries until it passes or is given up.
 * Returns null if given up; other errors are thrown.
 */
export async function withApproval<T>(action: (approval: Approval | null) => Promise<T>): Promise<T | null> {
  try {
    return await action(null);
  } catch (e) {
    if (!needsApproval(e)) throw e;
    let message = errorText(e);
    let error = "";
    for (;;) {
      const given = await requestApproval(message, error);
      if (!given) return null;
      try {
        return await action(given);
      } catch (e2) {
        const k = commandError(e2)?.kind;
        if (k === "wrong_pin" || k === "locked_out" || k === "unauthorized") {
          error = errorText(e2);
          if (k === "unauthorized") message = errorText(e2);
          continue;
        }
        throw e2;
      }
    }
  }
}
