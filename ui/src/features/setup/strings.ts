/** First-run setup. English first; the Indonesian must have exactly the same keys. */

export const en = {
  "setup.title": "Welcome to Kasir",
  "setup.demo": "Load the demo café",
  "setup.demoHint": "A ready-made café with menu and staff, to try things out.",
  "setup.or": "or set up your shop",
  "setup.shopName": "Shop name",
  "setup.currency": "Currency",
  "setup.adminName": "Your name (admin)",
  "setup.pin": "PIN (4–8 digits)",
  "setup.pin2": "PIN again",
  "setup.submit": "Create shop",
  "setup.errShop": "Enter the shop's name.",
  "setup.errAdmin": "Enter the admin's name.",
  "setup.errPin": "The PIN must be 4 to 8 digits.",
  "setup.errPin2": "The two PINs differ.",
};

export const id: Record<keyof typeof en, string> = {
  "setup.title": "Selamat datang di Kasir",
  "setup.demo": "Muat kafe demo",
  "setup.demoHint": "Kafe siap pakai dengan menu dan staf, untuk mencoba.",
  "setup.or": "atau siapkan toko Anda",
  "setup.shopName": "Nama toko",
  "setup.currency": "Mata uang",
  "setup.adminName": "Nama Anda (admin)",
  "setup.pin": "PIN (4–8 angka)",
  "setup.pin2": "Ulangi PIN",
  "setup.submit": "Buat toko",
  "setup.errShop": "Isi nama toko.",
  "setup.errAdmin": "Isi nama admin.",
  "setup.errPin": "PIN harus 4 sampai 8 angka.",
  "setup.errPin2": "Kedua PIN berbeda.",
};
