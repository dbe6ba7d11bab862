/** The receipt dialog. English first; the Indonesian must have exactly the same keys. */

export const en = {
  "receipt.title": "Paid",
  "receipt.change": "Change",
  "receipt.newSale": "New sale",
  "receipt.copy": "Receipt",
  "receipt.close": "Close",
  "receipt.print": "Print",
  "receipt.printSent": "Sent to {n} printer(s): it prints as soon as the printer is ready",
  "receipt.refunded": "Refunded since",
};

export const id: Record<keyof typeof en, string> = {
  "receipt.title": "Lunas",
  "receipt.change": "Kembalian",
  "receipt.newSale": "Penjualan baru",
  "receipt.copy": "Struk",
  "receipt.close": "Tutup",
  "receipt.print": "Cetak",
  "receipt.printSent": "Dikirim ke {n} printer: dicetak begitu printer siap",
  "receipt.refunded": "Sudah dikembalikan",
};
