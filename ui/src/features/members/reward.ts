import type { Reward } from "../../bindings";
import { percent } from "../../lib/api";
import { chrome, t } from "../../stores/chrome.svelte";
import { fmt } from "../../stores/session.svelte";

/** What a voucher gives, in a few words ("Rp 15.000 off", "free Croissant"). */
export function rewardText(r: Reward, productName: string | null = null): string {
  switch (r.kind) {
    case "discount":
      return r.discount.kind === "percent"
        ? t("voucher.offPercent", { percent: percent(chrome.lang, r.discount.value) })
        : t("voucher.offAmount", { amount: fmt(r.discount.value) });
    case "cashback_points":
      return t("voucher.cashbackPoints", { n: r.points });
    case "cashback_wallet":
      return t("voucher.cashbackWallet", { amount: fmt(r.amount) });
    case "freebie":
      return t("voucher.freebie", { name: productName ?? "" });
  }
}
