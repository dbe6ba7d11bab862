/**
 * A product's pictures in the product form: added from the picker or dropped (sent as base64,
 * one call each, a placeholder while the core prepares it), reordered and removed through one
 * call; the first is marked as the cover; a refused file is named with the core's reason; a
 * new product's pictures wait and go up once the product exists.
 */
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { invoke } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ProductDraft } from "../src/bindings";
import PictureEditor from "../src/features/admin/PictureEditor.svelte";
import ProductForm from "../src/features/admin/ProductForm.svelte";
import { session } from "../src/stores/session.svelte";
import { product, resetApp } from "./fixtures";
import { fail, routeIpc } from "./ipc";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const KOPI = { id: "c1", name: "Kopi", sort_order: 10, active: true };
const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

function file(name: string, bytes: Uint8Array<ArrayBuffer> = PNG_BYTES, type = "image/png"): File {
  return new File([bytes], name, { type });
}

function backend(start: string[]) {
  let pictures = [...start];
  const calls: string[] = [];
  routeIpc(invoke, {
    productPictures: (id: string) => {
      calls.push(`list ${id}`);
      return pictures;
    },
    addProductPicture: (id: string, data: string) => {
      calls.push(`add ${id} ${data}`);
      if (data === btoa("GIF89a")) fail({ kind: "invalid", data: { field: "image", rule: { rule: "image_format" } } });
      pictures = [...pictures, `pic${pictures.length + 1}`];
      return pictures;
    },
    arrangeProductPictures: (id: string, order: string[]) => {
      calls.push(`arrange ${id} ${order.join(",")}`);
      pictures = [...order];
      return pictures;
    },
    saveProduct: (_id: string | null, draft: ProductDraft) => {
      calls.push(`save ${draft.name}`);
      return product({ id: "p-new", name: draft.name, price: draft.price });
    },
  });
  return calls;
}

const shown = () => screen.getAllByTestId("picture").map((li) => li.querySelector("img")!.getAttribute("src"));

describe("product pictures", () => {
  beforeEach(() => {
    resetApp("en");
    vi.mocked(invoke).mockReset();
    session.actor = { id: "m1", name: "Budi", role: "manager" };
    let n = 0;
    URL.createObjectURL = vi.fn(() => `blob:preview-${++n}`);
    URL.revokeObjectURL = vi.fn();
  });

  it("shows a saved product's pictures, the first as the cover, and reorders and removes them", async () => {
    const calls = backend(["a", "b", "c"]);
    render(PictureEditor, { productId: "p1" });
    await vi.waitFor(() => expect(shown()).toEqual(["img://localhost/thumb/a", "img://localhost/thumb/b", "img://localhost/thumb/c"]));
    expect(within(screen.getAllByTestId("picture")[0]).getByTestId("picture-cover")).toBeInTheDocument();
    await fireEvent.click(screen.getByLabelText("Move picture 3 left"));
    await vi.waitFor(() => expect(shown()).toEqual(["img://localhost/thumb/a", "img://localhost/thumb/c", "img://localhost/thumb/b"]));
    await fireEvent.click(screen.getByLabelText("Move picture 1 right"));
    await vi.waitFor(() => expect(shown()[0]).toBe("img://localhost/thumb/c"));
    expect(within(screen.getAllByTestId("picture")[0]).getByTestId("picture-cover")).toBeInTheDocument();
    await fireEvent.click(screen.getByLabelText("Remove picture 2"));
    await vi.waitFor(() => expect(shown()).toHaveLength(2));
    expect(calls).toEqual(["list p1", "arrange p1 a,c,b", "arrange p1 c,a,b", "arrange p1 c,b"]);
    expect(screen.getByLabelText("Move picture 1 left")).toBeDisabled();
  });

  it("sends a chosen file as base64 and names a refused one with the core's reason", async () => {
    const calls = backend([]);
    render(PictureEditor, { productId: "p1" });
    const input = screen.getByTestId("picture-input") as HTMLInputElement;
    await fireEvent.change(input, { target: { files: [file("kopi.png")] } });
    await vi.waitFor(() => expect(shown()).toEqual(["img://localhost/thumb/pic1"]));
    expect(calls).toContain(`add p1 ${btoa(String.fromCharCode(...PNG_BYTES))}`);
    await fireEvent.change(input, { target: { files: [file("anim.gif", new Uint8Array(new TextEncoder().encode("GIF89a")), "image/gif")] } });
    expect(await screen.findByTestId("picture-error")).toHaveTextContent(/anim\.gif: .*PNG, JPEG or WebP/);
    expect(shown()).toHaveLength(1);
  });

  it("refuses a file over 10 MB before reading it, and takes dropped files", async () => {
    const calls = backend([]);
    render(PictureEditor, { productId: "p1" });
    const big = file("huge.jpg");
    Object.defineProperty(big, "size", { value: 11 * 1024 * 1024 });
    await fireEvent.change(screen.getByTestId("picture-input"), { target: { files: [big] } });
    expect(await screen.findByTestId("picture-error")).toHaveTextContent("huge.jpg is larger than 10 MB.");
    expect(calls.filter((c) => c.startsWith("add"))).toEqual([]);
    await fireEvent.drop(screen.getByTestId("picture-editor"), { dataTransfer: { files: [file("a.png"), file("b.png")] } });
    await vi.waitFor(() => expect(shown()).toHaveLength(2));
  });

  it("keeps a new product's pictures until the product exists, then uploads them", async () => {
    const calls = backend([]);
    const saved = vi.fn();
    render(ProductForm, { id: null, categories: [KOPI], onclose: () => {}, onsaved: saved });
    await fireEvent.change(await screen.findByTestId("picture-input"), { target: { files: [file("one.png"), file("two.png")] } });
    expect(shown()).toEqual(["blob:preview-1", "blob:preview-2"]);
    await fireEvent.click(screen.getByLabelText("Move picture 2 left"));
    expect(shown()).toEqual(["blob:preview-2", "blob:preview-1"]);
    expect(calls).toEqual([]);
    await fireEvent.input(screen.getByTestId("prod-name"), { target: { value: "Es Kopi Susu" } });
    await fireEvent.input(screen.getByTestId("prod-price"), { target: { value: "22.000" } });
    await fireEvent.click(screen.getByTestId("prod-save"));
    await vi.waitFor(() => expect(saved).toHaveBeenCalled());
    expect(calls.map((c) => c.split(" ").slice(0, 2).join(" "))).toEqual(["save Es", "add p-new", "add p-new"]);
  });
});
