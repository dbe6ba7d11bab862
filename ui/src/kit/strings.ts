/** The shared kit's words. English first; the Indonesian must have exactly the same keys. */

export const en = {
  "kit.cancel": "Cancel",
  "kit.ok": "OK",
};

export const id: Record<keyof typeof en, string> = {
  "kit.cancel": "Batal",
  "kit.ok": "OK",
};
