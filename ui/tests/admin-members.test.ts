/**
 * Members in admin mode: the programme's figures, the table with what the core is asked
 * (search, tier, status, joined, sort, pages), a member's page (details saved, a refusal under
 * its field, points corrected with a reason, deactivation), and the loyalty settings form.
 */
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { LoyaltySettings, Member_Serialize as Member, MemberQuery } from "../src/bindings";
import MemberPage from "../src/features/members/MemberPage.svelte";
import Members from "../src/features/members/Members.svelte";
import LoyaltySettingsForm from "../src/features/members/LoyaltySettings.svelte";
import { session } from "../src/stores/session.svelte";
import { resetApp } from "./fixtures";
import { fail, routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

function member(p: Partial<Member> = {}): Member {
  return {
    id: "m1", number: "MEM-T01-000001", name: "Dewi Lestari", phone: "081234567890", email: null, birthday: null,
    address: "", notes: "", active: true, referral_code: "DEWI7Q2K", referred_by: null, tier: "silver", points: 120,
    wallet: 50_000, points_owed: 0, wallet_owed: 0, visits: 4, spent: 240_000, last_visit: null, created_at: "2026-11-01T03:00:00Z", ...p,
  };
}

const SETTINGS: LoyaltySettings = {
  earn_per_amount: 10_000, point_value: 100, tier_window_months: 12, silver_from: 500, gold_from: 2000, platinum_from: 5000,
  bronze_percent: 100, silver_percent: 125, gold_percent: 150, platinum_percent: 200, expiry_months: 12,
  referral_new_points: 50, referral_giver_points: 100,
  regular_orders: 3, regular_spent: 1_000_000, vip_orders: 10, vip_spent: 10_000_000, expiry_notice_days: 7, offline_points_limit: 500, offline_wallet_limit: 100_000,
};

describe("members in admin mode", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("shows the figures and asks the core for exactly the filtered, sorted page", async () => {
    const asked: MemberQuery[] = [];
    routeIpc(invoke, {
      memberStats: () => ({
        per_tier: [
          { tier: "bronze", members: 30 }, { tier: "silver", members: 8 }, { tier: "gold", members: 2 }, { tier: "platinum", members: 0 },
        ],
        active: 40, inactive: 3, visited_30_days: 12, points_outstanding: 9_870, wallets_outstanding: 1_250_000,
      }),
      listMembers: (q) => {
        asked.push(q);
        return { members: [member(), member({ id: "m2", number: "MEM-T01-000002", name: "Budi", active: false })], total: 120 };
      },
    });
    render(Members);
    expect((await screen.findByTestId("stat-active")).textContent).toBe("40");
    expect(screen.getByTestId("stat-points").textContent).toBe("9870");
    const rows = await screen.findAllByTestId("member-row");
    expect(rows.map((r) => r.dataset.number)).toEqual(["MEM-T01-000001", "MEM-T01-000002"]);
    expect(screen.getByTestId("members-total").textContent).toBe("120 members");
    await fireEvent.input(screen.getByTestId("members-search"), { target: { value: "dew" } });
    await fireEvent.change(screen.getByTestId("members-tier"), { target: { value: "silver" } });
    await fireEvent.change(screen.getByTestId("members-sort"), { target: { value: "points" } });
    await vi.waitFor(() => expect(asked.at(-1)).toMatchObject({ text: "dew", tier: "silver", sort: "points", active: true, offset: 0, limit: 50 }));
    await fireEvent.click(screen.getByTestId("members-next"));
    await vi.waitFor(() => expect(asked.at(-1)?.offset).toBe(50));
    await fireEvent.change(screen.getByTestId("members-active"), { target: { value: "all" } });
    await vi.waitFor(() => expect(asked.at(-1)).toMatchObject({ active: null, offset: 0 }));
  });

  it("saves a member's details, shows a refusal under its field, corrects points and deactivates", async () => {
    let current = member();
    const adjusted: unknown[] = [];
    routeIpc(invoke, {
      getMember: () => current,
      pointsHistory: () => [{ id: "e1", kind: "earn", points: 9, order_id: "o1", receipt_no: "T01-000009", reason: "", staff_name: "Sari", at: "2026-11-20T03:00:00Z" }],
      walletHistory: () => [{ id: "w1", kind: "top_up", amount: 50_000, method: "cash", reference: null, order_id: null, receipt_no: null, reason: "", staff_name: "Sari", at: "2026-11-20T03:00:00Z" }],
      memberOrders: () => [{ id: "o1", receipt_no: "T01-000009", status: "completed", total: 92_400, refunded: 0, created_at: "2026-11-20T03:00:00Z" }],
      updateMember: (_id, m) => {
        if (m.email === "dewi@") return fail({ kind: "invalid", data: { field: "email", rule: { rule: "email_format" } } });
        current = member({ name: m.name, email: m.email || null });
        return current;
      },
      adjustPoints: (_id, points, reason) => {
        adjusted.push([points, reason]);
        current = member({ points: current.points + points });
        return current;
      },
      setMemberActive: (_id, active) => (current = member({ active })),
    });
    render(MemberPage, { id: "m1", onclose: vi.fn() });
    const page = await screen.findByTestId("member-page");
    await vi.waitFor(() => expect(within(page).getByTestId("points-history").textContent).toMatch(/Earned · T01-000009\s*\+9/));
    expect(within(page).getByTestId("wallet-history").textContent).toMatch(/Top-up · Cash/);
    expect(within(page).getByTestId("member-orders").textContent).toMatch(/T01-000009/);
    await fireEvent.input(within(page).getByTestId("page-email"), { target: { value: "dewi@" } });
    await fireEvent.click(within(page).getByTestId("page-save"));
    expect((await within(page).findByTestId("page-error-email")).textContent).toMatch(/email/);
    await fireEvent.input(within(page).getByTestId("page-email"), { target: { value: "dewi@example.com" } });
    await fireEvent.click(within(page).getByTestId("page-save"));
    await vi.waitFor(() => expect(within(page).queryByTestId("page-error-email")).toBeNull());

    await fireEvent.input(within(page).getByTestId("adjust-points"), { target: { value: "1.5" } });
    await fireEvent.click(within(page).getByTestId("adjust-save"));
    expect(within(page).getByTestId("adjust-error").textContent).toMatch(/whole number/);
    await fireEvent.input(within(page).getByTestId("adjust-points"), { target: { value: "-20" } });
    await fireEvent.input(within(page).getByTestId("adjust-reason"), { target: { value: "Koreksi" } });
    await fireEvent.click(within(page).getByTestId("adjust-save"));
    await vi.waitFor(() => expect(adjusted).toEqual([[-20, "Koreksi"]]));
    await vi.waitFor(() => expect(within(page).getByTestId("page-points").textContent).toMatch(/100/));
    await fireEvent.click(within(page).getByTestId("member-deactivate"));
    expect(await within(page).findByTestId("page-inactive")).toBeTruthy();
  });

  it("saves the loyalty settings an admin changes, and shows the core's refusal", async () => {
    session.actor = { ...session.actor!, role: "admin" };
    const saved: LoyaltySettings[] = [];
    routeIpc(invoke, {
      loyaltySettings: () => SETTINGS,
      setLoyaltySettings: (s) => {
        saved.push(s);
        if (s.gold_from <= s.silver_from) return fail({ kind: "invalid", data: { field: "tiers", rule: { rule: "tiers_out_of_order" } } });
        return s;
      },
    });
    const onclose = vi.fn();
    render(LoyaltySettingsForm, { onclose });
    const gold = await screen.findByTestId("loyalty-gold_from");
    await fireEvent.input(gold, { target: { value: "400" } });
    await fireEvent.click(screen.getByTestId("loyalty-save"));
    expect((await screen.findByTestId("loyalty-error")).textContent).toMatch(/silver to gold to platinum/);
    await fireEvent.input(gold, { target: { value: "2500" } });
    // What a till may spend of a member's balances while it cannot reach its server.
    await fireEvent.input(screen.getByTestId("loyalty-offline_wallet_limit"), { target: { value: "25000" } });
    await fireEvent.input(screen.getByTestId("loyalty-offline_points_limit"), { target: { value: "0" } });
    await fireEvent.click(screen.getByTestId("loyalty-save"));
    await vi.waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(saved.at(-1)).toEqual({ ...SETTINGS, gold_from: 2500, offline_wallet_limit: 25_000, offline_points_limit: 0 });
  });

  it("says what a member owes after two tills apart spent the same balance, and nothing when she owes none", async () => {
    let current = member({ points: 0, points_owed: 150, wallet: 0, wallet_owed: 30_000 });
    routeIpc(invoke, {
      getMember: () => current,
      pointsHistory: () => [],
      walletHistory: () => [],
      memberOrders: () => [],
    });
    const { unmount } = render(MemberPage, { id: "m1", onclose: vi.fn() });
    const owed = await screen.findByTestId("page-owed");
    expect(owed.textContent).toMatch(/owes 150 points · owes Rp\s?30\.000/);
    expect(owed.getAttribute("title")).toMatch(/two tills/);
    unmount();
    current = member();
    render(MemberPage, { id: "m1", onclose: vi.fn() });
    await screen.findByTestId("page-points");
    expect(screen.queryByTestId("page-owed")).toBeNull();
  });
});
