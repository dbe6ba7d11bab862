/** A manager's approval. English first; the Indonesian must have exactly the same keys. */

export const en = {
  "appr.title": "Manager approval",
  "appr.pick": "Manager or admin",
  "appr.pin": "PIN",
  "appr.approve": "Approve",
  "appr.none": "No manager or admin found.",
};

export const id: Record<keyof typeof en, string> = {
  "appr.title": "Persetujuan manajer",
  "appr.pick": "Manajer atau admin",
  "appr.pin": "PIN",
  "appr.approve": "Setujui",
  "appr.none": "Tidak ada manajer atau admin.",
};
