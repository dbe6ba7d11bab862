/**
 * Members at the till: found as you type (the newest keystroke's answer wins), named on the
 * ticket with their tier, points and notes, added in a few seconds with the core's refusal
 * shown under the field it names.
 */
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Member_Serialize as Member, MemberInput, TicketMember } from "../src/bindings";
import MemberDialog from "../src/features/members/MemberDialog.svelte";
import ReviewDialog from "../src/features/members/ReviewDialog.svelte";
import ProductTile from "../src/features/sell/ProductTile.svelte";
import TicketPanel from "../src/features/sell/TicketPanel.svelte";
import { sale } from "../src/stores/ticket.svelte";
import { resetApp, ticket } from "./fixtures";
import { fail, routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

function member(p: Partial<Member> = {}): Member {
  return {
    id: "m1",
    number: "MEM-T01-000001",
    name: "Dewi Lestari",
    phone: "081234567890",
    email: null,
    birthday: null,
    address: "",
    notes: "Alergi kacang",
    active: true,
    referral_code: "DEWI7Q2K",
    referred_by: null,
    tier: "silver",
    points: 120,
    wallet: 50_000,
    points_owed: 0,
    wallet_owed: 0,
    visits: 4,
    spent: 240_000,
    last_visit: null,
    created_at: "2026-11-01T03:00:00Z",
    ...p,
  };
}

const onTicket = (m: Member): TicketMember => ({
  id: m.id, number: m.number, name: m.name, tier: m.tier, points: m.points, wallet: m.wallet, notes: m.notes, address: m.address,
  visits: m.visits, spent: m.spent,
});

const props = () => ({ onpay: vi.fn(), onpark: vi.fn(), ontickets: vi.fn(), ondiscard: vi.fn(), ondiscount: vi.fn() });

describe("a member on the ticket", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("finds a member as you type and names them on the ticket with tier, points and notes", async () => {
    const dewi = member();
    const asked: string[] = [];
    sale.ticket = ticket([]);
    routeIpc(invoke, {
      searchMembers: (text) => {
        asked.push(text);
        return text.toLowerCase().startsWith("de") ? [dewi, member({ id: "m2", name: "Desi", number: "MEM-T01-000002", tier: "bronze", points: 0 })] : [];
      },
      setTicketMember: (_t, m) => ({ ...ticket([]), member: m === dewi.id ? onTicket(dewi) : null }),
    });
    render(TicketPanel, props());
    await fireEvent.click(screen.getByTestId("ticket-member-add"));
    const dialog = await screen.findByTestId("member-dialog");
    await fireEvent.input(within(dialog).getByTestId("member-search"), { target: { value: "de" } });
    const results = await within(dialog).findAllByTestId("member-result");
    expect(results.map((r) => r.dataset.number)).toEqual(["MEM-T01-000001", "MEM-T01-000002"]);
    expect(results[0].textContent).toMatch(/Silver.*120 pts/);
    await fireEvent.click(results[0]);
    await vi.waitFor(() => expect(screen.queryByTestId("member-dialog")).toBeNull());
    expect(invoke).toHaveBeenCalledWith("set_ticket_member", { ticket: "t1", member: "m1" });
    const chip = screen.getByTestId("ticket-member-chip");
    expect(chip.textContent).toMatch(/Dewi Lestari\s*Silver\s*120 pts/);
    expect(screen.getByTestId("ticket-member-notes").textContent).toBe("⚠ Alergi kacang");
    await fireEvent.click(screen.getByTestId("ticket-member-remove"));
    await vi.waitFor(() => expect(screen.queryByTestId("ticket-member-chip")).toBeNull());
    expect(invoke).toHaveBeenCalledWith("set_ticket_member", { ticket: "t1", member: null });
    expect(asked).toContain("de");
  });

  it("shows the newest keystroke's answer, not an older one that answered late", async () => {
    let release: (v: Member[]) => void = () => {};
    routeIpc(invoke, {
      searchMembers: (text) =>
        text === "d" ? new Promise<Member[]>((r) => (release = r)) : [member({ name: "Dewi Lestari" })],
    });
    render(MemberDialog, { onpick: vi.fn(), onclose: vi.fn() });
    const input = screen.getByTestId("member-search");
    await fireEvent.input(input, { target: { value: "d" } });
    await fireEvent.input(input, { target: { value: "dewi" } });
    await vi.waitFor(() => expect(screen.getAllByTestId("member-result")).toHaveLength(1));
    release([member({ id: "m9", name: "Dodi", number: "MEM-T01-000009" })]);
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getAllByTestId("member-result").map((r) => r.dataset.number)).toEqual(["MEM-T01-000001"]);
  });

  it("adds a member from what was typed, and shows a refusal under its field", async () => {
    const sent: MemberInput[] = [];
    const onpick = vi.fn();
    routeIpc(invoke, {
      searchMembers: () => [],
      addMember: (m, referral) => {
        sent.push(m);
        expect(referral).toBe("");
        if (m.phone === "0812") return fail({ kind: "invalid", data: { field: "phone", rule: { rule: "phone_format" } } });
        return member({ name: m.name, phone: "081234567890", tier: "bronze", points: 0 });
      },
    });
    render(MemberDialog, { onpick, onclose: vi.fn() });
    await fireEvent.input(screen.getByTestId("member-search"), { target: { value: "Budi Santoso" } });
    expect(await screen.findByTestId("member-none")).toBeTruthy();
    await fireEvent.click(screen.getByTestId("member-new"));
    expect((screen.getByTestId("member-name") as HTMLInputElement).value).toBe("Budi Santoso");
    await fireEvent.input(screen.getByTestId("member-phone"), { target: { value: "0812" } });
    await fireEvent.click(screen.getByTestId("member-save"));
    expect((await screen.findByTestId("member-error-phone")).textContent).toMatch(/not a phone number/);
    expect(onpick).not.toHaveBeenCalled();
    await fireEvent.input(screen.getByTestId("member-phone"), { target: { value: "0812 3456 7890" } });
    await fireEvent.click(screen.getByTestId("member-save"));
    await vi.waitFor(() => expect(onpick).toHaveBeenCalledTimes(1));
    expect(sent.at(-1)).toEqual({ name: "Budi Santoso", phone: "0812 3456 7890", email: "", birthday: null, address: "", notes: "" });
  });
});

