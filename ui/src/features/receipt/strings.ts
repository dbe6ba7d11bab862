/** The receipt dialog. English first; the Indonesian must have exactly the same keys. */

export const en = {
  "receipt.title": "Paid",
  "receipt.change": "Change",
  "receipt.newSale": "New sale",
  "receipt.copy": "Receipt",
  "receipt.close": "Close",
  "receipt.print": "Print",
  "receipt.printSoon": "Printing comes later",
  "receipt.refunded": "Refunded since",
};

export const id: Record<keyof typeof en, string> = {
  "receipt.title": "Lunas",
  "receipt.change": "Kembalian",
  "receipt.newSale": "Penjualan baru",
  "receipt.copy": "Struk",
  "receipt.close": "Tutup",
  "receipt.print": "Cetak",
  "receipt.printSoon": "Fitur cetak menyusul",
  "receipt.refunded": "Sudah dikembalikan",
};
