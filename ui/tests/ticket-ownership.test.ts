/**
 * A ticket belongs to the member serving it (issue 8, item 2). When the till locks (by hand or
 * by itself) or another member signs in, the ticket on screen is parked for its owner and the
 * next member starts afresh; its owner gets it back when they sign in again; taking over
 * someone's ticket is an explicit, confirmed action (the core records it).
 *
 * The backend here is a small in-memory stand-in that keeps the core's rules: only the owner
 * changes, resumes or pays a ticket; anyone may park it; take-over makes it the caller's.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import type { Actor, Ticket_Serialize } from "../src/bindings";
import App from "../src/App.svelte";
import { chrome, router } from "../src/stores/chrome.svelte";
import { session, setAutoLock } from "../src/stores/session.svelte";
import { sale } from "../src/stores/ticket.svelte";
import { line, order, receiptView, resetApp, status, ticket } from "./fixtures";
import { fail, routeIpc } from "./ipc";

const SARI: Actor = { id: "s1", name: "Sari", role: "cashier" };
const BUDI: Actor = { id: "s2", name: "Budi", role: "cashier" };
const STAFF = [SARI, BUDI];
const PINS: Record<string, string> = { s1: "1111", s2: "2222" };

const croissant = line({
  id: "l1",
  product_name: "Croissant",
  unit_price: 18000,
  totals: { gross: 18000, line_discount: 0, order_discount: 0, service: 0, tax: 0, total: 18000 },
});

function serving(who: Actor, p: Partial<Ticket_Serialize> & { id: string }): Ticket_Serialize {
  return { ...ticket([croissant], { gross: 18000, subtotal: 18000, total: 18000 }), staff_id: who.id, staff_name: who.name, ...p };
}

/** The backend: who is signed in and the open tickets, by the core's ownership rules. */
function backend(signedIn: Actor | null, tickets: Ticket_Serialize[]) {
  const db = {
    actor: signedIn,
    tickets: new Map(tickets.map((x) => [x.id, x])),
    clock: 0,
    /** Who each sale was recorded for. */
    sellers: [] as string[],
  };
  const touch = (x: Ticket_Serialize, p: Partial<Ticket_Serialize> = {}) => {
    const next = { ...x, ...p, created_at: `2026-11-21T05:${String(++db.clock).padStart(2, "0")}:00Z` };
    db.tickets.set(x.id, next);
    return next;
  };
  const own = (id: string) => {
    const x = db.tickets.get(id) ?? fail({ kind: "not_found", data: { entity: "ticket" } });
    if (!db.actor) fail({ kind: "signed_out" });
    if (x.staff_id !== db.actor.id) fail({ kind: "ticket_of_another", data: { owner: x.staff_name } });
    return x;
  };
  routeIpc(invoke, {
    appStatus: () => status({ signed_in: db.actor }),
    listCategories: () => [],
    listProducts: () => [],
    ordersToday: () => [],
    listStaff: () => STAFF.map((s) => ({ ...s, active: true })),
    signIn: (staffId, pin) => {
      if (PINS[staffId] !== pin) fail({ kind: "wrong_pin", data: { attempts_left: 4 } });
      db.actor = STAFF.find((s) => s.id === staffId)!;
      return db.actor;
    },
    signOut: () => {
      db.actor = null;
      return null;
    },
    listTickets: () =>
      [...db.tickets.values()].map((x) => ({
        id: x.id, order_type: x.order_type, label: x.label, parked: x.parked, staff_id: x.staff_id, staff_name: x.staff_name,
        items: x.lines.reduce((n, l) => n + l.quantity, 0), updated_at: x.created_at,
      })),
    ticket: (id) => db.tickets.get(id) ?? fail({ kind: "not_found", data: { entity: "ticket" } }),
    setTicketParked: (id, parked) => {
      const x = parked ? db.tickets.get(id)! : own(id);
      return touch(x, { parked });
    },
    takeOverTicket: (id) => touch(db.tickets.get(id)!, { staff_id: db.actor!.id, staff_name: db.actor!.name, parked: false }),
    discardTicket: (id) => {
      own(id);
      db.tickets.delete(id);
      return null;
    },
    setLineQuantity: (id, _line, quantity) => touch(own(id), { lines: [{ ...croissant, quantity }] }),
    checkout: (id) => {
      const x = own(id);
      db.tickets.delete(id);
      db.sellers.push(x.staff_name);
      return order({ id: "o1", staff_id: x.staff_id, staff_name: x.staff_name, total: x.totals.total, paid: x.totals.total });
    },
    receipt: (id) => receiptView(order({ id }), "Kopi Kasir"),
  });
  return db;
}

const calls = () => vi.mocked(invoke).mock.calls.map(([cmd, args]) => [cmd, args as Record<string, unknown> | undefined] as const);
const lines = () => screen.queryAllByTestId("ticket-line").map((l) => l.dataset.name);

