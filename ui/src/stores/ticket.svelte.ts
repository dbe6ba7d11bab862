/**
 * The sale in progress: the current ticket and the actions that change it through the
 * backend. Totals always come from the backend's answer; each error is shown as a toast.
 *
 * A ticket belongs to the member serving it (`Ticket.staff_id`): when the till locks or
 * changes hands it is parked for them, and another member takes it over only explicitly
 * (`takeOver`, audited by the core); a `ticket_of_another` answer offers exactly that.
 */
import {
  commands,
  type AddLine,
  type Discount,
  type OrderType,
  type ProductCard_Serialize,
  type Ticket_Serialize,
  type TicketSummary,
} from "../bindings";
import { call, commandError } from "../lib/api";
import { withApproval } from "./approval.svelte";
import { showError, t, toast } from "./chrome.svelte";

/** A question the app asks on top of everything: may the cashier take over `owner`'s ticket? */
export type TakeOverRequest = { ticketId: string; owner: string; resolve: (yes: boolean) => void };

export const sale = $state({
  ticket: null as Ticket_Serialize | null,
  /** The product whose options the cashier is choosing (the sell screen shows the chooser). */
  choosing: null as string | null,
  /** The pending take-over question; the app shows it while there is one. */
  takeOver: null as TakeOverRequest | null,
});

let opening: Promise<Ticket_Serialize> | null = null;

/** Forgets the current ticket here (it stays open in the backend) and any options being chosen. */
export function clearTicket(): void {
  sale.ticket = null;
  sale.choosing = null;
  sale.takeOver?.resolve(false);
}

/**
 * Puts the current ticket aside for the member serving it, as the till locks: parked when it
 * has lines (their open tickets keep it), thrown away when empty. Returns the parked ticket's
 * id. The next member starts with a fresh ticket.
 */
export async function setAsideCurrent(): Promise<string | null> {
  const tk = sale.ticket;
  clearTicket();
  if (!tk) return null;
  try {
    if (tk.lines.length > 0) {
      await call(commands.setTicketParked(tk.id, true));
      return tk.id;
    }
    await call(commands.discardTicket(tk.id));
  } catch (e) {
    showError(e);
  }
  return null;
}

const newestFirst = (a: TicketSummary, b: TicketSummary) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0);

/**
 * At sign-in: tickets someone else left open on the till are parked for them; the member's own
 * ticket that the lock put aside (`broughtBack`) comes back as it was (else their newest open
 * one), and they are told how many of their parked tickets wait in Open tickets. Throws the
 * backend's error.
 */
export async function ticketsAtSignIn(me: string, broughtBack: string | null): Promise<void> {
  const tickets = await call(commands.listTickets());
  for (const x of tickets) {
    if (x.staff_id !== me && !x.parked && x.items > 0) await call(commands.setTicketParked(x.id, true));
  }
  const mine = tickets.filter((x) => x.staff_id === me);
  const back = mine.find((x) => x.id === broughtBack && x.parked);
  const open = mine.filter((x) => !x.parked).sort(newestFirst);
  if (back) sale.ticket = await call(commands.setTicketParked(back.id, false));
  else if (open.length > 0) sale.ticket = await call(commands.ticket(open[0].id));
  const waiting = mine.filter((x) => x.parked && x.id !== back?.id).length;
  if (waiting > 0) toast(t("tickets.waiting", { n: waiting }), "info", 8000);
}

/** Asks whether to take over `owner`'s ticket (the app shows the question). */
function askTakeOver(ticketId: string, owner: string): Promise<boolean> {
  sale.takeOver?.resolve(false);
  return new Promise((resolve) => {
    sale.takeOver = {
      ticketId,
      owner,
      resolve: (yes) => {
        sale.takeOver = null;
        resolve(yes);
      },
    };
  });
}

/**
 * Takes over another member's ticket, if the cashier says so: the core records it and the
 * ticket becomes theirs to change and pay; it is then the current ticket (the one on screen is
 * parked, or dropped when empty, first). Returns whether it was taken over.
 */
export async function takeOver(ticketId: string, owner: string): Promise<boolean> {
  if (!(await askTakeOver(ticketId, owner))) return false;
  try {
    const cur = sale.ticket;
    if (cur && cur.id !== ticketId) {
      if (cur.lines.length > 0) await call(commands.setTicketParked(cur.id, true));
      else await call(commands.discardTicket(cur.id));
      sale.ticket = null;
    }
    sale.ticket = await call(commands.takeOverTicket(ticketId));
    toast(t("tickets.takenOver", { owner }), "info", 3000);
    return true;
  } catch (e) {
    showError(e);
    return false;
  }
}

/** Shows a ticket action's error; a ticket served by someone else offers to take it over. */
export function ticketError(e: unknown, ticketId: string | undefined): void {
  const err = commandError(e);
  if (err?.kind === "ticket_of_another" && ticketId) void takeOver(ticketId, err.data.owner);
  else showError(e);
}

/** The current ticket, opened lazily; concurrent callers share one `openTicket`. */
async function ensureTicket(orderType: OrderType = "dine_in", label = ""): Promise<Ticket_Serialize> {
  if (sale.ticket) return sale.ticket;
  if (!opening) {
    opening = call(commands.openTicket(orderType, label))
      .then((tk) => {
        sale.ticket = tk;
        return tk;
      })
      .finally(() => {
        opening = null;
      });
  }
  return opening;
}

