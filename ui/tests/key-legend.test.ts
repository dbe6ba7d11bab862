import { render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it } from "vitest";
import KeyLegend from "../src/features/shell/KeyLegend.svelte";
import { router } from "../src/stores/chrome.svelte";
import { resetApp } from "./fixtures";

describe("KeyLegend", () => {
  beforeEach(() => resetApp("en"));

  it("shows the selling keys on the sell screen", () => {
    router.reset("sell");
    render(KeyLegend);
    const legend = screen.getByTestId("key-legend");
    expect(legend).toHaveTextContent("F4 pay");
    expect(legend).toHaveTextContent("F8 orders");
  });

  it("shows only the board's own keys on the orders board", async () => {
    router.reset("board");
    render(KeyLegend);
    const legend = screen.getByTestId("key-legend");
    expect(legend).toHaveTextContent("F8 sell");
    expect(legend).toHaveTextContent("Esc back");
    expect(legend).not.toHaveTextContent("pay");
    expect(legend).toHaveTextContent("Ctrl+L lock");
  });
});
