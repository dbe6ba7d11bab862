/**
 * The till's shift, as the core last said: shown in the top bar, asked for at sign-in when the
 * shop sells only with a shift open, and refreshed after every drawer action. Which drawer
 * dialog is open lives here too, so the pay dialog can ask for "open a shift" when a sale is
 * refused for want of one.
 */
import { commands, type ReportView_Serialize, type Shift_Serialize } from "../bindings";
import { call } from "../lib/api";
import { session } from "./session.svelte";

export type DrawerDialog = "open" | "cash" | "close" | "drawer" | null;

export const drawer = $state({
  shift: null as Shift_Serialize | null,
  /** Whether `shift` is what the core said (not yet asked: do not nag). */
  known: false,
  dialog: null as DrawerDialog,
  /** An X or Z report on screen. */
  report: null as ReportView_Serialize | null,
});

/** Asks the core for the open shift; returns it. */
export async function refreshShift(): Promise<Shift_Serialize | null> {
  drawer.shift = await call(commands.currentShift());
  drawer.known = true;
  return drawer.shift;
}

/** After sign-in: the shift, and the prompt to open one when selling needs it. */
export async function shiftAtSignIn(): Promise<void> {
  drawer.known = false;
  drawer.dialog = null;
  drawer.report = null;
  try {
    const open = await refreshShift();
    if (!open && session.settings.require_open_shift) drawer.dialog = "open";
  } catch {
    // The top bar asks again on its own; selling still says why it cannot.
  }
}

export function forgetShift(): void {
  drawer.shift = null;
  drawer.known = false;
  drawer.dialog = null;
  drawer.report = null;
}

export function showDrawer(dialog: DrawerDialog): void {
  drawer.dialog = dialog;
}
