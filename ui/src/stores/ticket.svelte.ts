/**
 * The sale in progress: the current ticket and the actions that change it through the
 * backend. Totals always come from the backend's answer; each error is shown as a toast.
 */
import {
  commands,
  type AddLine,
  type Discount,
  type OrderType,
  type ProductCard_Serialize,
  type Ticket_Serialize,
} from "../bindings";
import { call } from "../lib/api";
import { withApproval } from "./approval.svelte";
import { showError, t, toast } from "./chrome.svelte";

export const sale = $state({
  ticket: null as Ticket_Serialize | null,
  /** The product whose options the cashier is choosing (the sell screen shows the chooser). */
  choosing: null as string | null,
});

let opening: Promise<Ticket_Serialize> | null = null;

/** Forgets the current ticket here (it stays open in the backend) and any options being chosen. */
export function clearTicket(): void {
  sale.ticket = null;
  sale.choosing = null;
}

/** Shows the newest open (not parked) ticket, if there is one; throws the backend's error. */
export async function resumeNewestTicket(): Promise<void> {
  const tickets = await call(commands.listTickets());
  const open = tickets
    .filter((x) => !x.parked)
    .sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0));
  if (open.length > 0) sale.ticket = await call(commands.ticket(open[0].id));
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
    showError(e);
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
    showError(e);
    return false;
  }
}

/** Resumes another ticket; the current one is parked (or dropped when empty) first. */
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
    showError(e);
    return false;
  }
}
