/**
 * What jsdom can tell about long text without laying anything out: the components' CSS is
 * injected in tests (vite.config.ts), so the computed styles say whether a long word can
 * widen its box.
 */

/** Whether text in `el` cannot push its box wider: cut with an ellipsis or a line clamp, or
 *  allowed to break anywhere (overflow-wrap is inherited: `el` or an ancestor up to `root`
 *  sets it, with no `nowrap` in between). */
export function keepsLongTextInside(el: Element, root: Element): boolean {
  const own = getComputedStyle(el);
  const cut = own.textOverflow === "ellipsis" || own.getPropertyValue("-webkit-line-clamp") !== "";
  if (own.overflow === "hidden" && cut) return true;
  for (let e: Element | null = el; e && root.contains(e); e = e.parentElement) {
    const s = getComputedStyle(e);
    if (s.whiteSpace === "nowrap") return false;
    if (s.overflowWrap === "anywhere" || s.overflowWrap === "break-word" || s.wordBreak === "break-all") return true;
  }
  return false;
}
