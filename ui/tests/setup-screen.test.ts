import { beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
import { invoke } from "@tauri-apps/api/core";
import type { MoneyFormat, ShopSetup } from "../src/bindings";
import Setup from "../src/features/setup/Setup.svelte";
import { router } from "../src/stores/chrome.svelte";
import { fmt, session } from "../src/stores/session.svelte";
import { IDR, resetApp, setupOptions, status } from "./fixtures";
import { fail, routeIpc } from "./ipc";

const ADMIN = { id: "a1", name: "Dewi", role: "admin" } as const;

/** Mocks the first run; returns what `set_up_shop` received. */
function firstRun(money: MoneyFormat = { symbol: "Rp", spaced: true, group_separator: ".", decimal_separator: ",", minor_unit: 0 }) {
  const sent: ShopSetup[] = [];
  routeIpc(invoke, {
    setupOptions: () => setupOptions(),
    setUpShop: (setup) => {
      sent.push(setup);
      return ADMIN;
    },
    appStatus: () => status({ signed_in: ADMIN, money_format: money }),
    listTickets: () => [],
  });
  return sent;
}

async function fillIn() {
  await fireEvent.input(screen.getByTestId("setup-shop-name"), { target: { value: "Warung Dewi" } });
  await fireEvent.input(screen.getByTestId("setup-admin-name"), { target: { value: "Dewi" } });
  await fireEvent.input(screen.getByTestId("setup-pin"), { target: { value: "1357" } });
  await fireEvent.input(screen.getByTestId("setup-pin2"), { target: { value: "1357" } });
}

async function loaded() {
  await vi.waitFor(() => expect(screen.getByTestId("setup-currency")).toBeEnabled());
}

describe("Setup (first run)", () => {
  beforeEach(() => {
    resetApp("en");
    session.actor = null;
    router.reset("setup");
    vi.mocked(invoke).mockReset();
  });

  it("offers every currency the core knows, IDR first, and the machine's own time zone", async () => {
    firstRun();
    render(Setup);
    await loaded();
    const currency = screen.getByTestId<HTMLSelectElement>("setup-currency");
    expect([...currency.options].map((o) => o.textContent)).toEqual([
      "IDR — Indonesian rupiah",
      "USD — US dollar",
      "EUR — Euro",
      "JPY — Japanese yen",
    ]);
    expect(currency.value).toBe("IDR");
    expect(screen.getByTestId("setup-currency-IDR")).toBeInTheDocument();
    expect(screen.getByTestId("setup-currency-hint")).toHaveTextContent("Written Rp, in whole amounts (no decimals).");
    const zone = screen.getByTestId<HTMLSelectElement>("setup-time-zone");
    expect(zone.value).toBe("Asia/Makassar");
    expect([...zone.options].map((o) => o.value)).toEqual(setupOptions().time_zones);
    expect(within(zone).getByRole("group", { name: "Asia" })).toBeInTheDocument();
    // The demo stays one tap away.
    expect(screen.getByTestId("setup-demo")).toBeEnabled();
  });

  it("sends IDR's minor unit and locale by default, then formats with the core's money format", async () => {
    const sent = firstRun();
    render(Setup);
    await loaded();
    await fillIn();
    await fireEvent.click(screen.getByTestId("setup-submit"));
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toEqual({
      shop_name: "Warung Dewi",
      currency: "IDR",
      minor_unit: 0,
      locale: "id-ID",
      time_zone: "Asia/Makassar",
      admin_name: "Dewi",
      pin: "1357",
    });
    await vi.waitFor(() => expect(router.path).toBe("sell"));
    expect(session.actor).toEqual(ADMIN);
  });

  it("takes the minor unit and locale from the chosen currency (JPY)", async () => {
    const yen: MoneyFormat = { symbol: "¥", spaced: false, group_separator: ",", decimal_separator: ".", minor_unit: 0 };
    const sent = firstRun(yen);
    const user = userEvent.setup();
    render(Setup);
    await loaded();
    await user.selectOptions(screen.getByTestId("setup-currency"), "JPY");
    expect(screen.getByTestId("setup-currency-hint")).toHaveTextContent("Written ¥, in whole amounts");
    await user.selectOptions(screen.getByTestId("setup-time-zone"), "Asia/Tokyo");
    await fillIn();
    await fireEvent.click(screen.getByTestId("setup-submit"));
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toMatchObject({ currency: "JPY", minor_unit: 0, locale: "ja-JP", time_zone: "Asia/Tokyo" });
    // After setup the till writes money as the core says.
    await vi.waitFor(() => expect(router.path).toBe("sell"));
    expect(fmt(28900)).toBe("¥28,900");
  });

  it("takes the minor unit and locale from the chosen currency (USD, EUR)", async () => {
    const sent = firstRun();
    const user = userEvent.setup();
    render(Setup);
    await loaded();
    await user.selectOptions(screen.getByTestId("setup-currency"), "USD");
    expect(screen.getByTestId("setup-currency-hint")).toHaveTextContent("Written $, with 2 digits after the decimal point.");
    await fillIn();
    await fireEvent.click(screen.getByTestId("setup-submit"));
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toMatchObject({ currency: "USD", minor_unit: 2, locale: "en-US", time_zone: "Asia/Makassar" });

    await user.selectOptions(screen.getByTestId("setup-currency"), "EUR");
    await fireEvent.click(screen.getByTestId("setup-submit"));
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]).toMatchObject({ currency: "EUR", minor_unit: 2, locale: "de-DE" });
  });

  it("sends whatever the core says about a currency, not a table of its own", async () => {
    const sent: ShopSetup[] = [];
    routeIpc(invoke, {
      setupOptions: () =>
        setupOptions({
          currencies: [{ code: "XTS", name: "Testing code", symbol: "T", spaced: true, minor_unit: 3, locale: "xx-XX" }],
          time_zones: ["Etc/GMT-7"],
          suggested_time_zone: "Etc/GMT-7",
        }),
      setUpShop: (setup) => {
        sent.push(setup);
        return ADMIN;
      },
      appStatus: () => status({ signed_in: ADMIN, settings: IDR }),
      listTickets: () => [],
    });
    render(Setup);
    await loaded();
    expect(screen.getByTestId<HTMLSelectElement>("setup-currency").value).toBe("XTS");
    await fillIn();
    await fireEvent.click(screen.getByTestId("setup-submit"));
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toMatchObject({ currency: "XTS", minor_unit: 3, locale: "xx-XX", time_zone: "Etc/GMT-7" });
  });

  it("falls back to the first time zone when the machine's is not offered", async () => {
    routeIpc(invoke, { setupOptions: () => setupOptions({ suggested_time_zone: "Mars/Olympus_Mons" }) });
    render(Setup);
    await loaded();
    expect(screen.getByTestId<HTMLSelectElement>("setup-time-zone").value).toBe("America/New_York");
  });

  it("says when the options cannot be loaded, keeps the demo, and tries again", async () => {
    let calls = 0;
    routeIpc(invoke, {
      setupOptions: () => {
        calls++;
        if (calls === 1) fail({ kind: "internal", data: { message: "disk on fire" } });
        return setupOptions();
      },
    });
    render(Setup);
    await vi.waitFor(() => expect(screen.getByTestId("setup-options-error")).toBeInTheDocument());
    expect(screen.getByTestId("setup-submit")).toBeDisabled();
    expect(screen.getByTestId("setup-demo")).toBeEnabled();
    await fireEvent.click(screen.getByTestId("setup-options-retry"));
    await loaded();
    expect(screen.queryByTestId("setup-options-error")).toBeNull();
    expect(screen.getByTestId("setup-submit")).toBeEnabled();
  });

  it("reads Indonesian", async () => {
    resetApp("id");
    router.reset("setup");
    firstRun();
    render(Setup);
    await loaded();
    expect(screen.getByText("Mata uang")).toBeInTheDocument();
    expect(screen.getByText("Zona waktu")).toBeInTheDocument();
    expect(screen.getByTestId("setup-currency-hint")).toHaveTextContent("Ditulis Rp, tanpa angka desimal.");
  });
});
