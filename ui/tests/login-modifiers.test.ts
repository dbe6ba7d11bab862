import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import Login from "../src/features/login/Login.svelte";
import ModifierDialog from "../src/features/sell/ModifierDialog.svelte";
import { router } from "../src/stores/chrome.svelte";
import { session } from "../src/stores/session.svelte";
import { product, resetApp, ticket } from "./fixtures";
import { fail, routeIpc } from "./ipc";

describe("Login", () => {
  beforeEach(() => {
    resetApp("en");
    session.actor = null;
    router.reset("login");
    vi.mocked(invoke).mockReset();
  });

  it("signs in with the PIN pad and the keyboard, and shows attempts left", async () => {
    let tries = 0;
    routeIpc(invoke, {
      listStaff: () => [
        { id: "s1", name: "Sari", role: "cashier", active: true },
        { id: "s9", name: "Gone", role: "cashier", active: false },
      ],
      signIn: (_staffId, pin) => {
        tries++;
        if (pin !== "3333") fail({ kind: "wrong_pin", data: { attempts_left: 2 } });
        return { id: "s1", name: "Sari", role: "cashier" };
      },
      listTickets: () => [],
    });
    render(Login);
    await vi.waitFor(() => expect(screen.getAllByTestId("staff-tile")).toHaveLength(1));
    expect(screen.getByTestId("staff-tile")).toHaveTextContent(/^S\s*Sari\s*Cashier$/); // the role in the UI's language
    await fireEvent.click(screen.getByTestId("staff-tile"));
    for (const d of "1234") await fireEvent.click(screen.getByTestId(`pin-key-${d}`));
    await fireEvent.click(screen.getByTestId("pin-ok"));
    await vi.waitFor(() => expect(screen.getByTestId("login-error")).toHaveTextContent("Wrong PIN. 2 attempts left."));

    for (const d of "3334") await fireEvent.keyDown(window, { key: d });
    await fireEvent.keyDown(window, { key: "Backspace" });
    await fireEvent.keyDown(window, { key: "3" });
    await fireEvent.keyDown(window, { key: "Enter" });
    await vi.waitFor(() => expect(router.path).toBe("sell"));
    expect(tries).toBe(2);
    expect(vi.mocked(invoke).mock.calls.at(-1)?.[0]).toBe("list_tickets");
    expect(vi.mocked(invoke).mock.calls.find((c) => c[0] === "sign_in" && (c[1] as any).pin === "3333")).toBeTruthy();
    expect(session.actor?.name).toBe("Sari");
  });

  it("shows a lock-out", async () => {
    routeIpc(invoke, {
      listStaff: () => [{ id: "s1", name: "Sari", role: "cashier", active: true }],
      signIn: () => {
        fail({ kind: "locked_out", data: { until: "2026-11-21T05:30:00Z" } });
      },
    });
    render(Login);
    await vi.waitFor(() => screen.getByTestId("staff-tile"));
    await fireEvent.click(screen.getByTestId("staff-tile"));
    await fireEvent.click(screen.getByTestId("pin-key-1"));
    await fireEvent.click(screen.getByTestId("pin-ok"));
    await vi.waitFor(() => expect(screen.getByTestId("login-error")).toHaveTextContent(/Locked until \d\d:\d\d:\d\d/));
  });
});

describe("ModifierDialog", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
  });

  it("enforces min and max choices and adds the chosen options", async () => {
    routeIpc(invoke, {
      product: (id) =>
        product({
          id,
          name: "Kopi Susu",
          price: 30000,
          modifier_groups: [
            { id: "g1", name: "Size", min_choices: 1, max_choices: 1, options: [
              { id: "reg", name: "Regular", price_delta: 0 },
              { id: "lg", name: "Large", price_delta: 5000 },
            ] },
            { id: "g2", name: "Extras", min_choices: 0, max_choices: 2, options: [
              { id: "shot", name: "Extra shot", price_delta: 8000 },
              { id: "oat", name: "Oat milk", price_delta: 6000 },
              { id: "boba", name: "Boba", price_delta: 5000 },
            ] },
          ],
        }),
      openTicket: () => ticket([]),
      addToTicket: () => ticket([]),
    });
    const onclose = vi.fn();
    render(ModifierDialog, { productId: "p1", onclose });
    await vi.waitFor(() => screen.getByTestId("modifier-dialog"));
    await vi.waitFor(() => expect(screen.getAllByTestId("modifier-option")).toHaveLength(5));
    const opt = (name: string) => screen.getAllByTestId("modifier-option").find((x) => x.dataset.name === name)!;

    expect(screen.getByTestId("modifier-add")).toBeDisabled();
    expect(opt("Large")).toHaveTextContent("+Rp 5.000");
    await fireEvent.click(opt("Regular"));
    await fireEvent.click(opt("Large")); // radio: replaces Regular
    expect(opt("Regular")).toHaveAttribute("aria-checked", "false");
    expect(opt("Large")).toHaveAttribute("aria-checked", "true");
    expect(screen.getByTestId("modifier-add")).toBeEnabled();

    await fireEvent.click(opt("Extra shot"));
    await fireEvent.click(opt("Boba"));
    expect(opt("Oat milk")).toBeDisabled(); // max 2
    await fireEvent.click(opt("Oat milk"));
    expect(opt("Oat milk")).toHaveAttribute("aria-checked", "false");

    await fireEvent.input(screen.getByTestId("modifier-note"), { target: { value: "less ice" } });
    await fireEvent.click(screen.getByLabelText("+"));
    await fireEvent.click(screen.getByTestId("modifier-add"));
    await vi.waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(invoke).toHaveBeenCalledWith("add_to_ticket", {
      ticket: "t1",
      line: { product_id: "p1", modifier_ids: ["lg", "shot", "boba"], note: "less ice", quantity: 2 },
    });
  });
});