async function signIn(who: Actor) {
  await vi.waitFor(() => expect(screen.getAllByTestId("staff-tile")).toHaveLength(2));
  await fireEvent.click(screen.getAllByTestId("staff-tile").find((x) => x.dataset.name === who.name)!);
  for (const d of PINS[who.id]) await fireEvent.click(screen.getByTestId(`pin-key-${d}`));
  await fireEvent.click(screen.getByTestId("pin-ok"));
  await vi.waitFor(() => expect(screen.getByTestId("cashier-name")).toHaveTextContent(who.name));
}

async function openTickets() {
  await fireEvent.click(screen.getByTestId("tickets-button"));
  const dialog = await screen.findByTestId("tickets-dialog");
  await vi.waitFor(() => expect(within(dialog).queryAllByTestId("parked-ticket").length).toBeGreaterThan(0));
  return dialog;
}

describe("a ticket belongs to the member serving it", () => {
  beforeEach(() => {
    resetApp("en");
    localStorage.clear();
    localStorage.setItem("kasir.lang", "en");
    session.actor = null;
    vi.mocked(invoke).mockReset();
  });

  it("is parked for its owner at the lock; the next member starts afresh, sees whose it is and takes it over explicitly", async () => {
    const db = backend(SARI, [serving(SARI, { id: "t1", label: "Meja 4" })]);
    render(App);
    await vi.waitFor(() => expect(lines()).toEqual(["Croissant"]));

    await fireEvent.click(screen.getByTestId("lock-button"));
    await vi.waitFor(() => expect(router.path).toBe("login"));
    // Parked while Sari was still signed in, then signed out.
    const parkedAt = calls().findIndex(([c, a]) => c === "set_ticket_parked" && a?.id === "t1" && a?.parked === true);
    expect(parkedAt).toBeGreaterThanOrEqual(0);
    expect(calls().findIndex(([c]) => c === "sign_out")).toBeGreaterThan(parkedAt);
    expect(db.tickets.get("t1")).toMatchObject({ parked: true, staff_id: "s1" });

    await signIn(BUDI);
    expect(lines()).toEqual([]);
    expect(screen.getByText("Tap a product to start a sale.")).toBeInTheDocument();
    expect(sale.ticket).toBeNull();
    expect(db.tickets.get("t1")).toMatchObject({ parked: true, staff_id: "s1" });

    const dialog = await openTickets();
    const row = within(dialog).getByTestId("parked-ticket");
    expect(row).toHaveAttribute("data-label", "Meja 4");
    expect(within(row).getByTestId("ticket-owner")).toHaveTextContent("Served by Sari");
    expect(row).toHaveTextContent("Parked");
    expect(within(row).queryByTestId("resume-ticket")).toBeNull();

    // Choosing it asks first; "Cancel" leaves it Sari's.
    await fireEvent.click(within(row).getByTestId("take-over-ticket"));
    let confirm = await screen.findByTestId("confirm-dialog");
    expect(confirm).toHaveTextContent("Take over Sari's ticket?");
    await fireEvent.click(within(confirm).getByText("Cancel"));
    await vi.waitFor(() => expect(screen.queryByTestId("confirm-dialog")).toBeNull());
    expect(calls().some(([c]) => c === "take_over_ticket")).toBe(false);
    expect(screen.getByTestId("tickets-dialog")).toBeInTheDocument();

    await fireEvent.click(within(row).getByTestId("take-over-ticket"));
    confirm = await screen.findByTestId("confirm-dialog");
    await fireEvent.click(within(confirm).getByTestId("confirm-yes"));
    await vi.waitFor(() => expect(lines()).toEqual(["Croissant"]));
    expect(calls().filter(([c]) => c === "take_over_ticket")).toEqual([["take_over_ticket", { id: "t1" }]]);
    expect(sale.ticket).toMatchObject({ id: "t1", staff_id: "s2", parked: false });
    expect(screen.queryByTestId("tickets-dialog")).toBeNull();
    expect(screen.getByTestId("ticket-label")).toHaveValue("Meja 4");
  });

  it("comes back to its owner when they sign in again, who is told of their other parked tickets", async () => {
    const db = backend(SARI, [
      serving(SARI, { id: "t1", label: "Meja 4", created_at: "2026-11-21T04:00:00Z" }),
      serving(SARI, { id: "t2", label: "Meja 9", parked: true, created_at: "2026-11-21T03:00:00Z" }),
    ]);
    render(App);
    await vi.waitFor(() => expect(sale.ticket?.id).toBe("t1"));
    await fireEvent.keyDown(window, { key: "l", ctrlKey: true });
    await vi.waitFor(() => expect(router.path).toBe("login"));
    expect(db.tickets.get("t1")?.parked).toBe(true);

    chrome.toasts = [];
    await signIn(SARI);
    await vi.waitFor(() => expect(sale.ticket?.id).toBe("t1"));
    expect(db.tickets.get("t1")?.parked).toBe(false);
    expect(screen.getByTestId("ticket-label")).toHaveValue("Meja 4");
    expect(chrome.toasts.map((x) => x.text)).toEqual(["Your parked tickets are waiting in Open tickets (F9): 1."]);
    // Meja 9, which she parked herself, stays parked until she resumes it.
    expect(db.tickets.get("t2")?.parked).toBe(true);
  });

  it("left open by someone else (the till closed without a lock) is parked for them at sign-in", async () => {
    const db = backend(BUDI, [serving(SARI, { id: "t1", label: "Meja 4" })]);
    render(App);
    await vi.waitFor(() => expect(db.tickets.get("t1")?.parked).toBe(true));
    expect(sale.ticket).toBeNull();
    expect(db.tickets.get("t1")?.staff_id).toBe("s1");
    expect(calls().some(([c]) => c === "ticket")).toBe(false);
  });

  it("offers the take-over when the core answers ticket_of_another, and opens it taken over", async () => {
    const db = backend(BUDI, []);
    render(App);
    await vi.waitFor(() => expect(screen.getByTestId("cashier-name")).toHaveTextContent("Budi"));
    // A ticket on screen that Sari serves (taken back by her on another sign-in, say).
    db.tickets.set("t1", serving(SARI, { id: "t1" }));
    sale.ticket = db.tickets.get("t1")!;
    await vi.waitFor(() => expect(lines()).toEqual(["Croissant"]));

    await fireEvent.click(screen.getByTestId("line-plus"));
    const confirm = await screen.findByTestId("confirm-dialog");
    expect(confirm).toHaveTextContent("Take over Sari's ticket?");
    expect(confirm).toHaveTextContent("Sari is serving this ticket.");
    await fireEvent.click(within(confirm).getByTestId("confirm-yes"));
    await vi.waitFor(() => expect(sale.ticket?.staff_id).toBe("s2"));
    expect(calls().filter(([c]) => c === "take_over_ticket")).toEqual([["take_over_ticket", { id: "t1" }]]);
    // Now Budi's to change.
    await fireEvent.click(screen.getByTestId("line-plus"));
    await vi.waitFor(() => expect(screen.getByTestId("line-qty")).toHaveTextContent(/^2$/));
  });
});