describe("a wallet top-up at the till", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("tops up with the chosen method, shows the core's refusal, then the new balance on the ticket", async () => {
    const dewi = member({ wallet: 0 });
    const sent: unknown[][] = [];
    let wallet = 0;
    sale.ticket = { ...ticket([]), member: onTicket(dewi) };
    routeIpc(invoke, {
      topUpWallet: (m, amount, method, reference) => {
        sent.push([m, amount, method, reference]);
        if (method === "qris" && !reference) return fail({ kind: "invalid", data: { field: "reference", rule: { rule: "required" } } });
        wallet += amount;
        return member({ wallet });
      },
      setTicketMember: () => ({ ...ticket([]), member: onTicket(member({ wallet })) }),
    });
    render(TicketPanel, props());
    expect(screen.getByTestId("ticket-member-wallet").textContent).toMatch(/Rp 0/);
    await fireEvent.click(screen.getByTestId("ticket-member-top-up"));
    const dialog = await screen.findByTestId("top-up-dialog");
    await fireEvent.click(within(dialog).getByTestId("top-up-qris"));
    await fireEvent.click(within(dialog).getByTestId("top-up-quick-100000"));
    await fireEvent.click(within(dialog).getByTestId("top-up-save"));
    expect((await within(dialog).findByTestId("top-up-error")).textContent).toMatch(/Reference/);
    await fireEvent.click(within(dialog).getByTestId("top-up-cash"));
    await fireEvent.click(within(dialog).getByTestId("top-up-save"));
    await vi.waitFor(() => expect(screen.queryByTestId("top-up-dialog")).toBeNull());
    expect(sent).toEqual([
      ["m1", 100_000, "qris", null],
      ["m1", 100_000, "cash", null],
    ]);
    await vi.waitFor(() => expect(screen.getByTestId("ticket-member-wallet").textContent).toMatch(/Rp 100\.000/));
  });
});

describe("a member's review", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("reviews something they bought with stars and a comment, and shows the core's refusal", async () => {
    const sent: unknown[] = [];
    const ondone = vi.fn();
    routeIpc(invoke, {
      reviewableProducts: () => [
        { product_id: "p1", product_name: "Kopi Susu", rating: null },
        { product_id: "p2", product_name: "Croissant", rating: 3 },
      ],
      writeReview: (review, photo) => {
        sent.push([review, photo]);
        if (review.comment === "bad") return fail({ kind: "invalid", data: { field: "comment", rule: { rule: "control_characters" } } });
        return {
          id: "r1", member_id: "m1", member_name: "Dewi", product_id: review.product_id, product_name: "Croissant",
          rating: review.rating, comment: review.comment, image_id: null, hidden: false, updated_at: "2026-11-21T05:00:00Z",
        };
      },
    });
    render(ReviewDialog, { member: { id: "m1", name: "Dewi" }, onclose: vi.fn(), ondone });
    const products = await screen.findAllByTestId("review-product");
    expect(products.map((p) => p.textContent)).toEqual(["Kopi Susu", "Croissant · ★★★"]);
    await fireEvent.click(screen.getByTestId("review-save"));
    expect(screen.getByTestId("review-error").textContent).toBe("Choose 1 to 5 stars.");
    expect(sent).toEqual([]);
    // The croissant already has her 3 stars: she gives 5 now.
    await fireEvent.click(products[1]);
    expect(screen.getByTestId("review-star-3").getAttribute("aria-checked")).toBe("true");
    await fireEvent.click(screen.getByTestId("review-star-5"));
    await fireEvent.input(screen.getByTestId("review-comment"), { target: { value: "bad" } });
    await fireEvent.click(screen.getByTestId("review-save"));
    expect((await screen.findByTestId("review-error")).textContent).toMatch(/Comment/);
    await fireEvent.input(screen.getByTestId("review-comment"), { target: { value: "Renyah" } });
    await fireEvent.click(screen.getByTestId("review-save"));
    await vi.waitFor(() => expect(ondone).toHaveBeenCalledTimes(1));
    expect(sent.at(-1)).toEqual([{ member_id: "m1", product_id: "p2", rating: 5, comment: "Renyah" }, null]);
  });

  it("shows a product's average rating on its tile, and none without ratings", () => {
    const base = {
      id: "p1", category_id: "c1", name: "Kopi Susu", price: 25_000, stock: null, stock_level: "untracked" as const,
      available: true, active: true, barcode: null, popularity: 0, image_id: null, has_modifiers: false, featured: false,
    };
    render(ProductTile, { card: { ...base, rating_total: 9, ratings: 2 }, onpick: vi.fn() });
    expect(screen.getByTestId("tile-rating").textContent).toMatch(/★ 4\.5\s*\(2\)/);
    document.body.innerHTML = "";
    render(ProductTile, { card: { ...base, rating_total: 0, ratings: 0 }, onpick: vi.fn() });
    expect(screen.queryByTestId("tile-rating")).toBeNull();
  });
});
