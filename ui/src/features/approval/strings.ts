/** A manager's approval. English first; the Indonesian must have exactly the same keys. */

export const en = {
  "appr.title": "Manager approval",
  "appr.needed": "A manager's or admin's PIN is needed to {action}.",
  "appr.pick": "Manager or admin",
  "appr.pin": "PIN",
  "appr.approve": "Approve",
  "appr.none": "No manager or admin found.",
};

export const id: Record<keyof typeof en, string> = {
  "appr.title": "Persetujuan manajer",
  "appr.needed": "Perlu PIN manajer atau admin untuk {action}.",
  "appr.pick": "Manajer atau admin",
  "appr.pin": "PIN",
  "appr.approve": "Setujui",
  "appr.none": "Tidak ada manajer atau admin.",
};
