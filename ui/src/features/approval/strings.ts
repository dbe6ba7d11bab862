/** A manager's approval. English first; the Indonesian must have exactly the same keys. */

export const en = {
  "appr.title": "Manager approval",
  "appr.needed": "A manager's or admin's PIN is needed to {action}.",
  "appr.pick": "Manager or admin",
  "appr.pin": "PIN",
  "appr.approve": "Approve",
  "appr.none": "No manager or admin found.",
  "appr.chooseFirst": "Choose who approves, then type their PIN.",
  "appr.wrongPin": "Wrong PIN for {name}. Attempts left: {n}.",
  "appr.lockedOut": "{name}'s approvals are paused until {time}. Another manager or admin can approve.",
  "appr.paused": "paused until {time}",
  "appr.rule":
    "3 wrong PINs in a row here pause that person's approvals for 1 minute, longer after each further wrong PIN (at most 10 minutes). Their sign-in is not affected.",
};

export const id: Record<keyof typeof en, string> = {
  "appr.title": "Persetujuan manajer",
  "appr.needed": "Perlu PIN manajer atau admin untuk {action}.",
  "appr.pick": "Manajer atau admin",
  "appr.pin": "PIN",
  "appr.approve": "Setujui",
  "appr.none": "Tidak ada manajer atau admin.",
  "appr.chooseFirst": "Pilih siapa yang menyetujui, lalu ketik PIN-nya.",
  "appr.wrongPin": "PIN {name} salah. Sisa percobaan: {n}.",
  "appr.lockedOut": "Persetujuan oleh {name} dijeda sampai {time}. Manajer atau admin lain dapat menyetujui.",
  "appr.paused": "dijeda sampai {time}",
  "appr.rule":
    "3 kali PIN salah berturut-turut di sini menjeda persetujuan orang itu selama 1 menit, lebih lama setiap kali salah lagi (paling lama 10 menit). Login-nya tidak terpengaruh.",
};