/** Runs a ticket change; shows any error as a toast. Returns true on success. */
async function ticketOp(op: () => Promise<Ticket_Serialize | null>): Promise<boolean> {
  try {
    const tk = await op();
    if (tk) sale.ticket = tk;
    return true;
  } catch (e) {
    ticketError(e, sale.ticket?.id);
    return false;
  }
}

export async function addLine(line: Omit<AddLine, "quantity"> & { quantity?: number }): Promise<boolean> {
  return ticketOp(async () => {
    const tk = await ensureTicket();
    return call(
      commands.addToTicket(tk.id, {
        product_id: line.product_id,
        modifier_ids: line.modifier_ids,
        note: line.note,
        quantity: line.quantity ?? 1,
      }),
    );
  });
}

/** Adds a product without modifiers; returns "modifiers" when a chooser is needed instead. */
export async function quickAdd(card: ProductCard_Serialize): Promise<"added" | "modifiers" | "failed"> {
  if (!card.available) {
    toast(t("err.soldOut", { name: card.name }));
    return "failed";
  }
  if (card.has_modifiers) return "modifiers";
  return (await addLine({ product_id: card.id, modifier_ids: [], note: "" })) ? "added" : "failed";
}

export async function setQuantity(lineId: string, quantity: number): Promise<boolean> {
  const tk = sale.ticket;
  if (!tk) return false;
  if (quantity < 1) return false; // removing a line is its own, explicit action (✕)
  return ticketOp(() => call(commands.setLineQuantity(tk.id, lineId, quantity)));
}

export async function removeLine(lineId: string): Promise<boolean> {
  const tk = sale.ticket;
  if (!tk) return false;
  return ticketOp(() => call(commands.removeLine(tk.id, lineId)));
}

export async function setInfo(orderType: OrderType, label: string): Promise<boolean> {
  return ticketOp(async () => {
    const wasOpen = !!sale.ticket || !!opening;
    const tk = await ensureTicket(orderType, label);
    if (!wasOpen && tk.order_type === orderType && tk.label === label) return tk;
    return call(commands.setTicketInfo(tk.id, orderType, label));
  });
}

/** Where the current delivery goes. */
export async function setAddress(address: string): Promise<boolean> {
  const tk = sale.ticket;
  if (!tk) return false;
  return ticketOp(() => call(commands.setTicketAddress(tk.id, address)));
}

/** Names the member the ticket is for (null: nobody); opens the ticket if none is open. */
export async function setMember(member: string | null): Promise<boolean> {
  return ticketOp(async () => {
    const tk = await ensureTicket();
    return call(commands.setTicketMember(tk.id, member));
  });
}

/** Puts a coupon on the current ticket by its code (null: takes it off). A refusal is thrown
 *  to the caller (the coupon dialog shows it); the ticket is unchanged then. */
export async function setCoupon(code: string | null): Promise<void> {
  const tk = sale.ticket;
  if (!tk) return;
  sale.ticket = await call(commands.setTicketCoupon(tk.id, code));
}

/** Uses a member's redemption on the current ticket (null: takes it off). A refusal is thrown
 *  to the caller (the voucher dialog shows it). */
export async function setVoucher(redemption: string | null): Promise<void> {
  const tk = sale.ticket;
  if (!tk) return;
  sale.ticket = await call(commands.setTicketVoucher(tk.id, redemption));
}

export async function setLineDiscount(lineId: string, discount: Discount | null): Promise<boolean> {
  const tk = sale.ticket;
  if (!tk) return false;
  return ticketOp(() => withApproval((a) => call(commands.setLineDiscount(tk.id, lineId, discount, a))));
}

export async function setOrderDiscount(discount: Discount | null): Promise<boolean> {
  const tk = sale.ticket;
  if (!tk) return false;
  return ticketOp(() => withApproval((a) => call(commands.setOrderDiscount(tk.id, discount, a))));
}

export async function parkTicket(): Promise<boolean> {
  const tk = sale.ticket;
  if (!tk || tk.lines.length === 0) return false;
  try {
    await call(commands.setTicketParked(tk.id, true));
    sale.ticket = null;
    toast(t("ticket.parked"), "info", 2500);
    return true;
  } catch (e) {
    showError(e);
    return false;
  }
}

export async function discardTicket(): Promise<boolean> {
  const tk = sale.ticket;
  if (!tk) return false;
  try {
    await call(commands.discardTicket(tk.id));
    sale.ticket = null;
    return true;
  } catch (e) {
    ticketError(e, tk.id);
    return false;
  }
}

/** Resumes another of the member's own tickets; the current one is parked (or dropped when
 *  empty) first. (Someone else's is taken over: `takeOver`.) */
export async function resumeTicket(id: string, parked: boolean): Promise<boolean> {
  try {
    const cur = sale.ticket;
    if (cur && cur.id !== id) {
      if (cur.lines.length > 0) await call(commands.setTicketParked(cur.id, true));
      else await call(commands.discardTicket(cur.id));
      sale.ticket = null;
    }
    sale.ticket = parked ? await call(commands.setTicketParked(id, false)) : await call(commands.ticket(id));
    return true;
  } catch (e) {
    ticketError(e, id);
    return false;
  }
}
