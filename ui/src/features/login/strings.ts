/** Sign-in, and staff roles as the UI names them. English first; the Indonesian must have exactly the same keys. */

export const en = {
  "login.title": "Who is selling?",
  "login.pinFor": "PIN for {name}",
  "login.back": "Back",
  "login.wrongPin": "Wrong PIN. {n} attempts left.",
  "login.lockedOut": "Too many tries. Locked until {time}.",
  "login.noStaff": "No staff members yet.",
  "login.scanned": "A barcode was scanned: sign in first, then scan.",
  "role.cashier": "Cashier",
  "role.manager": "Manager",
  "role.admin": "Admin",
};

export const id: Record<keyof typeof en, string> = {
  "login.title": "Siapa yang berjualan?",
  "login.pinFor": "PIN untuk {name}",
  "login.back": "Kembali",
  "login.wrongPin": "PIN salah. Sisa {n} percobaan.",
  "login.lockedOut": "Terlalu banyak percobaan. Terkunci sampai {time}.",
  "login.noStaff": "Belum ada staf.",
  "login.scanned": "Barcode terpindai: masuk dulu, lalu pindai.",
  "role.cashier": "Kasir",
  "role.manager": "Manajer",
  "role.admin": "Admin",
};