describe("paying someone else's ticket", () => {
  beforeEach(() => {
    resetApp("en");
    localStorage.clear();
    localStorage.setItem("kasir.lang", "en");
    session.actor = null;
    vi.mocked(invoke).mockReset();
  });

  it("offers the take-over, and the sale is then recorded for the one who took it", async () => {
    const db = backend(BUDI, []);
    render(App);
    await vi.waitFor(() => expect(screen.getByTestId("cashier-name")).toHaveTextContent("Budi"));
    db.tickets.set("t1", serving(SARI, { id: "t1" }));
    sale.ticket = db.tickets.get("t1")!;
    await vi.waitFor(() => expect(lines()).toEqual(["Croissant"]));

    await fireEvent.click(screen.getByTestId("pay-button"));
    const pay = await screen.findByTestId("pay-dialog");
    await fireEvent.click(within(pay).getByTestId("confirm-payment"));
    await vi.waitFor(() => expect(within(pay).getByTestId("pay-error")).toHaveTextContent("Sari is serving this ticket"));
    const confirm = await screen.findByTestId("confirm-dialog");
    expect(confirm).toHaveTextContent("Take over Sari's ticket?");
    await fireEvent.click(within(confirm).getByTestId("confirm-yes"));
    await vi.waitFor(() => expect(sale.ticket?.staff_id).toBe("s2"));
    await vi.waitFor(() => expect(within(pay).getByTestId("pay-error")).not.toBeVisible());

    await fireEvent.click(within(pay).getByTestId("confirm-payment"));
    await vi.waitFor(() => expect(screen.getByTestId("receipt-dialog")).toBeInTheDocument());
    expect(calls().filter(([c]) => c === "checkout")).toHaveLength(2);
    expect(calls().filter(([c]) => c === "take_over_ticket")).toEqual([["take_over_ticket", { id: "t1" }]]);
    expect(db.sellers).toEqual(["Budi"]);
  });
});

describe("the auto-lock", () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    resetApp("en");
    localStorage.clear();
    localStorage.setItem("kasir.lang", "en");
    session.actor = null;
    vi.mocked(invoke).mockReset();
  });
  afterEach(() => vi.useRealTimers());

  it("parks the ticket on screen for its owner too, and the next member starts afresh", async () => {
    setAutoLock(1);
    const db = backend(SARI, [serving(SARI, { id: "t1" })]);
    render(App);
    await vi.waitFor(() => expect(lines()).toEqual(["Croissant"]));
    await vi.advanceTimersByTimeAsync(70_000);
    await vi.waitFor(() => expect(router.path).toBe("login"));
    expect(db.tickets.get("t1")).toMatchObject({ parked: true, staff_id: "s1" });
    await signIn(BUDI);
    expect(lines()).toEqual([]);
    expect(db.tickets.get("t1")).toMatchObject({ parked: true, staff_id: "s1" });
  });
});
