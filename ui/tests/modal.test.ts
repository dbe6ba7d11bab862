import { fireEvent, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import ConfirmDialog from "../src/kit/ConfirmDialog.svelte";
import { resetApp } from "./fixtures";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

describe("dialogs keep focus inside", () => {
  beforeEach(() => resetApp("en"));

  it("wraps Tab and Shift+Tab within the dialog and gives focus back on close", async () => {
    const opener = document.createElement("button");
    opener.textContent = "Pay";
    document.body.appendChild(opener);
    opener.focus();
    const onclose = vi.fn();
    const { unmount } = render(ConfirmDialog, {
      title: "Cancel order?",
      message: "Stock comes back.",
      confirmLabel: "Yes",
      onconfirm: () => {},
      onclose,
    });
    const dialog = screen.getByTestId("confirm-dialog");
    const buttons = [...dialog.querySelectorAll("button")];
    const [close, , yes] = buttons; // ✕, Cancel, Yes
    expect(document.activeElement).toHaveTextContent("Cancel"); // data-autofocus

    yes.focus();
    await fireEvent.keyDown(window, { key: "Tab" });
    expect(document.activeElement).toBe(close);
    await fireEvent.keyDown(window, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(yes);

    opener.focus(); // focus escaped somehow (a click behind): Tab brings it back in
    await fireEvent.keyDown(window, { key: "Tab" });
    expect(dialog.contains(document.activeElement)).toBe(true);

    await fireEvent.keyDown(window, { key: "Escape" });
    expect(onclose).toHaveBeenCalledOnce();
    unmount();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });

  it("does not take focus back from the dialog that replaced it", () => {
    const opener = document.createElement("button");
    document.body.appendChild(opener);
    opener.focus();
    const props = { message: "", confirmLabel: "Yes", onconfirm: () => {}, onclose: () => {} };
    const first = render(ConfirmDialog, { ...props, title: "Pay" });
    const second = render(ConfirmDialog, { ...props, title: "Receipt" }); // autofocuses its Cancel
    const focused = document.activeElement;
    expect(screen.getAllByTestId("confirm-dialog")[1].contains(focused)).toBe(true);
    first.unmount();
    expect(document.activeElement).toBe(focused);
    second.unmount();
    opener.remove();
  });
});

describe("dialogs over dialogs", () => {
  beforeEach(() => resetApp("en"));

  it("paints a dialog opened later above the one under it, wherever each is mounted", () => {
    const base = { message: "", confirmLabel: "OK", onconfirm: () => {}, onclose: () => {} };
    render(ConfirmDialog, { ...base, title: "Pay" });
    render(ConfirmDialog, { ...base, title: "Open a shift" });
    const [under, over] = screen.getAllByTestId("confirm-dialog").map((d) => Number((d.parentElement as HTMLElement).style.zIndex));
    expect(over).toBeGreaterThan(under);
  });
});
