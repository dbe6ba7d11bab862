import { fireEvent, render, screen } from "@testing-library/svelte";
import { createRawSnippet } from "svelte";
import { describe, expect, it, vi } from "vitest";
import Button from "../src/kit/Button.svelte";
import Field from "../src/kit/Field.svelte";

const text = (s: string) => createRawSnippet(() => ({ render: () => `<span>${s}</span>` }));

describe("kit", () => {
  it("Button: the variant's look, never a submit unless asked, attributes passed on", async () => {
    const onclick = vi.fn();
    render(Button, { variant: "primary", onclick, "data-testid": "go", children: text("Pay") });
    const b = screen.getByTestId("go");
    expect(b).toHaveAttribute("type", "button");
    expect(b).toHaveClass("primary");
    expect(b).toHaveTextContent("Pay");
    await fireEvent.click(b);
    expect(onclick).toHaveBeenCalledOnce();
  });

  it("Field: a label for the control, a hint and an error", () => {
    const control = createRawSnippet((id: () => string) => ({ render: () => `<input id="${id()}" />` }));
    render(Field, { label: "Shop name", id: "shop", hint: "On the receipt", error: "Enter the shop's name.", children: control });
    expect(screen.getByLabelText("Shop name")).toHaveAttribute("id", "shop");
    expect(screen.getByText("On the receipt")).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("Enter the shop's name.");
  });
});
